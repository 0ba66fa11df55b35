"""aftership-tracking-sdk 10.0.1 (`import tracking`) against /tracking/2026-07, through its public
API only: every success body passes the SDK's own pydantic models, and every error raises the
class and ErrorCodeEnum the real API's answer would."""

import json
import time
import urllib.request
import warnings

import tracking
from tracking import exceptions
from tracking.exceptions import ErrorCodeEnum
from tracking.response import _error_meta_code_mapping, error_mapping

from harness import expect, expect_equal, header, pace, raises

CLIENT = "aftership-tracking-sdk 10.0.1"
warnings.filterwarnings("ignore", message="URL.raw is deprecated")


def sdk(server, key, **settings):
    return tracking.Client(tracking.Configuration(api_key=key, domain=server.url("aftership"), **settings))


def cases(server):
    walk = sdk(server, server.fresh_key())
    state = {}
    number = "1" + str(time.time_ns())[-9:]

    def create():
        created = walk.tracking.create_tracking({"tracking_number": number, "slug": "dhl", "title": "Order 1"})
        tracking_id = created.data.id
        expect(len(tracking_id) == 32, f"id {tracking_id!r} is not 32 characters")
        expect(created.data.legacy_id and len(created.data.legacy_id) == 24, f"legacy_id {created.data.legacy_id!r}")
        expect_equal(created.data.tracking_number, number, "tracking_number")
        state["id"] = tracking_id
        return f"201, id {tracking_id}, legacy_id {created.data.legacy_id}, tag {created.data.tag.value}"

    def get_by_id():
        pace()
        got = walk.tracking.get_tracking_by_id(state["id"])
        expect_equal(got.data.id, state["id"], "id")
        expect_equal(got.data.title, "Order 1", "title")
        return f"200, {got.data.slug} {got.data.tracking_number}"

    def update():
        pace()
        updated = walk.tracking.update_tracking_by_id(state["id"], {"title": "Order 1 (gift)", "destination_postal_code": "10115"})
        expect_equal(updated.data.title, "Order 1 (gift)", "title")
        expect_equal(updated.data.destination_postal_code, "10115", "destination_postal_code")
        return "200, title and destination_postal_code changed"

    def duplicate():
        pace()
        error = raises(exceptions.BadRequestError, lambda: walk.tracking.create_tracking({"tracking_number": number, "slug": "dhl"}))
        expect_equal(error.code, ErrorCodeEnum.TRACKING_ALREADY_EXIST, "code")
        expect_equal(error.status_code, 400, "status")
        return f"BadRequestError {error.code.name} (meta.code {error.meta_code})"

    def unknown_id():
        pace()
        error = raises(exceptions.BadRequestError, lambda: walk.tracking.get_tracking_by_id("0" * 32))
        expect_equal(error.code, ErrorCodeEnum.TRACKING_DOES_NOT_EXIST, "code")
        expect_equal(error.status_code, 404, "status")
        return f"BadRequestError {error.code.name}, HTTP 404"

    def retrack_active():
        pace()
        error = raises(exceptions.BadRequestError, lambda: walk.tracking.retrack_tracking_by_id(state["id"]))
        expect_equal(error.code, ErrorCodeEnum.INACTIVE_RETRACK_NOT_ALLOWED, "code")
        return f"BadRequestError {error.code.name}"

    def complete_then_retrack():
        pace()
        completed = walk.tracking.mark_tracking_completed_by_id(state["id"], {"reason": "DELIVERED"})
        expect_equal(completed.data.active, False, "active after mark-as-completed")
        expect_equal(completed.data.tag.value, "Delivered", "tag after mark-as-completed")
        pace()
        retracked = walk.tracking.retrack_tracking_by_id(state["id"])
        expect_equal(retracked.data.active, True, "active after retrack")
        return "mark-as-completed → Delivered, inactive; retrack → active again"

    def second_retrack():
        pace()
        walk.tracking.mark_tracking_completed_by_id(state["id"], {"reason": "LOST"})
        pace()
        error = raises(exceptions.BadRequestError, lambda: walk.tracking.retrack_tracking_by_id(state["id"]))
        expect_equal(error.code, ErrorCodeEnum.RETRACK_ONCE_ALLOWED, "code")
        return f"BadRequestError {error.code.name}"

    def list_trackings():
        pace()
        page = walk.tracking.get_trackings(limit=1)
        expect_equal(page.data.pagination.total, 1, "pagination.total")
        expect_equal(page.data.pagination.has_next_page, False, "has_next_page")
        expect_equal(page.data.trackings[0].id, state["id"], "listed id")
        return f"pagination total {page.data.pagination.total}, has_next_page {page.data.pagination.has_next_page}"

    def delete():
        pace()
        deleted = walk.tracking.delete_tracking_by_id(state["id"])
        expect_equal(deleted.data.id, state["id"], "deleted id")
        pace()
        raises(exceptions.BadRequestError, lambda: walk.tracking.get_tracking_by_id(state["id"]))
        return "200 with the deleted tracking; then TRACKING_DOES_NOT_EXIST"

    def missing_number():
        pace()
        error = raises(exceptions.BadRequestError, lambda: walk.tracking.create_tracking({"slug": "dhl"}))
        expect_equal(error.code, ErrorCodeEnum.TRACKING_NUMBER_REQUIRED, "code")
        return f"BadRequestError {error.code.name}"

    def wrong_key():
        error = raises(exceptions.UnauthorizedError, lambda: sdk(server, "not-a-key").courier.get_couriers())
        expect_equal(error.code, ErrorCodeEnum.API_KEY_INVALID, "code")
        expect_equal(error.status_code, 401, "status")
        return f"UnauthorizedError {error.code.name}"

    def burst():
        client = sdk(server, server.fresh_key())
        answered = 0
        for _ in range(30):
            try:
                client.courier.get_couriers()
                answered += 1
            except exceptions.TooManyRequestsError as error:
                expect_equal(error.code, ErrorCodeEnum.TOO_MANY_REQUEST, "code")
                expect_equal(header(error.response_header, "X-RateLimit-Limit"), "10", "X-RateLimit-Limit")
                expect_equal(header(error.response_header, "X-RateLimit-Remaining"), "0", "X-RateLimit-Remaining")
                reset = int(header(error.response_header, "X-RateLimit-Reset"))
                expect(abs(reset - time.time()) < 5, f"X-RateLimit-Reset {reset} is not epoch seconds")
                return f"TooManyRequestsError after {answered} answers, X-RateLimit-Limit 10, Remaining 0, Reset {reset}"
        raise AssertionError("30 requests in a burst never got 429")

    def flaky_retry():
        # The SDK retries 5xx by itself (3 s × 2^n ± jitter, max_retry 2): 500, 500, then the answer.
        client = sdk(server, server.fresh_key())
        started = time.monotonic()
        couriers = client.courier.get_couriers(headers={"X-Faultline-Scenario": "flaky"})
        expect(couriers.data.total >= 1, "no couriers after the retries")
        return f"two 500s ridden through by the SDK's own retry in {time.monotonic() - started:.1f} s"

    def get_couriers():
        couriers = sdk(server, server.fresh_key()).courier.get_couriers()
        fields = {field.value for courier in couriers.data.couriers for field in (courier.required_fields or [])}
        expect("destination_postal_code" in fields, f"required_fields {fields}")
        return f"{couriers.data.total} couriers, required_fields {sorted(fields)}"

    def detect_courier():
        detected = sdk(server, server.fresh_key()).courier.detect_courier({"tracking_number": "1234567890"})
        expect(detected.data.total >= 1 and detected.data.couriers[0].slug, "nothing detected")
        return f"{detected.data.total} courier: {detected.data.couriers[0].slug}"

    return [
        ("create_tracking", create), ("get_tracking_by_id", get_by_id), ("update_tracking_by_id", update),
        ("create_tracking twice", duplicate), ("get_tracking_by_id unknown", unknown_id),
        ("retrack_tracking_by_id active", retrack_active), ("mark_tracking_completed_by_id then retrack", complete_then_retrack),
        ("retrack_tracking_by_id second time", second_retrack), ("get_trackings", list_trackings),
        ("delete_tracking_by_id", delete), ("create_tracking without tracking_number", missing_number),
        ("wrong api key", wrong_key), ("burst past 10/s", burst), ("built-in retry through flaky", flaky_retry),
        ("get_couriers", get_couriers), ("detect_courier", detect_courier),
        ("every documented error of get_tracking_by_id", documented_errors(server)),
    ]


