"""Reads the Dockerfile with dockerfile-parse, checks the policy the image promises, and prints
the facts the other checks replay (shell assignments, to be eval'd).

Policy: two stages, base images pinned by tag (swift:6.3-bookworm, debian:bookworm-slim),
the binary copied from the build stage, a numeric non-root USER, exec-form ENTRYPOINT, CMD and
HEALTHCHECK, the health check running the binary itself, EXPOSE of 8080 and 8443, and
FAULTLINE_HOST=0.0.0.0 so the server is reachable from outside the container."""
import json
import shlex
import sys

from dockerfile_parse import DockerfileParser


def assign(name, value):
    print(f"{name}={shlex.quote(value)}")


def read(path):
    """The image's facts (entrypoint, health check, user, packages, ...) and the policy problems."""
    parser = DockerfileParser(fileobj=open(path, "rb"))
    problems = []

    stages = []
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            stages.append({"from": instruction["value"], "instructions": []})
        elif stages:
            stages[-1]["instructions"].append(instruction)
    if len(stages) != 2:
        problems.append(f"expected 2 stages (build, runtime), found {len(stages)}")
        stages += [{"from": "", "instructions": []}] * (2 - len(stages))
    build, runtime = stages[0], stages[-1]
    if build["from"].split()[0] != "swift:6.3-bookworm":
        problems.append(f"build stage FROM {build['from']!r}, expected swift:6.3-bookworm")
    if runtime["from"] != "debian:bookworm-slim":
        problems.append(f"runtime stage FROM {runtime['from']!r}, expected debian:bookworm-slim")
    for stage in stages:
        image = stage["from"].split()[0] if stage["from"] else ""
        if ":" not in image or image.endswith(":latest"):
            problems.append(f"base image {image!r} is not pinned by tag")


    def last(stage, name):
        found = [i for i in stage["instructions"] if i["instruction"] == name]
        return found[-1] if found else None


    def exec_form(instruction, name):
        if instruction is None:
            problems.append(f"runtime stage has no {name}")
            return []
        value = instruction["value"]
        if name == "HEALTHCHECK":
            value = value[value.index("CMD") + 3:].strip() if "CMD" in value else ""
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            problems.append(f"{name} is not in exec form: {instruction['value']!r}")
            return []
        return parsed


    entrypoint = exec_form(last(runtime, "ENTRYPOINT"), "ENTRYPOINT")
    cmd = exec_form(last(runtime, "CMD"), "CMD")
    health = exec_form(last(runtime, "HEALTHCHECK"), "HEALTHCHECK")
    if health and health[:2] != ["faultline", "health"]:
        problems.append(f"HEALTHCHECK runs {health}, expected the binary's own `faultline health` (no curl in bookworm-slim)")

    user = last(runtime, "USER")
    uid, gid = None, None
    if user is None:
        problems.append("runtime stage has no USER (it would run as root)")
    else:
        uid, _, gid = user["value"].partition(":")
        if not uid.isdigit() or uid == "0" or (gid and not gid.isdigit()):
            problems.append(f"USER {user['value']!r}: expected a numeric non-root uid:gid")

    copies = [i["value"] for i in runtime["instructions"] if i["instruction"] == "COPY"]
    binary = [c for c in copies if c.startswith("--from=build ")]
    if not binary:
        problems.append("runtime stage copies nothing from the build stage")
    binary_target = binary[0].split()[-1] if binary else ""
    scenario_copy = [c.split() for c in copies if c.split()[0] == "Scenarios"]
    scenarios_target = scenario_copy[0][-1] if scenario_copy else ""
    if not scenarios_target:
        problems.append("runtime stage does not COPY Scenarios")

    exposed = set()
    for instruction in runtime["instructions"]:
        if instruction["instruction"] == "EXPOSE":
            exposed.update(port.split("/")[0] for port in instruction["value"].split())
    for port in ("8080", "8443"):
        if port not in exposed:
            problems.append(f"EXPOSE lacks {port}")

    env = {}
    for instruction in runtime["instructions"]:
        if instruction["instruction"] == "ENV":
            for token in shlex.split(instruction["value"]):
                key, _, value = token.partition("=")
                env[key] = value
    if env.get("FAULTLINE_HOST") != "0.0.0.0":
        problems.append("ENV FAULTLINE_HOST=0.0.0.0 missing: the server would listen on the container's loopback only")

    packages = []
    run_lines = []
    for instruction in runtime["instructions"]:
        if instruction["instruction"] == "RUN":
            run_lines.append(instruction["value"])
            words = instruction["value"].replace("\\\n", " ").split()
            for i, word in enumerate(words):
                if word == "install" and i > 0 and words[i - 1] == "apt-get":
                    for candidate in words[i + 1:]:
                        if candidate in ("&&", ";", "||"):
                            break
                        if not candidate.startswith("-"):
                            packages.append(candidate)
    return {
        "packages": packages, "entrypoint": entrypoint, "cmd": cmd, "health": health, "uid": uid, "gid": gid or uid,
        "binary_target": binary_target, "scenarios_target": scenarios_target, "env": env, "run_lines": run_lines,
    }, problems


if __name__ == "__main__":
    facts, problems = read(sys.argv[1] if len(sys.argv) > 1 else "Dockerfile")
    for problem in problems:
        print(f"dockerfile: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    assign("RUNTIME_PACKAGES", " ".join(facts["packages"]))
    assign("ENTRYPOINT_CMD", shlex.join(facts["entrypoint"] + facts["cmd"]))
    assign("HEALTH_CMD", shlex.join(facts["health"]))
    assign("IMAGE_UID", facts["uid"])
    assign("IMAGE_GID", facts["gid"])
    assign("BINARY_TARGET", facts["binary_target"])
    assign("SCENARIOS_TARGET", facts["scenarios_target"])
    assign("IMAGE_ENV", " ".join(f"{k}={shlex.quote(v)}" for k, v in facts["env"].items()))
    assign("RUNTIME_RUN_COUNT", str(len(facts["run_lines"])))
    for n, line in enumerate(facts["run_lines"]):
        assign(f"RUNTIME_RUN_{n}", line.replace("\\\n", " "))
