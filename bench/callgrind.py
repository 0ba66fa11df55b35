#!/usr/bin/env python3
"""Instructions per request, A against B, counted by valgrind's callgrind (wall clocks on a
shared machine disagree; instruction counts do not).

    python3 bench/callgrind.py --a OLD_BINARY --b NEW_BINARY [--path /aftership/v4/couriers]
        [--header 'Authorization: Bearer t'] [--a-scenarios DIR] [--b-scenarios DIR]
        [--flags '--rate-limit trackbot=100000000/1s'] [--requests 3000] [--rounds 2]

Each binary serves under callgrind twice per round: once answering one request, once answering
1 + N keep-alive requests on one connection; the difference over N is its cost per request
(start-up and shutdown cancel out). Rounds alternate A, B, A, B. Give each binary the scenario
files of its own checkout when the file format changed between them. Strip debug information
first (`strip --strip-debug`): valgrind cannot read a static binary's Swift DWARF.
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def instructions(binary, scenarios, flags, requests, path, header):
    out = tempfile.mktemp(prefix="callgrind.")
    port = free_port()
    server = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary, "--port", str(port),
                               "--scenarios", scenarios] + flags, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    connection = None
    for _ in range(600):
        try:
            connection = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.1)
    if connection is None:
        server.kill()
        raise SystemExit(f"{binary} did not start under valgrind")
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n{header + chr(13) + chr(10) if header else ''}\r\n".encode()
    for _ in range(requests + 1):
        connection.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            data += connection.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"content-length: *(\d+)", head, re.I).group(1))
        while len(body) < length:
            body += connection.recv(65536)
    connection.close()
    time.sleep(3)  # let the server go idle before it is stopped: the count ends at exit
    server.send_signal(signal.SIGTERM)
    server.wait()
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                os.remove(out)
                return int(line.split()[1])
    raise SystemExit(f"no totals in {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="the binary before the change")
    parser.add_argument("--b", required=True, help="the binary after it")
    parser.add_argument("--a-scenarios", default="Scenarios")
    parser.add_argument("--b-scenarios", default="Scenarios")
    parser.add_argument("--path", default="/aftership/v4/couriers")
    parser.add_argument("--header", default="")
    parser.add_argument("--flags", default="", help="more serve options, for both")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    flags = arguments.flags.split()
    results = {"a": [], "b": []}
    for _ in range(arguments.rounds):
        for side, binary, scenarios in (("a", arguments.a, arguments.a_scenarios), ("b", arguments.b, arguments.b_scenarios)):
            one = instructions(binary, scenarios, flags, 0, arguments.path, arguments.header)
            many = instructions(binary, scenarios, flags, arguments.requests, arguments.path, arguments.header)
            per = (many - one) / arguments.requests
            results[side].append(per)
            print(f"{side} {binary}: {per:,.0f} instructions per request", flush=True)
    a = sum(results["a"]) / len(results["a"])
    b = sum(results["b"]) / len(results["b"])
    print(f"GET {arguments.path}: A {a:,.0f}, B {b:,.0f} instructions per request ({(b - a) / a * 100:+.1f}%)")


if __name__ == "__main__":
    main()
