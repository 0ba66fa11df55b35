#!/usr/bin/env python3
"""How long the costliest requests hold an event loop.

Build first (this script builds nothing):
    swift build -c release --product faultline
then:
    python3 bench/hostile.py [--runs 3] [--bin .build/release/faultline]

Faultline runs with one event loop on the bundled vendors plus a hostile vendor file of our own
(patterns that defeat a backtracking matcher or any state cache); each request below is sent
--runs times and timed from its first byte out to its last byte in. While the slowest case
runs, a second connection asks for /__faultline/health: its latency is what one bad request
costs everybody else on that loop. Prints a markdown table; the README quotes a run of it.
"""
import argparse
import gzip
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HOSTILE_VENDOR = {
    "vendor": "hostile",
    "basePaths": ["/v1"],
    "errors": {"invalid": {"status": 422, "body": {"error": "{{violation.message}}"}}},
    "triggers": {"validation": {"mode": "first", "response": "invalid"}},
    "endpoints": [
        {"id": "nested", "method": "POST", "path": "/nested",
         "validate": [{"field": "x", "type": "string", "pattern": "^(a+)+$"}], "response": {"status": 201}},
        {"id": "blowup", "method": "POST", "path": "/blowup",
         "validate": [{"field": "x", "type": "string", "pattern": "(a|b)*a(a|b){400}c"}], "response": {"status": 201}},
        {"id": "email", "method": "POST", "path": "/email",
         "validate": [{"field": "x", "type": "string", "pattern": "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$"}], "response": {"status": 201}},
    ],
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=b"", headers=None, timeout=120):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    start = time.perf_counter()
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    return response.status, len(data), elapsed


def ab(n, seed):
    rng = random.Random(seed)
    return "".join(rng.choice("ab") for _ in range(n))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(REPO, ".build/release/faultline"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="faultline-hostile-")
    try:
        with open(os.path.join(work, "hostile.json"), "w") as f:
            json.dump(HOSTILE_VENDOR, f)
        port = free_port()
        server = subprocess.Popen(
            [args.bin, "serve", "--port", str(port), "--event-loops", "1", "--max-body-size", "1048576",
             "--scenarios", os.path.join(REPO, "Scenarios"), "--scenarios", work],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(200):
            try:
                request(port, "GET", "/__faultline/health")
                break
            except OSError:
                time.sleep(0.02)
        json_type = {"Content-Type": "application/json"}
        gzipped = dict(json_type, **{"Content-Encoding": "gzip"})
        big_ab = json.dumps({"x": ab(1_000_000, 1)}).encode()
        # A 16 KB random block repeated: gzip finds the repeats (its window is 32 KB), while the
        # matcher's state cache, far smaller than the 16,000 states a lap visits, keeps missing.
        eight_mib = gzip.compress(json.dumps({"x": ab(16_000, 2) * 500}).encode(), 9)
        two_layers = gzip.compress(gzip.compress(json.dumps({"x": "a" * 8_000_000 + "!"}).encode(), 9), 9)
        double_gzipped = dict(json_type, **{"Content-Encoding": "gzip, gzip"})
        deep = ("[" * 5_000 + "]" * 5_000).encode()
        note = "n" * 190_000

        def fill_client():
            for i in range(30):
                body = json.dumps({"tracking": {"slug": "dpd-de", "tracking_number": "BIG%05d" % i, "custom_fields": {"note": note}}}).encode()
                request(port, "POST", "/aftership/v4/trackings", body, dict(json_type, **{"aftership-api-key": "bench-big"}))

        cases = [
            ("pattern ^(a+)+$, 1 MB value", "POST", "/hostile/v1/nested", json.dumps({"x": "a" * 1_000_000 + "!"}).encode(), json_type),
            ("pattern (a|b)*a(a|b){400}c, 1 MB value", "POST", "/hostile/v1/blowup", big_ab, json_type),
            ("same pattern, 8 MB value (gzip)", "POST", "/hostile/v1/blowup", eight_mib, gzipped),
            ("bundled-style email pattern, 1 MB value", "POST", "/hostile/v1/email", json.dumps({"x": "a" * 1_000_000 + "@example.com"}).encode(), json_type),
            ("gzip in gzip to 8 MB of JSON", "POST", "/hostile/v1/nested", two_layers, double_gzipped),
            ("JSON nested 5,000 deep", "POST", "/aftership/v4/trackings", deep, dict(json_type, **{"aftership-api-key": "k"})),
            ("sequence a*10000 on a 8 KB target", "GET", "/aftership/v4/couriers?scenario=" + "429*9999,default" + "&x=" + "y" * 7_900, b"", {"aftership-api-key": "k"}),
            ("list of a client's 4 MiB of trackings", "GET", "/aftership/v4/trackings?limit=200", b"", {"aftership-api-key": "bench-big"}),
        ]
        fill_client()
        rows = []
        slowest = None
        for name, method, path, body, headers in cases:
            times = []
            status = size = None
            for _ in range(args.runs):
                status, size, elapsed = request(port, method, path, body, headers)
                times.append(elapsed)
            rows.append((name, status, size, statistics.median(times), max(times)))
            if slowest is None or max(times) > slowest[4]:
                slowest = rows[-1] + (method, path, body, headers)

        # What the slowest case costs a neighbour on the same (only) event loop.
        waits = []
        stop = threading.Event()

        def neighbour():
            while not stop.is_set():
                waits.append(request(port, "GET", "/__faultline/health")[2])

        _, _, _, _, _, method, path, body, headers = slowest
        thread = threading.Thread(target=neighbour)
        thread.start()
        for _ in range(args.runs):
            request(port, method, path, body, headers)
        stop.set()
        thread.join()

        server.terminate()
        server.wait(timeout=10)
        print("| request | status | response bytes | median ms | max ms |")
        print("|---|---|---|---|---|")
        for name, status, size, median, worst in rows:
            print(f"| {name} | {status} | {size} | {median * 1000:.1f} | {worst * 1000:.1f} |")
        print()
        print(f"health checks on the same event loop while '{slowest[0]}' ran {args.runs} times: "
              f"{len(waits)} answered, slowest {max(waits) * 1000:.1f} ms, median {statistics.median(waits) * 1000:.1f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
