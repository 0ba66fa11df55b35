"""The conformance suite's plumbing: one Faultline process serving every vendor at the root of
a port of its own (`--listen`), a fresh API key per walk, and one printed line per case."""

import os
import socket
import subprocess
import sys
import time
import traceback
import urllib.request

VENDORS = ["aftership", "trackbot", "flexforward", "generic", "price2b"]
KEY_COUNT = 64


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`faultline serve` on free ports; keys are declared so that a wrong one is refused."""

    def __init__(self, binary, scenarios):
        self.binary = binary
        self.scenarios = scenarios
        self.main_port = free_port()
        self.ports = {vendor: free_port() for vendor in VENDORS}
        self.keys = [f"ck-{i:02d}" for i in range(KEY_COUNT)]
        self._next_key = 0
        self.process = None

    def fresh_key(self):
        """A valid key no other case has used: its own rate-limit bucket, trackings and sequences."""
        key = self.keys[self._next_key]
        self._next_key += 1
        return key

    def url(self, vendor):
        return f"http://127.0.0.1:{self.ports[vendor]}"

    def start(self, log_path):
        env = dict(os.environ)
        listed = ",".join(self.keys)
        for variable in ["FAULTLINE_AFTERSHIP_KEYS", "FAULTLINE_TRACKBOT_TOKENS", "FAULTLINE_FLEXFORWARD_TOKENS",
                         "FAULTLINE_GENERIC_KEYS", "FAULTLINE_PRICE2B_TOKENS"]:
            env[variable] = listed
        arguments = [self.binary, "serve", "--scenarios", self.scenarios, "--port", str(self.main_port),
                     # Vendors whose own windows are a minute get a limit of seconds, for the retry stacks to wait out.
                     "--rate-limit", "generic=5/3s", "--rate-limit", "price2b.standard=3/2s"]
        for vendor, port in self.ports.items():
            arguments += ["--listen", f"{vendor}={port}"]
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(arguments, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.main_port}/__faultline/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("faultline did not become healthy in 30 s; see " + log_path)

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.log.close()


class Check(AssertionError):
    pass


def expect(condition, message):
    if not condition:
        raise Check(message)


def expect_equal(actual, expected, what):
    if actual != expected:
        raise Check(f"{what}: expected {expected!r}, got {actual!r}")


def raises(exception_type, call):
    """The exception `call` raised, which must be an `exception_type`."""
    try:
        result = call()
    except exception_type as error:
        return error
    except Exception as error:  # noqa: BLE001 - reported as the failure it is
        raise Check(f"expected {exception_type.__name__}, got {type(error).__name__}: {error}")
    raise Check(f"expected {exception_type.__name__}, got a result: {str(result)[:200]}")


def header(headers, name):
    """A response header's first value from the dict-of-lists the AfterShip SDK keeps."""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else value
    return None


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, client, name, case):
        started = time.monotonic()
        try:
            detail = case()
        except Exception as error:  # noqa: BLE001 - every failure is one line, then the suite goes on
            self.failed += 1
            where = traceback.extract_tb(error.__traceback__)[-1]
            print(f"FAIL  {client:<32} {name}: {type(error).__name__}: {error} ({os.path.basename(where.filename)}:{where.lineno})", flush=True)
            return
        self.passed += 1
        took = time.monotonic() - started
        print(f"ok    {client:<32} {name}: {detail}" + (f" ({took:.1f} s)" if took >= 1 else ""), flush=True)


def pace(seconds=0.12):
    """A real client stays under AfterShip's 10 requests a second; so does a walk."""
    time.sleep(seconds)


def main_exit(runner):
    print(f"{runner.passed} passed, {runner.failed} failed", flush=True)
    sys.exit(1 if runner.failed else 0)