def documented_errors(server):
    """Every error the versioned surface offers, forced by header through the SDK: it must raise a
    known exception class with a known ErrorCodeEnum, never UnknownError or the generic fallback."""
    def case():
        with urllib.request.urlopen(f"http://127.0.0.1:{server.main_port}/__faultline/scenarios") as response:
            listing = json.load(response)
        vendor = next(v for v in listing["vendors"] if v["vendor"] == "aftership")
        endpoint = next(e for e in vendor["endpoints"] if e["id"] == "versioned.getTrackingById")
        # No retries here: each 5xx is looked at once (the retry has a case of its own).
        client = sdk(server, server.fresh_key(), max_retry=0)
        seen = []
        for scenario in endpoint["scenarios"]:
            if scenario["status"] < 400 or scenario["name"] in ("405",):
                continue
            try:
                client.tracking.get_tracking_by_id("0" * 32, headers={"X-Faultline-Scenario": scenario["name"]})
            except exceptions.ApiException as error:
                expect(type(error) in error_mapping.values(), f"{scenario['name']}: {type(error).__name__}")
                expect(str(error.meta_code) in _error_meta_code_mapping, f"{scenario['name']}: meta.code {error.meta_code} unknown to the SDK")
                expect_equal(error.status_code, scenario["status"], f"{scenario['name']} status")
                seen.append(f"{scenario['name']}→{type(error).__name__}")
                continue
            raise AssertionError(f"{scenario['name']}: no exception")
        return ", ".join(seen)
    return case
