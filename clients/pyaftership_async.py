"""pyaftership 23.1.0 (asyncio, aiohttp) against /v4. It reads every answer with aiohttp's
`response.json()`, which refuses a body not labelled application/json; its address is the
module constant `pyaftership.base.BASE_URL`."""

import asyncio
import time

import aiohttp
import pyaftership.base
from pyaftership import AfterShip
from pyaftership.exceptions import AfterShipCommunicationException

from harness import expect, expect_equal

CLIENT = "pyaftership 23.1.0 (async, v4)"


def run(server, key, work):
    async def session():
        pyaftership.base.BASE_URL = server.url("aftership") + "/v4"
        async with aiohttp.ClientSession() as http:
            return await work(AfterShip(api_key=key, session=http))
    return asyncio.run(session())


def cases(server):
    key = server.fresh_key()
    number = "3" + str(time.time_ns())[-9:]

    def add_list_remove():
        async def work(client):
            added = await client.trackings.add(tracking_number=number, slug="dhl", title="Order 3")
            listed = await client.trackings.list()
            removed = await client.trackings.remove(tracking_number=number, slug="dhl")
            return added, listed, removed
        added, listed, removed = run(server, key, work)
        expect_equal(added["tracking"]["tracking_number"], number, "added tracking_number")
        expect(any(t["tracking_number"] == number for t in listed["trackings"]), "the added tracking is not listed")
        expect_equal(removed["tracking"]["id"], added["tracking"]["id"], "removed id")
        return f"add → {added['tracking']['id']}; list → {listed['count']}; remove → the same tracking"

    def duplicate():
        async def work(client):
            await client.trackings.add(tracking_number=number, slug="dhl")
            try:
                await client.trackings.add(tracking_number=number, slug="dhl")
            except AfterShipCommunicationException as error:
                return str(error)
            return None
        message = run(server, key, work)
        expect_equal(message, "400 is not valid - 4003 - Tracking already exists.", "exception text")
        return message

    def wrong_key():
        async def work(client):
            try:
                await client.trackings.list()
            except AfterShipCommunicationException as error:
                return str(error)
            return None
        message = run(server, "not-a-key", work)
        expect_equal(message, "401 is not valid - 401 - Invalid API key.", "exception text")
        return message

    def detect():
        detected = run(server, server.fresh_key(), lambda client: client.couriers.detect(tracking_number="1234567890"))
        expect(detected["total"] >= 1, "nothing detected")
        return f"{detected['total']} courier: {detected['couriers'][0]['slug']}"

    return [("add, list, remove", add_list_remove), ("add twice", duplicate), ("wrong api key", wrong_key), ("couriers.detect", detect)]
