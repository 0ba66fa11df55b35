"""aftership 1.4.1, the legacy v4 SDK (module functions over `requests`), against /v4. It has no
setting for its address: `aftership.request.API_ENDPOINT` is the module constant it joins paths
to, so that is what points it at Faultline."""

import time

import aftership
import aftership.request

from harness import expect, expect_equal, pace, raises

CLIENT = "aftership 1.4.1 (v4)"


def cases(server):
    state = {"key": server.fresh_key()}
    number = "2" + str(time.time_ns())[-9:]

    def use(key):
        aftership.api_key = key
        aftership.request.API_ENDPOINT = server.url("aftership") + "/v4/"

    def create():
        use(state["key"])
        data = aftership.tracking.create_tracking(tracking={"tracking_number": number, "slug": "dhl", "title": "Order 2"})
        tracking_id = data["tracking"]["id"]
        expect(len(tracking_id) == 24, f"id {tracking_id!r} is not the v4 form")
        state["id"] = tracking_id
        return f"201, data.tracking.id {tracking_id}"

    def get_by_id():
        pace()
        data = aftership.tracking.get_tracking(tracking_id=state["id"])
        expect_equal(data["tracking"]["tracking_number"], number, "tracking_number")
        pace()
        by_number = aftership.tracking.get_tracking(slug="dhl", tracking_number=number)
        expect_equal(by_number["tracking"]["id"], state["id"], "id by slug + number")
        return "200 by id and by slug + tracking_number"

    def update():
        pace()
        data = aftership.tracking.update_tracking(tracking_id=state["id"], tracking={"title": "Order 2 (gift)"})
        expect_equal(data["tracking"]["title"], "Order 2 (gift)", "title")
        return "200, title changed"

    def duplicate():
        pace()
        error = raises(aftership.exception.BadRequest, lambda: aftership.tracking.create_tracking(tracking={"tracking_number": number, "slug": "dhl"}))
        expect_equal(error.code, 4003, "meta.code")
        return f"BadRequest {error.code}: {error.message}"

    def unknown_id():
        pace()
        error = raises(aftership.exception.BadRequest, lambda: aftership.tracking.get_tracking(tracking_id="0" * 24))
        expect_equal((error.code, error.http_status), (4004, 404), "meta.code and status")
        return f"BadRequest {error.code}, HTTP {error.http_status}"

    def retrack_active():
        pace()
        error = raises(aftership.exception.BadRequest, lambda: aftership.tracking.retrack(tracking_id=state["id"]))
        expect_equal(error.code, 4013, "meta.code")
        return f"BadRequest {error.code}"

    def delete():
        pace()
        data = aftership.tracking.delete_tracking(slug="dhl", tracking_number=number)
        expect_equal(data["tracking"]["id"], state["id"], "deleted id")
        return "200 with the deleted tracking"

    def missing_number():
        pace()
        error = raises(aftership.exception.BadRequest, lambda: aftership.tracking.create_tracking(tracking={"slug": "dhl"}))
        expect_equal(error.code, 4007, "meta.code")
        return f"BadRequest {error.code}: {error.message}"

    def wrong_key():
        use("not-a-key")
        error = raises(aftership.exception.Unauthorized, lambda: aftership.courier.list_couriers())
        expect_equal((error.code, error.http_status), (401, 401), "meta.code and status")
        return f"Unauthorized {error.code}"

    def burst():
        use(server.fresh_key())
        for answered in range(30):
            try:
                aftership.courier.list_couriers()
            except aftership.exception.TooManyRequests as error:
                expect_equal(error.response.headers.get("X-RateLimit-Remaining"), "0", "X-RateLimit-Remaining")
                return f"TooManyRequests after {answered} answers, Retry-After {error.response.headers.get('Retry-After')}"
        raise AssertionError("30 requests in a burst never got 429")

    def flaky():
        use(server.fresh_key())
        error = raises(aftership.exception.InternalError, lambda: aftership.courier.list_couriers(headers={"X-Faultline-Scenario": "flaky"}))
        expect_equal(error.http_status, 500, "status")
        return "InternalError on the first 500 (this SDK does not retry)"

    def couriers():
        use(server.fresh_key())
        data = aftership.courier.list_couriers()
        fields = {field for courier in data["couriers"] for field in courier["required_fields"]}
        expect("tracking_postal_code" in fields, f"v4 required_fields {fields}")
        pace()
        detected = aftership.courier.detect_courier(tracking={"tracking_number": "1234567890"})
        expect(detected["total"] >= 1, "nothing detected")
        return f"{data['total']} couriers (v4 names: {sorted(fields)}); detect → {detected['couriers'][0]['slug']}"

    return [
        ("create_tracking", create), ("get_tracking", get_by_id), ("update_tracking", update),
        ("create_tracking twice", duplicate), ("get_tracking unknown", unknown_id), ("retrack active", retrack_active),
        ("delete_tracking", delete), ("create_tracking without tracking_number", missing_number),
        ("wrong api key", wrong_key), ("burst past 10/s", burst), ("flaky", flaky), ("couriers and detect", couriers),
    ]
