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

With nginx and the openssl tool installed (or --nginx PATH), each round also asks nginx for the
same 429 over HTTP and over HTTPS (TLS 1.3 through the same system OpenSSL, a self-signed key),
so the HTTPS ratio can be read against what the TLS library costs nginx too; --no-nginx skips it.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
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
    parser.add_argument("--nginx", default=shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin"))
    parser.add_argument("--no-nginx", action="store_true")
    args = parser.parse_args()
    if args.no_nginx or not shutil.which("openssl"):
        args.nginx = None
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
        nginx = None
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/__faultline/health", timeout=1)
                    break
                except Exception:
                    time.sleep(0.05)
            nginx = start_nginx(args, tmp) if args.nginx else None
            rates = {name: [] for name, *_ in KINDS}
            rates.update({name: [] for name in NGINX_KINDS})
            for round in range(args.rounds):
                line = []
                for name, path, headers, lua, https in KINDS:
                    url = f"https://127.0.0.1:{tls_port}{path}" if https else f"http://127.0.0.1:{port}{path}"
                    rates[name].append(wrk(args, url, headers, script if lua else None))
                    line.append(f"{name} {rates[name][-1]:,.0f}")
                if nginx:
                    for name, url in zip(NGINX_KINDS, nginx[1]):
                        rates[name].append(wrk(args, url, [], None))
                        line.append(f"{name} {rates[name][-1]:,.0f}")
                print(f"round {round + 1}: " + ", ".join(line), file=sys.stderr, flush=True)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
            if nginx:
                os.killpg(nginx[0].pid, signal.SIGTERM)
                nginx[0].wait()
    base = rates["static 429"]
    print(f"| answer | req/s, median of {args.rounds} rounds | × the static 429 (median of per-round ratios) | per-round ratios |")
    print("|---|---:|---:|---|")
    for name, *_ in KINDS:
        ratios = [r / b for r, b in zip(rates[name], base)]
        print(f"| {name} | {statistics.median(rates[name]):,.0f} | {statistics.median(ratios):.2f} | "
              + ", ".join(f"{r:.2f}" for r in ratios) + " |")
    if rates[NGINX_KINDS[0]]:
        plain, tls = (rates[name] for name in NGINX_KINDS)
        ratios = [t / p for t, p in zip(tls, plain)]
        print(f"\nnginx, the same 429: HTTP {statistics.median(plain):,.0f} req/s, HTTPS {statistics.median(tls):,.0f} req/s; "
              f"HTTPS × HTTP {statistics.median(ratios):.2f} (" + ", ".join(f"{r:.2f}" for r in ratios) + ")")


NGINX_KINDS = ("nginx 429", "nginx 429 over HTTPS")


def start_nginx(args, tmp):
    """nginx with bench/nginx.conf.in, plus an HTTPS listener on a fresh self-signed key."""
    prefix = os.path.join(tmp, "nginx")
    os.makedirs(prefix)
    cert, key = os.path.join(prefix, "cert.pem"), os.path.join(prefix, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=localhost"], check=True, capture_output=True)
    port, tls_port = free_port(), free_port()
    while tls_port == port:
        tls_port = free_port()
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "nginx.conf.in")) as f:
        config = f.read().replace("@PREFIX@", prefix).replace("@PORT@", str(port))
    listen = f"listen 127.0.0.1:{port};"
    # nginx 1.22 offers TLS 1.3 only when asked (its default stops at 1.2); Faultline and
    # wrk speak 1.3, so the two servers are compared on the same protocol.
    config = config.replace(listen, f"{listen}\n        listen 127.0.0.1:{tls_port} ssl;\n"
                                     f"        ssl_protocols TLSv1.3;\n"
                                     f"        ssl_certificate {cert};\n        ssl_certificate_key {key};")
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(config)
    process = subprocess.Popen(["taskset", "-c", args.server_cpu, args.nginx, "-p", prefix + "/", "-c", conf,
                                "-e", os.path.join(prefix, "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    path = "/aftership/v4/trackings"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1)
        except urllib.error.HTTPError:
            break
        except Exception:
            time.sleep(0.05)
    return process, (f"http://127.0.0.1:{port}{path}", f"https://127.0.0.1:{tls_port}{path}")


if __name__ == "__main__":
    main()
