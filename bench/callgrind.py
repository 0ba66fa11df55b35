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

    python3 bench/callgrind.py --kinds --a BINARY [--b BINARY]

counts every answer kind users meet (a static 429, a success, a triggered validation error, a
stateful list plain and gzip'd, the 429 over HTTPS) for one binary, or A against B.
"""

import argparse
import os
import re
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from common import free_port


# name, method, path, headers, body, extra serve flags, over TLS
KINDS = [
    ("static 429", "GET", "/aftership/v4/trackings?scenario=429", [], "", [], False),
    ("200 with auth and rate limit", "GET", "/trackbot/v1/couriers", ["Authorization: Bearer t"], "",
     ["--rate-limit", "trackbot=100000000/1s"], False),
    ("validation error", "POST", "/trackbot/v1/shipments",
     ["Authorization: Bearer t", "Content-Type: application/json"], '{"courier":"ups"}', ["--rate-limit", "trackbot=100000000/1s"], False),
    ("stateful list", "GET", "/price2b/api/v1/orders", ["Authorization: Bearer bench", "Accept: application/json"], "",
     ["--rate-limit", "price2b=1000000000/1s"], False),
    ("stateful list, gzip", "GET", "/price2b/api/v1/orders",
     ["Authorization: Bearer bench", "Accept: application/json", "Accept-Encoding: gzip"], "", ["--rate-limit", "price2b=1000000000/1s"], False),
    ("static 429 over HTTPS", "GET", "/aftership/v4/trackings?scenario=429", [], "", [], True),
]


def request_bytes(method, path, headers, body):
    head = f"{method} {path} HTTP/1.1\r\nHost: bench\r\n" + "".join(h + "\r\n" for h in headers)
    if body:
        head += f"Content-Length: {len(body.encode())}\r\n"
    return (head + "\r\n").encode() + body.encode()


def serve_under_callgrind(binary, scenarios, flags, out, tls=False, instrument=True):
    """Starts the binary under callgrind and connects to it (over TLS when asked): (server,
    connection). `instrument=False` counts nothing until `callgrind_control -i on`."""
    port = free_port()
    serve = ["--port", str(port), "--scenarios", scenarios] + flags
    target = port
    if tls:
        target = free_port()
        serve += ["--tls-self-signed", out + ".pem", "--tls-port", str(target)]
    options = [] if instrument else ["--instr-atstart=no"]
    server = subprocess.Popen(["valgrind", "--tool=callgrind", *options, f"--callgrind-out-file={out}", binary] + serve,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            connection = socket.create_connection(("127.0.0.1", target))
            if tls:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                connection = context.wrap_socket(connection)
            return server, connection
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"{binary} did not start under valgrind (strip its debug information first)")


def exchange(server, connection, request):
    """Sends one request and reads its whole response (by Content-Length)."""
    def receive():
        chunk = connection.recv(65536)
        if not chunk:
            server.kill()
            raise SystemExit("the server closed the connection mid-run (a timeout under a loaded machine?)")
        return chunk

    connection.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        data += receive()
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: *(\d+)", head, re.I).group(1))
    while len(rest) < length:
        rest += receive()


def instructions(binary, scenarios, flags, requests, path, header, method="GET", headers=None, body="", tls=False):
    out = tempfile.mktemp(prefix="callgrind.")
    server, connection = serve_under_callgrind(binary, scenarios, flags, out, tls=tls)
    request = request_bytes(method, path, headers if headers is not None else ([header] if header else []), body)
    for _ in range(requests + 1):
        exchange(server, connection, request)
    connection.close()
    time.sleep(3)  # let the server go idle before it is stopped: the count ends at exit
    server.send_signal(signal.SIGTERM)
    server.wait()
    for extra in (out + ".pem",):
        if os.path.exists(extra):
            os.remove(extra)
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                os.remove(out)
                return int(line.split()[1])
    raise SystemExit(f"no totals in {out}")


def per_request(binary, scenarios, requests, flags, **request):
    """Instructions of 1 + N keep-alive requests less those of one, over N: start-up and
    shutdown cancel out."""
    one = instructions(binary, scenarios, flags, 0, **request)
    many = instructions(binary, scenarios, flags, requests, **request)
    return (many - one) / requests


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="the binary before the change (with --kinds: the binary)")
    parser.add_argument("--b", help="the binary after it")
    parser.add_argument("--a-scenarios", default="Scenarios")
    parser.add_argument("--b-scenarios", default="Scenarios")
    parser.add_argument("--path", default="/aftership/v4/couriers")
    parser.add_argument("--header", default="")
    parser.add_argument("--flags", default="", help="more serve options, for both")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--kinds", action="store_true", help="every answer kind in KINDS instead of one path")
    arguments = parser.parse_args()
    sides = [("a", arguments.a, arguments.a_scenarios)] + ([("b", arguments.b, arguments.b_scenarios)] if arguments.b else [])
    if arguments.kinds:
        print("| answer | " + " | ".join(binary for _, binary, _ in sides) + " |")
        print("|---|" + "---:|" * len(sides))
        for name, method, path, headers, body, flags, tls in KINDS:
            counts = [per_request(binary, scenarios, arguments.requests, flags, path=path, header=None, method=method,
                                  headers=headers, body=body, tls=tls) for _, binary, scenarios in sides]
            change = f" ({(counts[1] - counts[0]) / counts[0] * 100:+.1f}%)" if len(counts) == 2 else ""
            print(f"| {name} | " + " | ".join(f"{c:,.0f}" for c in counts) + change + " |", flush=True)
        return
    if not arguments.b:
        parser.error("--b is needed unless --kinds")
    flags = arguments.flags.split()
    results = {"a": [], "b": []}
    for _ in range(arguments.rounds):
        for side, binary, scenarios in sides:
            per = per_request(binary, scenarios, arguments.requests, flags, path=arguments.path, header=arguments.header)
            results[side].append(per)
            print(f"{side} {binary}: {per:,.0f} instructions per request", flush=True)
    a = sum(results["a"]) / len(results["a"])
    b = sum(results["b"]) / len(results["b"])
    print(f"GET {arguments.path}: A {a:,.0f}, B {b:,.0f} instructions per request ({(b - a) / a * 100:+.1f}%)")


if __name__ == "__main__":
    main()
