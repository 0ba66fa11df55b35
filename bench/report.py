#!/usr/bin/env python3
"""Build the Faultline-vs-nginx comparison table from the files run.sh wrote.

Usage: report.py RESULTS_DIR OUTPUT_MD

RESULTS_DIR holds, for NAME in (faultline, nginx) and each round R (1, 2, ...):
    NAME.ka.R.txt     wrk -c50 keep-alive output (with --latency)
    NAME.close.R.txt  wrk -c50 'Connection: close' output
    NAME.c1000.R.txt  wrk -c1000 output
    NAME.kv           key=value lines (startup_ms*, idle_rss_kb, peak_rss_kb, ...)
and meta.kv (key=value: date, url_*, duration, rounds, ...).
A measured row gives each server's median over the rounds and, as the ratio, the median of
the per-round ratios (each round runs the two servers seconds apart), the rounds' ratios
beside it. The markdown table goes to stdout and to OUTPUT_MD (with the raw wrk output
appended in a collapsed section).
"""

import os
import re
import subprocess
import sys

SERVERS = ("faultline", "nginx")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def read_kv(path):
    kv = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" in line:
                    k, _, v = line.partition("=")
                    kv[k.strip()] = v.strip()
    return kv


def parse_wrk(path):
    """Return a dict of what wrk printed, or {} if the file is missing."""
    if not os.path.exists(path):
        return {}
    text = open(path).read()
    r = {"raw": text}
    m = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    if m:
        r["rps"] = float(m.group(1))
    m = re.search(r"^\s*(\d+) requests in ([\d.]+\w+), ", text, re.M)
    if m:
        r["requests"] = int(m.group(1))
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)
        if m:
            r[f"p{pct}_ms"] = float(m.group(1)) * UNIT_MS[m.group(2)]
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        c, rd, w, t = (int(x) for x in m.groups())
        r["err_connect"], r["err_read"], r["err_write"], r["err_timeout"] = c, rd, w, t
    else:
        # wrk omits the line when every counter is zero.
        r["err_connect"] = r["err_read"] = r["err_write"] = r["err_timeout"] = 0
    r["socket_errors"] = r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"]
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    r["non2xx"] = int(m.group(1)) if m else 0
    return r


def rounds(rdir, server, test):
    """The parsed wrk output of every round of one test, in round order."""
    found = []
    for name in os.listdir(rdir):
        m = re.fullmatch(rf"{server}\.{test}\.(\d+)\.txt", name)
        if m:
            found.append((int(m.group(1)), parse_wrk(os.path.join(rdir, name))))
    return [d for _, d in sorted(found)]


