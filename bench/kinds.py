#!/usr/bin/env python3
"""The answers users get in tests, each against the static 429 in the same round: requests per
second of a triggered validation error, a stateful list, the list gzip'd and the 429 over HTTPS,
as ratios to the plain 429, with medians over alternating rounds.

    python3 bench/kinds.py [--faultline .build/release/faultline] [--rounds 5] [--duration 4]
        [--server-cpu 0] [--client-cpu 1]

One server (pinned to --server-cpu) serves every kind: plain HTTP, and HTTPS on a second port
with a self-signed certificate; rate limits are lifted for the vendors asked. Each round runs
`wrk -t1 -c50` (pinned to --client-cpu) once per kind, the 429 first; a kind's ratio in a round
is its req/s over that round's 429. The machine's speed drifts between rounds more than between
the runs of one round, which is why ratios are taken per round. The same kinds are counted in
instructions by `bench/callgrind.py --kinds`. Needs wrk and taskset.
"""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from common import free_port

# (name, path, headers, wrk Lua script or None, https)
KINDS = [
    ("static 429", "/aftership/v4/trackings?scenario=429", [], None, False),
    ("validation error", "/trackbot/v1/shipments", [], "post_shipment", False),
    ("stateful list", "/price2b/api/v1/orders", ["Authorization: Bearer bench", "Accept: application/json"], None, False),
    ("stateful list, gzip", "/price2b/api/v1/orders",
     ["Authorization: Bearer bench", "Accept: application/json", "Accept-Encoding: gzip"], None, False),
    ("static 429 over HTTPS", "/aftership/v4/trackings?scenario=429", [], None, True),
]

# TrackBot's create-shipment without tracking_code: a 422 with field-level errors.
POST_SHIPMENT = """wrk.method = "POST"
wrk.body = '{"courier":"ups"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer t"
"""


def wrk(args, url, headers, script):
    command = ["taskset", "-c", args.client_cpu, "wrk", "-t1", "-c50", f"-d{args.duration}s"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Socket errors: (.*)", out)
    if errors:
        print(f"warning: {url}: socket errors {errors.group(1)}", file=sys.stderr)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faultline", default=".build/release/faultline")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=4)
    parser.add_argument("--server-cpu", default="0")
    parser.add_argument("--client-cpu", default="1")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="faultline-kinds.") as tmp:
        script = os.path.join(tmp, "post_shipment.lua")
        with open(script, "w") as f:
            f.write(POST_SHIPMENT)
        port, tls_port = free_port(), free_port()
        while tls_port == port:
            tls_port = free_port()
        server = subprocess.Popen(["taskset", "-c", args.server_cpu, args.faultline, "serve", "--host", "127.0.0.1",
                                   "--port", str(port), "--tls-self-signed", os.path.join(tmp, "cert.pem"),
                                   "--tls-port", str(tls_port), "--rate-limit", "trackbot=1000000000/1s",
                                   "--rate-limit", "price2b=1000000000/1s"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/__faultline/health", timeout=1)
                    break
                except Exception:
                    time.sleep(0.05)
            rates = {name: [] for name, *_ in KINDS}
            for round in range(args.rounds):
                line = []
                for name, path, headers, lua, https in KINDS:
                    url = f"https://127.0.0.1:{tls_port}{path}" if https else f"http://127.0.0.1:{port}{path}"
                    rates[name].append(wrk(args, url, headers, script if lua else None))
                    line.append(f"{name} {rates[name][-1]:,.0f}")
                print(f"round {round + 1}: " + ", ".join(line), file=sys.stderr, flush=True)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    base = rates["static 429"]
    print(f"| answer | req/s, median of {args.rounds} rounds | × the static 429 (median of per-round ratios) | per-round ratios |")
    print("|---|---:|---:|---|")
    for name, *_ in KINDS:
        ratios = [r / b for r, b in zip(rates[name], base)]
        print(f"| {name} | {statistics.median(rates[name]):,.0f} | {statistics.median(ratios):.2f} | "
              + ", ".join(f"{r:.2f}" for r in ratios) + " |")


if __name__ == "__main__":
    main()
