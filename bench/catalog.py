#!/usr/bin/env python3
"""Does Faultline care how big the catalog is? Start-up, idle memory and keep-alive throughput
with a generated vendor of a few endpoints against one of many, in alternating rounds.

    python3 bench/catalog.py [--faultline .build/release/faultline] [--sizes 10,10000]
        [--rounds 3] [--duration 5] [--server-cpu 0] [--client-cpu 1]

Each size is a vendor `acme` whose endpoints are `GET /v1/rN/items/{id}` for N = 0…n−1, with a
vendor-wide `429` entry; every request asks the last endpoint (`/acme/v1/r{n-1}/items/5?scenario=429`),
the one a route list scanned in order finds last. Per round and size: spawn → first answer
(bench/first_response.py, 3 spawns, median), idle RSS, then `wrk -t1 -c50 --latency` keep-alive.
Prints a Markdown table of medians over the rounds and each size's ratio to the smallest.
Needs wrk and taskset (Debian: apt-get install -y wrk util-linux).
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from common import free_port, rss_kib

HERE = os.path.dirname(os.path.abspath(__file__))


def write_vendor(directory, size):
    endpoints = [{"id": f"r{i}", "method": "GET", "path": f"/r{i}/items/{{id}}",
                  "response": {"status": 200, "body": {"id": "{{path.id}}", "route": i}}} for i in range(size)]
    vendor = {"vendor": "acme", "basePaths": ["/v1"], "endpoints": endpoints,
              "errors": {"429": {"status": 429, "headers": {"Retry-After": "1"},
                                 "body": {"error": {"code": "rate_limited", "message": "Too many requests."}}}}}
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "acme.json"), "w") as f:
        json.dump(vendor, f)


def stop(pid):
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


def measure(args, directory, size, tmp):
    port = free_port()
    path = f"/acme/v1/r{size - 1}/items/5?scenario=429"
    pidfile = os.path.join(tmp, "faultline.pid")
    out = subprocess.run(["taskset", "-c", args.client_cpu, sys.executable, os.path.join(HERE, "first_response.py"),
                          "--port", str(port), "--path", path, "--expect-status", "429", "--pidfile", pidfile,
                          "--log", os.path.join(tmp, "faultline.log"), "--runs", "3", "--",
                          "taskset", "-c", args.server_cpu, args.faultline, "serve", "--host", "127.0.0.1",
                          "--port", str(port), "--scenarios", directory],
                         capture_output=True, text=True, check=True).stdout
    values = dict(line.split("=", 1) for line in out.split())
    pid = int(values["pid"])
    try:
        time.sleep(0.3)
        rss = rss_kib(pid)
        wrk = subprocess.run(["taskset", "-c", args.client_cpu, "wrk", "-t1", "-c50", f"-d{args.duration}s", "--latency",
                              f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    finally:
        stop(pid)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", wrk)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    return {"startup": float(values["startup_ms"]), "rss": rss / 1024, "rate": rate, "p99": p99_ms}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faultline", default=".build/release/faultline")
    parser.add_argument("--sizes", default="10,10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--server-cpu", default="0")
    parser.add_argument("--client-cpu", default="1")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="faultline-catalog.") as tmp:
        directories = {}
        for size in sizes:
            directories[size] = os.path.join(tmp, f"size-{size}")
            write_vendor(directories[size], size)
        results = {size: [] for size in sizes}
        for round in range(args.rounds):
            for size in sizes:
                result = measure(args, directories[size], size, tmp)
                results[size].append(result)
                print(f"round {round + 1}, {size} endpoints: {result['rate']:,.0f} req/s, p99 {result['p99']:.2f} ms, "
                      f"start-up {result['startup']:.1f} ms, idle RSS {result['rss']:.1f} MiB", file=sys.stderr, flush=True)
    median = {size: {key: statistics.median(r[key] for r in results[size]) for key in results[size][0]} for size in sizes}
    base = median[sizes[0]]["rate"]
    print(f"| endpoints | keep-alive req/s | × {sizes[0]} endpoints | p99 (ms) | start-up (ms) | idle RSS (MiB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        m = median[size]
        print(f"| {size:,} | {m['rate']:,.0f} | {m['rate'] / base:.2f} | {m['p99']:.2f} | {m['startup']:.1f} | {m['rss']:.1f} |")


if __name__ == "__main__":
    main()
