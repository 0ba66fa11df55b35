"""Faultline's MCP endpoint through the official Python client (`mcp`), as a coding agent meets
it: list the tools, call each, and check what each one did to the server over plain HTTP.
One line per check; exits 1 on the first failure.

    python checks/mcp_check.py --faultline .build/release/faultline
"""

import argparse
import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import anyio
import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

TOKEN = "agent-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except urllib.error.URLError as error:
        return 0, str(error.reason)


def check(condition, what):
    if not condition:
        print(f"FAIL {what}")
        sys.exit(1)
    print(f"ok   {what}")


async def run(base):
    key = {"X-API-Key": "agent-key"}
    # The admin token goes with every request, as an agent's configured header would.
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    async with http, streamable_http_client(f"{base}/__faultline/mcp", http_client=http) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            check(init.server_info.name == "faultline", f"initialize: {init.server_info.name} {init.server_info.version}, protocol {init.protocol_version}")
            tools = {tool.name: tool for tool in (await session.list_tools()).tools}
            expected = {"list_scenarios", "set_scenario", "clear_scenario", "get_requests", "get_verdicts", "get_state", "reset", "move_clock", "reload"}
            check(set(tools) == expected, f"tools/list: {sorted(tools)}")

            async def call(name, arguments):
                result = await session.call_tool(name, arguments)
                return result.is_error, json.loads(result.content[0].text)

            error, listing = await call("list_scenarios", {"vendor": "generic"})
            names = {s["name"] for v in listing["vendors"] for e in v["endpoints"] for s in e["scenarios"]}
            check(not error and "RATE_LIMIT_EXCEEDED" in names, "list_scenarios finds generic's RATE_LIMIT_EXCEEDED")
            error, _ = await call("list_scenarios", {"vendor": "nobody"})
            check(error, "list_scenarios of an unknown vendor is a tool error")

            error, _ = await call("set_scenario", {"scenario": "RATE_LIMIT_EXCEEDED", "vendor": "generic", "client": "agent-key"})
            status, body = get(f"{base}/generic/api/v1/users", key)
            check(not error and status == 429 and "RATE_LIMIT_EXCEEDED" in body, f"set_scenario: the client's next request answers {status}")
            status, _ = get(f"{base}/generic/api/v1/users", {"X-API-Key": "other-key"})
            check(status == 200, f"set_scenario for one client leaves another alone ({status})")
            error, _ = await call("clear_scenario", {"vendor": "generic", "client": "agent-key"})
            status, _ = get(f"{base}/generic/api/v1/users", key)
            check(not error and status == 200, f"clear_scenario: the next request answers {status}")

            error, journal = await call("get_requests", {"client": "agent-key", "answers": True})
            statuses = [entry["status"] for entry in journal["requests"]]
            check(not error and statuses == [429, 200], f"get_requests shows the client's two requests: {statuses}")
            status, body = get(f"{base}/generic/api/v1/users/u_404?scenario=RESOURCE_NOT_FOUND", key)
            error, journal = await call("get_requests", {"client": "agent-key", "answers": True, "limit": 1})
            answer = journal["requests"][0].get("answer", {})
            check(not error and answer.get("status") == 404 and answer.get("body") == body, "get_requests with answers gives the answer as served, byte for byte")

            error, verdicts = await call("get_verdicts", {"client": "agent-key"})
            check(not error and "verdict" in verdicts, f"get_verdicts: {verdicts['verdict']}")

            body = json.dumps({"user_id": "u_agent", "email": "agent@example.com"}).encode()
            request = urllib.request.Request(f"{base}/generic/api/v1/users", data=body, headers={**key, "Content-Type": "application/json"}, method="POST")
            with urllib.request.urlopen(request, timeout=5) as response:
                check(response.status == 201, "a user stored through the API")
            error, state = await call("get_state", {"client": "agent-key", "vendor": "generic"})
            users = state["vendors"]["generic"]["users"]
            check(not error and [u["user_id"] for u in users] == ["u_agent"], "get_state shows the stored user")
            error, _ = await call("reset", {"client": "agent-key"})
            error, state = await call("get_state", {"client": "agent-key", "vendor": "generic"})
            check(not error and state["vendors"]["generic"]["users"] == [], "reset forgets the client's user")

            error, clock = await call("move_clock", {"advance": "24h"})
            check(not error and clock["aheadSeconds"] == 86400, f"move_clock advances a day: {clock['aheadSeconds']}")
            error, clock = await call("move_clock", {"reset": True})
            check(not error and clock["aheadSeconds"] == 0, "move_clock resets to real time")

            error, reload = await call("reload", {})
            check(not error and reload["reloaded"] is True, f"reload: {reload['vendors']}")

            try:
                await session.call_tool("no_such_tool", {})
                check(False, "an unknown tool is refused")
            except Exception as refusal:
                check("Unknown tool" in str(refusal), f"an unknown tool is refused: {refusal}")

    status, _ = get(f"{base}/__faultline/mcp")
    check(status in (401, 405), f"GET of the endpoint without the token answers {status}")
    status, _ = get(f"{base}/__faultline/mcp", {"Authorization": f"Bearer {TOKEN}"})
    check(status == 405, f"GET with the token answers {status} (no event stream)")


@contextlib.contextmanager
def faultline(binary, scenarios, token):
    """`faultline serve` on a free port with an admin token, until the block ends: its base URL."""
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--scenarios", scenarios, "--port", str(port), "--admin-token", token],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while get(f"{base}/__faultline/health")[0] != 200:
            if time.monotonic() > deadline:
                raise SystemExit("faultline did not start")
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--faultline", default=".build/release/faultline")
    parser.add_argument("--scenarios", default="Scenarios")
    args = parser.parse_args()
    with faultline(args.faultline, args.scenarios, TOKEN) as base:
        anyio.run(run, base)
    print("mcp: every check passed")


if __name__ == "__main__":
    main()
