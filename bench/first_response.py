#!/usr/bin/env python3
"""Time from spawning a server process to its first complete HTTP response.

Usage:
    first_response.py --port P --path /x --expect-status 429 \
        --pidfile FILE --log FILE [--runs N] [--timeout S] -- CMD [ARGS...]

The command is spawned ``--runs`` times (in its own session / process group).
For each run the clock starts right before the spawn, and the script then
polls connect + ``GET`` in a tight loop (about 1 ms sleep between failed
attempts) until a complete response with the expected status arrives.
All runs but the last are stopped again (SIGTERM to the process group, then
SIGKILL); the last one is left running so the caller can benchmark it.
The pid of the current child is written to ``--pidfile`` right after every
spawn, so a caller's cleanup trap can always find it.

Prints ``key=value`` lines on stdout:
    startup_ms=<median>  startup_ms_min=  startup_ms_max=  startup_ms_all=a,b,c
    pid=<pid of the server left running>
"""

import argparse
import os
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

HOST = "127.0.0.1"


def http_get(port: int, path: str, timeout: float):
    """Return the status of one complete response, or None if none (yet)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Close with RST: no TIME_WAIT left behind on either side, so a restarted
    # server can always rebind the same port.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(timeout)
    try:
        s.connect((HOST, port))
        s.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                "User-Agent: faultline-bench\r\nAccept: */*\r\n\r\n"
            ).encode("ascii")
        )
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                return None
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        parts = lines[0].split()
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
            return None
        status = int(parts[1])
        length = None
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        # Read the whole body: "first response" means a complete one.
        while True:
            if chunked:
                if body.endswith(b"0\r\n\r\n"):
                    break
            elif length is not None:
                if len(body) >= length:
                    break
            chunk = s.recv(65536)
            if not chunk:
                if chunked or length is not None:
                    return None  # truncated
                break  # body delimited by EOF
            body += chunk
        return status
    except (OSError, ValueError):
        return None
    finally:
        s.close()


def port_in_use(port: int) -> bool:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(0.2)
    try:
        s.connect((HOST, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    # Children (e.g. nginx workers) may outlive the leader by a moment.
    for _ in range(500):
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--expect-status", type=int, required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="give up on one run after this many seconds")
    ap.add_argument("--sleep", type=float, default=0.001,
                    help="sleep between failed polls (seconds)")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command given")

    times = []
    proc = None
    for run in range(a.runs):
        if port_in_use(a.port):
            print(f"first_response: port {a.port} is already in use before spawn",
                  file=sys.stderr)
            return 1
        logf = open(a.log, "ab")
        logf.write(f"--- first_response run {run + 1}/{a.runs}: {' '.join(cmd)}\n".encode())
        logf.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf,
                                stderr=logf, start_new_session=True)
        logf.close()
        with open(a.pidfile, "w") as f:
            f.write(f"{proc.pid}\n")
        last_status = None
        while True:
            status = http_get(a.port, a.path, timeout=1.0)
            if status == a.expect_status:
                elapsed = (time.perf_counter() - t0) * 1000.0
                break
            if status is not None:
                last_status = status
            if proc.poll() is not None:
                print(f"first_response: process exited with code {proc.returncode} "
                      f"before answering (see {a.log})", file=sys.stderr)
                return 1
            if time.perf_counter() - t0 > a.timeout:
                print(f"first_response: no {a.expect_status} response within "
                      f"{a.timeout}s (last status seen: {last_status})", file=sys.stderr)
                stop(proc)
                return 1
            time.sleep(a.sleep)
        times.append(elapsed)
        if run < a.runs - 1:
            stop(proc)

    print(f"startup_ms={statistics.median(times):.2f}")
    print(f"startup_ms_min={min(times):.2f}")
    print(f"startup_ms_max={max(times):.2f}")
    print("startup_ms_all=" + ",".join(f"{t:.2f}" for t in times))
    print(f"pid={proc.pid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
