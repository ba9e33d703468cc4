"""The sandbox's switches for the alternative documented response forms."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from jumia_async.sandbox import Order, Sandbox, SandboxConfig, run_sandbox


class Client:
    """Authenticated calls against one sandbox."""

    def __init__(
        self, session: aiohttp.ClientSession, sandbox: Sandbox, token: str
    ) -> None:
        self.session = session
        self.sandbox = sandbox
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, params: list[tuple[str, str]] | None = None) -> Any:
        async with self.session.get(
            f"{self.sandbox.url}{path}", headers=self.headers, params=params or []
        ) as response:
            assert response.status == 200
            return await response.json()

    async def post(self, path: str, body: Any) -> Any:
        async with self.session.post(
            f"{self.sandbox.url}{path}", headers=self.headers, json=body
        ) as response:
            assert response.status == 200
            return await response.json()

    def orders(self) -> list[Order]:
        return list(self.sandbox.state.accounts[0].orders)


@asynccontextmanager
async def client(**switches: Any) -> AsyncIterator[Client]:
    config = SandboxConfig(orders_per_shop=10, rate_limit=False, **switches)
    async with run_sandbox(config) as sandbox, aiohttp.ClientSession() as session:
        form = {
            "grant_type": "refresh_token",
            "client_id": sandbox.client_id,
            "refresh_token": sandbox.refresh_token,
        }
        async with session.post(f"{sandbox.url}/token", data=form) as response:
            token = (await response.json())["access_token"]
        yield Client(session, sandbox, token)


async def test_shops_object_form() -> None:
    async with client(shops_form="object") as api:
        for path in ("/shops", "/shops-of-master-shop"):
            body = await api.get(path)

            assert set(body) == {"shops"}
            assert len(body["shops"]) == 3


async def test_single_order_items_object_form() -> None:
    """One orderId gives a bare object; two give the usual array."""
    async with client(single_order_items_form="object") as api:
        first, second = api.orders()[:2]

        single = await api.get("/orders/items", [("orderId", first.id)])
        assert isinstance(single, dict)
        assert single["orderId"] == first.id

        both = await api.get(
            "/orders/items", [("orderId", first.id), ("orderId", second.id)]
        )
        assert [entry["orderId"] for entry in both] == [first.id, second.id]


async def test_items_without_order_number() -> None:
    async with client(item_order_number=False) as api:
        body = await api.get("/orders/items", [("orderId", api.orders()[0].id)])

    assert "orderNumber" not in body[0]
    assert body[0]["items"]


@pytest.mark.parametrize(
    "flag", ["trackingCodeRequired", "requireTrackingCode", "requiredTrackingCode"]
)
async def test_tracking_flag_spelling(flag: str) -> None:
    async with client(tracking_flag_name=flag) as api:
        item = api.orders()[0].items[0]
        body = await api.get("/orders/shipment-providers", [("orderItemId", item.id)])

    provider = body["orderItems"][0]["shipmentProviders"][0]
    assert set(provider) == {"id", "name", flag}
    assert provider[flag] is item.offered_providers[0].tracking_code_required


async def test_label_data_uri_form() -> None:
    prefix = "data:application/pdf;base64,"
    async with client(label_form="data-uri") as api:
        item = next(
            item
            for order in api.orders()
            for item in order.items
            if item.is_packed and item.status != "CANCELED"
        )
        body = await api.post("/orders/print-labels", {"orderItemIds": [item.id]})

    label = body["success"]["labels"][0]["label"]
    assert label.startswith(prefix)
    assert base64.b64decode(label.removeprefix(prefix)).startswith(b"%PDF-")


async def test_order_number_as_number() -> None:
    async with client(order_number_form="number") as api:
        order = api.orders()[-1]
        listing = await api.get("/orders", [("size", "300")])
        items = await api.get("/orders/items", [("orderId", order.id)])

    listed = next(entry for entry in listing["orders"] if entry["id"] == order.id)
    assert listed["number"] == order.number
    assert items[0]["orderNumber"] == order.number


async def test_default_forms_follow_spec() -> None:
    """By default: bare shop array, item arrays, trackingCodeRequired, strings."""
    async with client() as api:
        order = api.orders()[-1]
        shops = await api.get("/shops")
        items = await api.get("/orders/items", [("orderId", order.id)])
        providers = await api.get(
            "/orders/shipment-providers", [("orderItemId", order.items[0].id)]
        )

    assert isinstance(shops, list)
    assert isinstance(items, list)
    assert items[0]["orderNumber"] == str(order.number)
    assert "trackingCodeRequired" in providers["orderItems"][0]["shipmentProviders"][0]
