#!/usr/bin/env python3
"""What an idle keep-alive connection costs: memory per connection, and whether a fresh one is
still answered at once while thousands sit open.

    python3 bench/idle.py [--faultline .build/release/faultline] [--connections 10000]
        [--scenarios Scenarios]

Starts Faultline, reads its VmRSS, opens the connections and sends one request on each (so each
has been through a whole exchange and holds what a served connection keeps), waits until the
server is quiet, reads VmRSS again, then times a request on a fresh connection and one more on
the oldest idle connection. Prints the growth per connection in KiB and both latencies. The
client needs as many descriptors as connections (it raises its soft limit to the hard one).
"""

import argparse
import os
import resource
import socket
import subprocess
import sys
import time
from common import free_port, rss_kib

REQUEST = b"GET /aftership/v4/trackings?scenario=429 HTTP/1.1\r\nHost: bench\r\n\r\n"


def exchange(connection):
    """Sends the request and reads one whole response; returns the seconds it took."""
    start = time.perf_counter()
    connection.sendall(REQUEST)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise SystemExit("the server closed a connection")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")][0])
    while len(body) < length:
        body += connection.recv(65536)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faultline", default=".build/release/faultline")
    parser.add_argument("--scenarios", default="Scenarios")
    parser.add_argument("--connections", type=int, default=10000)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < args.connections + 100:
        raise SystemExit(f"the open-files limit is {hard}; {args.connections} connections need more")
    port = free_port()
    server = subprocess.Popen([args.faultline, "serve", "--host", "127.0.0.1", "--port", str(port), "--scenarios", args.scenarios,
                               "--idle-timeout", "600"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                exchange(socket.create_connection(("127.0.0.1", port)))
                break
            except OSError:
                time.sleep(0.05)
        time.sleep(0.5)
        before = rss_kib(server.pid)
        connections = []
        for _ in range(args.connections):
            connection = socket.create_connection(("127.0.0.1", port))
            exchange(connection)
            connections.append(connection)
        time.sleep(1)
        after = rss_kib(server.pid)
        fresh = exchange(socket.create_connection(("127.0.0.1", port)))
        oldest = exchange(connections[0])
        print(f"{args.connections} idle keep-alive connections: VmRSS {before / 1024:.1f} → {after / 1024:.1f} MiB, "
              f"{(after - before) / args.connections:.2f} KiB per connection")
        print(f"a fresh connection answered in {fresh * 1000:.2f} ms; the oldest idle one in {oldest * 1000:.2f} ms")
        for connection in connections:
            connection.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
