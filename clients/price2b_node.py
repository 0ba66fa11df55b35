"""Price2b's documented `apiRequest` error handler, run by node against the Price2b port."""

import json
import os
import shutil
import subprocess

from harness import expect, expect_equal

CLIENT = "price2b apiRequest (node fetch)"


def cases(server):
    outcome = {}

    def run_node():
        node = shutil.which("node") or shutil.which("nodejs")
        expect(node is not None, "node is not installed")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "price2b_api_request.mjs")
        env = {**os.environ, "PRICE2B_BASE_URL": server.url("price2b"), "PRICE2B_TOKEN": server.fresh_key(), "PRICE2B_BURST_TOKEN": server.fresh_key()}
        done = subprocess.run([node, script], env=env, capture_output=True, text=True, timeout=120)
        expect(done.returncode == 0, f"node exited {done.returncode}: {done.stderr.strip()[-500:]}")
        outcome.update(json.loads(done.stdout))
        return f"{subprocess.run([node, '--version'], capture_output=True, text=True).stdout.strip()} ran the handler"

    def rate_limited():
        expect(outcome, "node did not run")
        expect(all(step["ok"] for step in outcome["burst"]), f"a request of the burst failed: {outcome['burst']}")
        expect(outcome["waits"], "RATE_001 never came: the handler never waited")
        expect(all(0 < wait <= 2000 for wait in outcome["waits"]), f"waits {outcome['waits']} ms are not the limit's retry_after")
        return f"5 requests against 3/2s all succeeded; RATE_001 made it wait {outcome['waits']} ms (retry_after × 1000) and retry"

    def auth():
        expect(outcome, "node did not run")
        expect_equal((outcome["auth"]["ok"], outcome["auth"]["message"]), (False, "Invalid API token"), "AUTH_001 outcome")
        return "AUTH_001 → Error('Invalid API token')"

    def validation():
        expect(outcome, "node did not run")
        failure = outcome["validation"]
        expect_equal((failure["ok"], failure["name"]), (False, "ValidationError"), "VAL_001 outcome")
        expect(failure["errors"] and "destination" in failure["errors"], f"errors {failure['errors']}")
        return f"VAL_001 → ValidationError on {sorted(failure['errors'])}"

    return [("node runs apiRequest", run_node), ("RATE_001 waits retry_after and retries", rate_limited),
            ("AUTH_001 raises", auth), ("VAL_001 raises", validation)]
