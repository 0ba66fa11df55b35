"""The generic retry stack users put in front of any vendor: requests with urllib3's
Retry(status_forcelist=[429, 500, 502, 503, 504], respect_retry_after_header=True,
allowed_methods=None). urllib3 retries a 429/503 only when it carries Retry-After, and raises on
a value that is neither whole seconds nor an HTTP date."""

import json
import re
import time
import urllib.request

import requests
import urllib3
import urllib3.util.retry
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from harness import expect, expect_equal

CLIENT = f"requests {requests.__version__} + urllib3 {urllib3.__version__} Retry"
# Waits up to this long are really slept; a longer Retry-After (60 s, as Price2b and the generic
# API document for a throttled answer) is recorded and asserted instead, to keep CI short.
LONGEST_REAL_WAIT = 3.0


class RecordingClock:
    """Stands in for the `time` module inside urllib3's retry logic: records every wait."""

    def __init__(self):
        self.waits = []

    def sleep(self, seconds):
        self.waits.append(seconds)
        if seconds <= LONGEST_REAL_WAIT:
            time.sleep(seconds)

    def __getattr__(self, name):
        return getattr(time, name)


def session(clock):
    urllib3.util.retry.time = clock
    retry = Retry(total=5, status_forcelist=[429, 500, 502, 503, 504], respect_retry_after_header=True, allowed_methods=None)
    http = requests.Session()
    http.mount("http://", HTTPAdapter(max_retries=retry))
    return http


# One request per vendor that succeeds when nothing is forced, with that vendor's credential.
CONTACT = {"firstName": "Ada", "lastName": "Lovelace", "phone": "+15555550100", "email": "ada@example.com"}
LABEL = {
    "idempotencyKey": "retry-stack", "courier": "yunexpress",
    "service": {"shipperAccountId": "6f1c0e36-6a8f-4e43-9f3c-3f7b1c0b7a11", "productCode": "STD"},
    "shipment": {
        "shipTo": {"contact": CONTACT, "address": {"streetLines": ["1 Main St"], "city": "Los Angeles", "state": "CA", "postalCode": "10001", "countryCode": "US"}},
        "shipFrom": {"contact": CONTACT, "address": {"streetLines": ["8 Keji Rd"], "city": "Shenzhen", "state": "GD", "postalCode": "518000", "countryCode": "CN"}},
        "parcels": [{"weight": 1.2, "dimension": {"length": 10, "width": 10, "height": 5},
                     "items": [{"descriptionEn": "Mouse", "quantity": 1, "unitPrice": {"amount": 12.5, "currency": "USD"}, "unitWeight": 0.2}]}],
    },
    "order": {"customerOrderNumber": "ORDER-7"},
}
PROBES = {
    "aftership": ("GET", "/v4/couriers", lambda key: {"aftership-api-key": key}, None),
    "trackbot": ("GET", "/v1/couriers", lambda key: {"Authorization": f"Bearer {key}"}, None),
    # allowed_methods=None: urllib3 retries a POST too (the label's idempotencyKey makes that safe).
    "flexforward": ("POST", "/labels", lambda key: {"Authorization": f"Bearer {key}"}, LABEL),
    "generic": ("GET", "/api/v1/users", lambda key: {"Authorization": f"Bearer {key}"}, None),
    "price2b": ("GET", "/api/v1/orders", lambda key: {"Authorization": f"Bearer {key}", "Accept": "application/json"}, None),
}
SEQUENCES = {"aftership": ["throttled", "flaky"], "trackbot": ["throttled", "flaky"], "flexforward": ["flaky"],
             "generic": ["throttled", "flaky"], "price2b": ["throttled", "flaky"]}


def journal(server, key):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.main_port}/__faultline/requests?client={key}") as response:
        return json.load(response)["requests"]


