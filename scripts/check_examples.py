"""Checks examples/ against the Dockerfile and the binary (no Docker engine, no GitHub here):
the workflow's service container and the compose file health-check with the image's own
`faultline health`, wait for health before the tests, and use the ports and paths the image
has; the compose file's scenario directories are served together by the real binary.
Usage: python3 scripts/check_examples.py BINARY"""
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dockerfile_facts  # noqa: E402  (the Dockerfile as check-docker.sh reads it)

binary = sys.argv[1]
problems = []


def check(condition, message):
    if not condition:
        problems.append(message)


image, _ = dockerfile_facts.read("Dockerfile")
image_health = image["health"]
scenario_target = image["scenarios_target"]

workflow = yaml.safe_load(open("examples/github-actions/integration-tests.yml"))
service = workflow["jobs"]["test"]["services"]["faultline"]
options = shlex.split(service["options"])
check("--health-cmd" in options and shlex.split(options[options.index("--health-cmd") + 1]) == image_health,
      f"workflow: --health-cmd is not the image's HEALTHCHECK {image_health}")
check("8080:8080" in service["ports"], "workflow: port 8080 not published")
steps = " ".join(str(step.get("run", "")) for step in workflow["jobs"]["test"]["steps"])
check("localhost:8080" in steps, "workflow: no step talks to localhost:8080")
publish = yaml.safe_load(open("examples/github-actions/publish-image.yml"))
check(any("build-push-action" in str(step.get("uses", "")) for step in publish["jobs"]["image"]["steps"]), "publish workflow does not build the image")

compose = yaml.safe_load(open("examples/docker-compose.yml"))
faultline = compose["services"]["faultline"]
check(faultline["healthcheck"]["test"] == ["CMD"] + image_health, "compose: healthcheck is not the image's HEALTHCHECK")
check(compose["services"]["app"]["depends_on"]["faultline"]["condition"] == "service_healthy", "compose: app does not wait for a healthy faultline")
directories = faultline["environment"]["FAULTLINE_SCENARIOS"].split(":")
check(directories[0] == scenario_target, f"compose: FAULTLINE_SCENARIOS starts with {directories[0]}, the image has {scenario_target}")
mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in faultline["volumes"]}
for directory in directories[1:]:
    check(directory in mounts, f"compose: {directory} is not mounted")

# Each vendor port FAULTLINE_LISTEN opens is published.
listen = [entry.split("=") for entry in faultline["environment"].get("FAULTLINE_LISTEN", "").split(",") if entry]
published = {mapping.split(":")[-1] for mapping in faultline["ports"]}
for vendor, vendor_port in listen:
    check(vendor_port in published, f"compose: {vendor}'s port {vendor_port} is not published")
app_url = compose["services"]["app"]["command"][-1]

# The compose file's directories, mapped to this checkout, served together by the binary.
local = ["Scenarios"] + [os.path.normpath(os.path.join("examples", mounts[d])) for d in directories[1:] if d in mounts]
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
# The vendor ports too, each moved to a free port here.
local_ports = {}
for vendor, vendor_port in listen:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        local_ports[vendor_port] = s.getsockname()[1]
env = {"PATH": "/usr/bin:/bin", "FAULTLINE_PORT": str(port), "FAULTLINE_SCENARIOS": ":".join(local),
       "FAULTLINE_LISTEN": ",".join(f"{vendor}={local_ports[vendor_port]}" for vendor, vendor_port in listen)}
process = subprocess.Popen([binary, "serve"], env=env, stderr=subprocess.PIPE, text=True)
try:
    for _ in range(100):
        if subprocess.run([binary, "health", "--quiet", "--port", str(port)], stderr=subprocess.DEVNULL).returncode == 0:
            break
        time.sleep(0.05)
    # The app's own request, sent to where its host and port map here.
    app_port, app_path = app_url.split("://", 1)[1].split("/", 1)
    app_port = local_ports.get(app_port.split(":")[1], port)
    for url, status in ((f"http://127.0.0.1:{port}/acme/v1/widgets/7?scenario=503", 503),
                        (f"http://127.0.0.1:{port}/aftership/v4/couriers?scenario=429", 429),
                        (f"http://127.0.0.1:{app_port}/{app_path}", 429)):
        try:
            code = urllib.request.urlopen(urllib.request.Request(url, method="POST" if url.endswith("trackings?scenario=429") else "GET")).status
        except urllib.error.HTTPError as error:
            code = error.code
        check(code == status, f"{url}: {code}, expected {status}")
finally:
    process.terminate()
    process.wait(timeout=5)

for problem in problems:
    print(f"check-examples: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print("check-examples: workflow, compose file and their scenario directories check out")