def median(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def fmt(v, digits=2):
    if v is None:
        return "n/a"
    if isinstance(v, int):
        return f"{v:,}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def ratio(a, b):
    if a is None or b is None:
        return "n/a"
    if b == 0:
        return "1.00" if a == 0 else "inf"
    return f"{a / b:.2f}"


def machine():
    def sh(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return sh(["nproc"]), sh(["uname", "-r"]), model


def main():
    rdir, out = sys.argv[1], sys.argv[2]
    meta = read_kv(os.path.join(rdir, "meta.kv"))
    kv = {s: read_kv(os.path.join(rdir, f"{s}.kv")) for s in SERVERS}
    ka = {s: rounds(rdir, s, "ka") for s in SERVERS}
    close = {s: rounds(rdir, s, "close") for s in SERVERS}
    c1k = {s: rounds(rdir, s, "c1000") for s in SERVERS}

    def kvf(s, key, scale=1.0):
        v = kv[s].get(key)
        return float(v) * scale if v not in (None, "") else None

    def measured(runs, key, total=False):
        """Each server's median (or total) over the rounds, the median per-round ratio, and
        the per-round ratios."""
        per = {s: [d.get(key) for d in runs[s]] for s in SERVERS}
        if total:
            return {s: sum(v or 0 for v in per[s]) for s in SERVERS}, None, []
        pairs = [(f, n) for f, n in zip(per["faultline"], per["nginx"]) if f is not None and n]
        ratios = [f / n for f, n in pairs]
        return {s: median(per[s]) for s in SERVERS}, median(ratios), ratios

    dur = meta.get("duration", "?")
    c1k_dur = meta.get("c1000_duration", "5")
    rows = [
        (f"keep-alive req/s (-c50, {dur}s) ↑", *measured(ka, "rps")),
        ("keep-alive latency p50 (ms) ↓", *measured(ka, "p50_ms")),
        ("keep-alive latency p99 (ms) ↓", *measured(ka, "p99_ms")),
        ("keep-alive socket errors, all rounds ↓", *measured(ka, "socket_errors", total=True)),
        (f"Connection: close req/s (-c50, {dur}s) ↑", *measured(close, "rps")),
        ("Connection: close socket errors, all rounds ↓", *measured(close, "socket_errors", total=True)),
        ("spawn → first response, median (ms) ↓", {s: kvf(s, "startup_ms") for s in SERVERS}, None, []),
        ("spawn → first response, min (ms) ↓", {s: kvf(s, "startup_ms_min") for s in SERVERS}, None, []),
        ("idle RSS (MiB) ↓", {s: kvf(s, "idle_rss_kb", 1 / 1024) for s in SERVERS}, None, []),
        ("peak RSS, VmHWM after all load (MiB) ↓", {s: kvf(s, "peak_rss_kb", 1 / 1024) for s in SERVERS}, None, []),
        (f"1000 conns req/s (-c1000, {c1k_dur}s) ↑", *measured(c1k, "rps")),
        ("1000 conns socket errors, all rounds ↓", *measured(c1k, "socket_errors", total=True)),
    ]
    ka_rps = median([d.get("rps") for d in ka["faultline"]])
    close_rps = median([d.get("rps") for d in close["faultline"]])

    tls = parse_wrk(os.path.join(rdir, "faultline.tls.txt"))
    tls_close = parse_wrk(os.path.join(rdir, "faultline.tlsclose.txt"))
    plain = parse_wrk(os.path.join(rdir, "faultline.plain.txt"))
    gz = parse_wrk(os.path.join(rdir, "faultline.gzip.txt"))

    nproc, kernel, model = machine()
    lines = []
    lines.append("# Faultline vs nginx: 429 response benchmark")
    lines.append("")
    lines.append(f"- date: {meta.get('date', '?')}")
    lines.append(f"- machine: nproc={nproc}, kernel {kernel}, CPU: {model}")
    lines.append(f"- servers pinned to CPU {meta.get('server_cpu', '?')}, wrk pinned to CPU "
                 f"{meta.get('client_cpu', '?')}; {meta.get('wrk_version', 'wrk')}; "
                 f"{meta.get('nginx_version', 'nginx')} (worker_processes 1)")
    lines.append(f"- faultline: `{meta.get('faultline_bin', '?')}` — {meta.get('url_faultline', '?')}")
    lines.append(f"- nginx: {meta.get('url_nginx', '?')}")
    lines.append(f"- open-files limit during the run: {meta.get('nofile', '?')}; CPU busy "
                 f"before load (should be ~0%): {meta.get('idle_busy', '?')}")
    lines.append("")
    lines.append(f"{meta.get('rounds', '?')} rounds; a measured row's figures are each server's median over "
                 "them, its ratio the median of the rounds' ratios (listed after it).")
    lines.append("")
    lines.append("| metric | faultline | nginx | ratio (faultline/nginx) | rounds' ratios |")
    lines.append("|---|---:|---:|---:|---|")
    for name, vals, mid, ratios in rows:
        f, n = vals["faultline"], vals["nginx"]
        shown = f"{mid:.2f}" if mid is not None else ratio(f, n)
        lines.append(f"| {name} | {fmt(f)} | {fmt(n)} | {shown} | {', '.join(f'{r:.2f}' for r in ratios)} |")
    lines.append("")
    lines.append("↑ higher is better, ↓ lower is better. Every response is a 429, so wrk's "
                 "\"Non-2xx or 3xx responses\" is expected and not counted; socket errors = "
                 "connect + read + write + timeout.")
    lines.append("RSS is summed over the server process and its children (for nginx: master + "
                 "worker). Idle RSS is read after the first-response probe, before any load. "
                 f"Spawn → first response is the median over {meta.get('startup_runs', '?')} "
                 "spawns (1 ms poll interval).")
    if tls:
        lines.append("")
        lines.append(f"HTTPS (Faultline alone, the same 429 over TLS 1.3, self-signed P-256 certificate, -c50, {dur}s):")
        lines.append("")
        lines.append("| | HTTP req/s ↑ | HTTPS req/s ↑ | HTTPS / HTTP |")
        lines.append("|---|---:|---:|---:|")
        lines.append(f"| keep-alive (HTTP: the rounds' median) | {fmt(ka_rps)} | {fmt(tls.get('rps'))} | {ratio(tls.get('rps'), ka_rps)} |")
        if tls_close:
            lines.append(f"| Connection: close (a handshake per request) | {fmt(close_rps)} | {fmt(tls_close.get('rps'))} | {ratio(tls_close.get('rps'), close_rps)} |")
    if plain and gz:
        lines.append("")
        lines.append(f"Compression cost (Faultline alone, `GET /price2b/api/v1/orders`, keep-alive -c50, {dur}s):")
        lines.append("")
        lines.append("| | req/s ↑ | p50 (ms) ↓ | p99 (ms) ↓ | body bytes |")
        lines.append("|---|---:|---:|---:|---:|")
        lines.append(f"| plain | {fmt(plain.get('rps'))} | {fmt(plain.get('p50_ms'))} | {fmt(plain.get('p99_ms'))} | {kv['faultline'].get('plain_bytes', '?')} |")
        lines.append(f"| Accept-Encoding: gzip | {fmt(gz.get('rps'))} | {fmt(gz.get('p50_ms'))} | {fmt(gz.get('p99_ms'))} | {kv['faultline'].get('gzip_bytes', '?')} |")
        lines.append(f"| gzip / plain | {ratio(gz.get('rps'), plain.get('rps'))} | | | |")
    notes = []
    for s in SERVERS:
        times = kv[s].get("startup_ms_all")
        if times:
            notes.append(f"- {s} spawn → first response runs (ms): {times}")
        for label, runs in (("keep-alive", ka[s]), ("Connection: close", close[s]), ("1000 conns", c1k[s])):
            for number, d in enumerate(runs, 1):
                if d.get("socket_errors"):
                    notes.append(f"- {s} {label}, round {number}: socket errors connect {d['err_connect']}, "
                                 f"read {d['err_read']}, write {d['err_write']}, "
                                 f"timeout {d['err_timeout']}")
                if "requests" in d and d["non2xx"] != d["requests"]:
                    notes.append(f"- {s} {label}, round {number}: only {d['non2xx']:,} of {d['requests']:,} "
                                 "responses were non-2xx/3xx (expected all of them to be 429)")
        for k in ("idle_rss_kb_main", "peak_rss_kb_main"):
            if k in kv[s]:
                notes.append(f"- {s} {k.replace('_kb_main', '')} of the main process alone: "
                             f"{float(kv[s][k]) / 1024:.2f} MiB")
    if notes:
        lines.append("")
        lines.append("Details:")
        lines.extend(notes)
    table = "\n".join(lines) + "\n"
    sys.stdout.write(table)

    raw = ["", "<details><summary>raw wrk output</summary>", ""]
    for s in SERVERS:
        for label, runs in (("keep-alive", ka[s]), ("Connection: close", close[s]), ("1000 conns", c1k[s])):
            for number, d in enumerate(runs, 1):
                raw += [f"### {s}: {label}, round {number}", "", "```", d["raw"].rstrip(), "```", ""]
    raw.append("</details>")
    with open(out, "w") as f:
        f.write(table + "\n".join(raw) + "\n")


if __name__ == "__main__":
    main()