def cases(server):
    def through(vendor, sequence):
        def case():
            key = server.fresh_key()
            method, path, headers, body = PROBES[vendor]
            clock = RecordingClock()
            started = time.monotonic()
            answer = session(clock).request(method, server.url(vendor) + path, headers={**headers(key), "X-Faultline-Scenario": sequence}, json=body)
            expect(answer.status_code in (200, 201), f"final status {answer.status_code}: {answer.text[:200]}")
            statuses = [entry["status"] for entry in journal(server, key)]
            expect_equal(len(statuses), 3, f"requests Faultline saw ({statuses})")
            expect_equal(statuses[-1], answer.status_code, "the last answer")
            if sequence == "throttled":
                expect_equal(statuses[:2], [429, 429], "the throttled answers")
                expect(len(clock.waits) == 2 and all(w >= 1 for w in clock.waits), f"waits {clock.waits}")
                slept = [w for w in clock.waits if w <= LONGEST_REAL_WAIT]
                return f"429, 429 (waited Retry-After {clock.waits} s{', recorded' if len(slept) < 2 else ''}), then {answer.status_code} in {time.monotonic() - started:.1f} s"
            expect(all(s >= 500 for s in statuses[:2]), f"the flaky answers {statuses}")
            return f"{statuses[0]}, {statuses[1]}, then {answer.status_code}"
        return case

    def real_limit(vendor, burst):
        def case():
            key = server.fresh_key()
            method, path, headers, body = PROBES[vendor]
            clock = RecordingClock()
            http = session(clock)
            started = time.monotonic()
            statuses = [http.request(method, server.url(vendor) + path, headers=headers(key), json=body).status_code for _ in range(burst)]
            expect_equal(set(statuses), {200}, "every request's final status")
            throttled = [entry for entry in journal(server, key) if entry["status"] == 429]
            expect(throttled, "the limit was never reached")
            expect(clock.waits and all(w <= LONGEST_REAL_WAIT for w in clock.waits), f"waits {clock.waits}")
            return f"{burst} requests all 200; {len(throttled)} 429s waited out ({clock.waits} s) in {time.monotonic() - started:.1f} s"
        return case

    def every_retryable_answer_has_integer_retry_after():
        with urllib.request.urlopen(f"http://127.0.0.1:{server.main_port}/__faultline/scenarios") as response:
            listing = json.load(response)
        checked = 0
        for vendor in listing["vendors"]:
            name = vendor["vendor"]
            credential = PROBES[name][2]
            # Base path parameters take an allowed value (AfterShip's API version); others any.
            allowed = vendor.get("basePathParameters", {})
            for endpoint in vendor["endpoints"]:
                for scenario in endpoint["scenarios"]:
                    if scenario["status"] not in (429, 503):
                        continue
                    path = re.sub(r"\{([^}]+)\}", lambda m: allowed.get(m.group(1), ["1"])[-1], endpoint["paths"][0])
                    answer = requests.request(endpoint["method"], f"http://127.0.0.1:{server.main_port}{path}",
                                              headers={**credential(server.keys[-1]), "X-Faultline-Scenario": scenario["name"], "Content-Type": "application/json"},
                                              data="{}" if endpoint["method"] in ("POST", "PUT", "PATCH") else None)
                    value = answer.headers.get("Retry-After")
                    expect(answer.status_code == scenario["status"], f"{name} {endpoint['id']} {scenario['name']}: status {answer.status_code}")
                    expect(value is not None and re.fullmatch(r"[0-9]+", value), f"{name} {endpoint['id']} {scenario['name']}: Retry-After {value!r}")
                    checked += 1
        expect(checked > 0, "no 429 or 503 in the catalog")
        return f"{checked} answers (every 429/503 of every endpoint) carry whole-second Retry-After"

    result = [("every 429/503 has an integer Retry-After", every_retryable_answer_has_integer_retry_after)]
    for vendor, sequences in SEQUENCES.items():
        for sequence in sequences:
            result.append((f"{vendor} {sequence}", through(vendor, sequence)))
    result.append(("aftership real limit (10/s)", real_limit("aftership", 14)))
    result.append(("generic real limit (--rate-limit generic=5/3s)", real_limit("generic", 7)))
    return result
