#!/usr/bin/env python3
"""Where one answer kind's instructions go: a callgrind profile of N keep-alive requests only
(instrumentation is switched on after 20 warm-up requests and off before shutdown), then the
functions by inclusive cost and the callers of retain/release, both per request.

    strip --strip-debug -o /tmp/bin .build/release/faultline
    python3 bench/hotspots.py --binary /tmp/bin [--kind 0] [--requests 2000] [--out /tmp/p.out]
        [--callees 'ScenarioEngine.respond'] [--top 40]

Kinds are bench/callgrind.py's (0 static 429, 1 200 with auth, 2 validation error, 3 stateful
list, 4 the list gzip'd, 5 the 429 over HTTPS). `--callees REGEX` lists what the functions
whose demangled names match call, per request. Run from the repository root (the bundled
Scenarios/ are served). The output file stays for `callgrind_annotate`.
"""

import argparse
import collections
import re
import signal
import subprocess

import callgrind as cg

REFCOUNT = re.compile(r"^swift_(bridgeObject|unknownObject)?([Rr]etain|[Rr]elease)(_n)?$")


def profile(binary, kind, requests, out):
    name, method, path, headers, body, flags, tls = cg.KINDS[kind]
    server, connection = cg.serve_under_callgrind(binary, "Scenarios", flags, out, tls=tls, instrument=False)
    request = cg.request_bytes(method, path, headers, body)

    def one():
        cg.exchange(server, connection, request)

    for _ in range(20):
        one()
    subprocess.run(["callgrind_control", "-i", "on", str(server.pid)], stdout=subprocess.DEVNULL, check=True)
    for _ in range(requests):
        one()
    subprocess.run(["callgrind_control", "-i", "off", str(server.pid)], stdout=subprocess.DEVNULL, check=True)
    connection.close()
    server.send_signal(signal.SIGTERM)
    server.wait()
    return name


def demangle(names):
    result = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(names), capture_output=True, text=True)
    lines = result.stdout.splitlines() if result.returncode == 0 else []
    return lines if len(lines) == len(names) else list(names)


def read_calls(out):
    """Self cost per function, and (caller, callee) -> (calls, inclusive cost)."""
    names, self_cost, calls = {}, collections.Counter(), collections.defaultdict(lambda: [0, 0])
    function = callee = None
    pending = None
    for line in open(out):
        match = re.match(r"(c?fn)=\((\d+)\)(?: (.*))?", line)
        if match:
            kind, number, text = match.groups()
            if text:
                names[number] = text.strip()
            if kind == "fn":
                function = names.get(number)
            else:
                callee = names.get(number)
            continue
        match = re.match(r"calls=(\d+)", line)
        if match:
            pending = int(match.group(1))
            continue
        match = re.match(r"^(?:[+-]?\d+|\*)\s+(\d+)", line)
        if match and function:
            cost = int(match.group(1))
            if pending is not None:
                entry = calls[(function, callee)]
                entry[0] += pending
                entry[1] += cost
                pending = None
            else:
                self_cost[function] += cost
    return self_cost, calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--kind", type=int, default=0)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--out", default="/tmp/faultline-profile.out")
    parser.add_argument("--callees", default=None)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()

    name = profile(args.binary, args.kind, args.requests, args.out)
    n = args.requests
    total = next(int(l.split()[1]) for l in open(args.out) if l.startswith("totals:"))
    self_cost, calls = read_calls(args.out)
    print(f"{name}: {total / n:,.0f} instructions a request ({n} requests; profile in {args.out})\n")

    inclusive = collections.Counter(self_cost)
    for (caller, _), (_, cost) in calls.items():
        inclusive[caller] += cost
    top = inclusive.most_common(args.top)
    print("inclusive per request, self per request, function")
    for (function, cost), shown in zip(top, demangle([f for f, _ in top])):
        print(f"{cost / n:10,.0f} {self_cost[function] / n:8,.0f}  {shown[:150]}")

    refcount = collections.Counter()
    for (caller, callee), (count, _) in calls.items():
        if callee and REFCOUNT.match(callee) and not REFCOUNT.match(caller or ""):
            refcount[caller] += count
    print(f"\nretains and releases a request, called directly: {sum(refcount.values()) / n:.1f}; by caller:")
    top = refcount.most_common(args.top)
    for (function, count), shown in zip(top, demangle([f for f, _ in top])):
        print(f"{count / n:7.1f}  {shown[:150]}")

    if args.callees:
        pattern = re.compile(args.callees)
        every = list(inclusive)
        for function, shown in zip(every, demangle(every)):
            if not pattern.search(function) and not pattern.search(shown):
                continue
            print(f"\n{shown[:150]}: {inclusive[function] / n:,.0f} inclusive, {self_cost[function] / n:,.0f} self")
            callees = sorted(((cost, count, callee) for (caller, callee), (count, cost) in calls.items() if caller == function), reverse=True)
            for (cost, count, callee), shown_callee in zip(callees, demangle([c for _, _, c in callees])):
                print(f"  {cost / n:8,.0f}  {count / n:5.1f}×  {shown_callee[:140]}")


if __name__ == "__main__":
    main()
