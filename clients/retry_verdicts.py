"""urllib3's Retry, configured well and badly, judged by Faultline's retry verdicts
(GET /__faultline/verdicts). urllib3's waits move the emulation's clock (POST /__faultline/clock)
instead of sleeping, so a 60-second Retry-After costs nothing and still counts as waited."""

import json
import time
import urllib.request
import uuid

import requests
import urllib3
import urllib3.util.retry
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from harness import expect, expect_equal
from retry_stacks import LABEL, PROBES

CLIENT = f"urllib3 {urllib3.__version__} Retry judged by /__faultline/verdicts"

# What a careful team configures: Retry-After respected, exponential backoff, 4xx not retried.
WELL = dict(total=5, backoff_factor=0.5, status_forcelist=[429, 500, 502, 503, 504], respect_retry_after_header=True, allowed_methods=None)
# What breaks in production: 400 in the force list, no backoff, Retry-After ignored.
BADLY = dict(total=5, backoff_factor=0, status_forcelist=[400, 429, 500, 502, 503, 504], respect_retry_after_header=False,
             allowed_methods=None, raise_on_status=False)


class EmulationClock:
    """Stands in for the `time` module inside urllib3's retry logic: a wait advances Faultline's clock."""

    def __init__(self, server):
        self.server = server
        self.waits = []

    def sleep(self, seconds):
        self.waits.append(seconds)
        advance(self.server, seconds)

    def __getattr__(self, name):
        return getattr(time, name)


def admin(server, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{server.main_port}/__faultline{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def advance(server, seconds):
    if seconds > 0:
        admin(server, "POST", "/clock", {"advance": seconds})


def verdict(server, key):
    clients = admin(server, "GET", f"/verdicts?client={key}")["clients"]
    return clients[0] if clients else {"verdict": "pass", "findings": []}


def rules(found):
    return [finding["rule"] for finding in found["findings"]]


def session(server, settings):
    clock = EmulationClock(server)
    urllib3.util.retry.time = clock
    http = requests.Session()
    http.mount("http://", HTTPAdapter(max_retries=Retry(**settings)))
    return http, clock


def cases(server):
    def judged(vendor, scenario, settings, expected_rules, outcome):
        def case():
            key = server.fresh_key()
            method, path, headers, body = PROBES[vendor]
            http, clock = session(server, settings)
            try:
                answer = http.request(method, server.url(vendor) + path, headers={**headers(key), "X-Faultline-Scenario": scenario}, json=body)
                final = answer.status_code
            except requests.exceptions.RetryError as error:
                final = f"gave up ({type(error).__name__})"
            found = verdict(server, key)
            expect_equal(sorted(rules(found)), sorted(expected_rules), f"the findings ({json.dumps(found['findings'])[:600]})")
            expect_equal(found["verdict"], outcome, "the verdict")
            waits = ", ".join(f"{w:g}" for w in clock.waits) or "none"
            return f"{scenario}: final {final}, waits {waits} s → {outcome} {rules(found)}"
        return case

    def new_key_per_attempt():
        # The hand-written loop that makes a fresh idempotency key for every attempt: after a 500
        # the vendor cannot tell the retry from a new label.
        key = server.fresh_key()
        method, path, headers, _ = PROBES["flexforward"]
        statuses = []
        for attempt in range(3):
            body = {**LABEL, "idempotencyKey": str(uuid.uuid4())}
            answer = requests.post(server.url("flexforward") + path, headers={**headers(key), "X-Faultline-Scenario": "flaky"}, json=body)
            statuses.append(answer.status_code)
            if answer.status_code < 500:
                break
            advance(server, 2 ** attempt)
        found = verdict(server, key)
        expect("new-key-on-retry" in rules(found), f"the findings {rules(found)}")
        expect_equal(found["verdict"], "fail", "the verdict")
        return f"statuses {statuses} → fail {rules(found)}"

    return [
        ("well configured: waits Retry-After out (generic throttled)", judged("generic", "throttled", WELL, ["waited-as-told"], "pass")),
        ("well configured: backs off (generic flaky)", judged("generic", "flaky", WELL, ["backed-off"], "pass")),
        ("well configured: same idempotencyKey on retry (flexforward flaky)", judged("flexforward", "flaky", WELL, ["reused-key", "backed-off"], "pass")),
        ("well configured: does not retry a 400", judged("generic", "400", WELL, ["gave-up"], "pass")),
        ("badly configured: ignores Retry-After (generic throttled)", judged("generic", "throttled", BADLY, ["ignored-wait"], "fail")),
        ("badly configured: retries a 400 to the end", judged("generic", "400", BADLY, ["retried-non-retryable", "over-budget"], "fail")),
        ("badly configured: no backoff (generic 500*4,default)", judged("generic", "500*4,default", BADLY, ["no-backoff"], "warn")),
        ("a new idempotency key per attempt (flexforward flaky)", new_key_per_attempt),
    ]
