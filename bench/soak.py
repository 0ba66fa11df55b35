#!/usr/bin/env python3
"""Memory under a hostile mixed load: does resident memory level off at the documented bounds?

Build first (this script builds nothing):
    swift build -c release --product faultline
then:
    python3 bench/soak.py [--seconds 300] [--workers 4] [--bin .build/release/faultline] [-- serve options...]

Workers loop over requests that each try to keep something: trackings from a new client name
each time (AfterShip), labels from one account (Flex Forward), products with big gzip'd bodies
that decode to megabytes (Price2b), users (generic), sequences with new names, sticky scenarios,
and long client names. Every --sample seconds the server's VmRSS is read from /proc. Prints the
samples and the peak; the state limits (`--max-state-bytes`, 64 MiB per vendor by default, and
10,000 clients) are what should make the curve flatten.
"""
import argparse
import gzip
import http.client
import json
import os
import socket
import subprocess
import threading
import time
from common import free_port, rss_kib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def state_mib(port):
    """Sum of faultline_state_bytes over the vendors, as the limits count it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/__faultline/metrics")
    text = connection.getresponse().read().decode()
    connection.close()
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith("faultline_state_bytes{")) / 1048576


def worker(port, stop, counts, index):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    big_field = "h" * 3_000_000
    n = 0
    while not stop.is_set():
        n += 1
        tag = f"{index}-{n}"
        kind = n % 7
        try:
            if kind == 0:
                connection.request("POST", "/aftership/v4/trackings", json.dumps({"tracking": {"slug": "dpd-de", "tracking_number": "SK%08d" % (n % 10**8), "custom_fields": {"n": "x" * 2_000}}}),
                                   {"aftership-api-key": "k", "X-Faultline-Client": "soak-" + tag, "Content-Type": "application/json"})
            elif kind == 1:
                label = {"idempotencyKey": "key-" + tag, "courier": "yunexpress", "order": {"customerOrderNumber": "O" * 500}}
                connection.request("POST", "/flexforward/labels", json.dumps(label), {"Authorization": "Bearer flood", "Content-Type": "application/json"})
            elif kind == 2:
                big = gzip.compress(json.dumps({"sku": "S" + tag, "name": "n", "hs_code": big_field}).encode(), 1)
                connection.request("POST", "/price2b/api/v1/inventory/products", big,
                                   {"Authorization": "Bearer p2b-" + str(n % 50), "Accept": "application/json", "Content-Type": "application/json", "Content-Encoding": "gzip"})
            elif kind == 3:
                connection.request("POST", "/generic/api/v1/users", json.dumps({"user_id": "u" + tag, "email": "a@b.io"}), {"X-API-Key": "g-" + tag, "Content-Type": "application/json"})
            elif kind == 4:
                connection.request("GET", "/trackbot/v1/couriers?scenario=500*3," + "x" * 200 + tag + ",default", headers={"Authorization": "Bearer t", "X-Faultline-Client": "seq-" + tag})
            elif kind == 5:
                connection.request("PUT", "/__faultline/scenario", json.dumps({"scenario": "429," * 100 + "default", "client": "sticky-" + tag}), {"Content-Type": "application/json"})
            else:
                connection.request("GET", "/aftership/v4/couriers", headers={"aftership-api-key": "k", "X-Faultline-Client": "c" * 8_000 + tag})
            response = connection.getresponse()
            response.read()
            counts[response.status] = counts.get(response.status, 0) + 1
        except (OSError, http.client.HTTPException):
            counts["error"] = counts.get("error", 0) + 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(REPO, ".build/release/faultline"))
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--sample", type=int, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("serve", nargs="*", help="extra serve options (after --)")
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([args.bin, "serve", "--port", str(port), "--journal-size", "1000"] + args.serve,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.02)
    stop = threading.Event()
    counts = {}
    threads = [threading.Thread(target=worker, args=(port, stop, counts, i)) for i in range(args.workers)]
    start = time.time()
    samples = [(0, rss_kib(server.pid), state_mib(port))]
    for thread in threads:
        thread.start()
    while time.time() - start < args.seconds:
        time.sleep(args.sample)
        samples.append((int(time.time() - start), rss_kib(server.pid), state_mib(port)))
    stop.set()
    for thread in threads:
        thread.join()
    alive = server.poll() is None
    server.terminate()
    server.wait(timeout=10)
    print("| seconds | RSS MiB | stored state MiB (as counted) |")
    print("|---:|---:|---:|")
    for seconds, kib, state in samples:
        print(f"| {seconds} | {kib / 1024:.1f} | {state:.1f} |")
    print()
    print(f"peak {max(k for _, k, _ in samples) / 1024:.1f} MiB; answers by status: {dict(sorted(counts.items(), key=str))}; server alive at the end: {alive}")


if __name__ == "__main__":
    main()
