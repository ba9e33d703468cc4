"""The sandbox's consignment (Fulfilled by Jumia) orders and warehouse stock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from jumia_async._limits import CONSIGNMENT_PRODUCTS_MAX
from jumia_async.sandbox import (
    ManualClock,
    ProductVariation,
    Sandbox,
    SandboxConfig,
    run_sandbox,
)

START = datetime(2025, 6, 24, 12, 0, tzinfo=UTC).timestamp()


class Api:
    """Authenticated calls against one sandbox on a ManualClock."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        sandbox: Sandbox,
        clock: ManualClock,
        token: str,
    ) -> None:
        self.session = session
        self.sandbox = sandbox
        self.clock = clock
        self.headers = {"Authorization": f"Bearer {token}"}
        self.shop = sandbox.state.accounts[0].shops[0]

    async def request(
        self, method: str, path: str, *, body: Any = None, params: Any = None
    ) -> tuple[int, Any]:
        async with self.session.request(
            method,
            f"{self.sandbox.url}{path}",
            headers=self.headers,
            json=body,
            params=params or [],
        ) as response:
            text = await response.text()
            return response.status, (await response.json()) if text else None

    def variations(self) -> list[ProductVariation]:
        """Return the seeded variations of the first shop (Ghana)."""
        return [
            variation
            for product_set in self.sandbox.state.accounts[0].catalog.products
            if product_set.shop.id == self.shop.id
            for variation in product_set.variations
        ]

    def order_body(self, **changes: Any) -> dict[str, Any]:
        variations = self.variations()
        body: dict[str, Any] = {
            "shopId": self.shop.id,
            "businessClientCode": "jumia-gh",
            "shippingDate": "2025-06-30 09:00:00",
            "comment": "First pallet",
            "products": [
                {"sku": variations[0].seller_sku, "quantity": 10},
                {
                    "sku": variations[1].listings["jumia-gh"].sku,
                    "quantity": 4,
                    "labelCode": "LBL-1",
                },
            ],
        }
        body.update(changes)
        return body

    async def create_order(self, **changes: Any) -> str:
        status, body = await self.request(
            "POST", "/consignment-order", body=self.order_body(**changes)
        )
        assert status == 200, body
        assert set(body) == {"purchaseOrderNumber"}
        number: str = body["purchaseOrderNumber"]
        return number

    async def stock(self, sku: str, code: str = "jumia-gh") -> tuple[int, Any]:
        return await self.request(
            "GET",
            "/consignment-stock",
            params=[("businessClientCode", code), ("sku", sku)],
        )


@asynccontextmanager
async def api(**settings: Any) -> AsyncIterator[Api]:
    config = SandboxConfig(orders_per_shop=0, rate_limit=False, **settings)
    clock = ManualClock(start=START)
    async with (
        run_sandbox(config, clock=clock) as sandbox,
        aiohttp.ClientSession() as session,
    ):
        form = {
            "grant_type": "refresh_token",
            "client_id": sandbox.client_id,
            "refresh_token": sandbox.refresh_token,
        }
        async with session.post(f"{sandbox.url}/token", data=form) as response:
            token = (await response.json())["access_token"]
        yield Api(session, sandbox, clock, token)


async def test_create_order() -> None:
    async with api() as client:
        number = await client.create_order()
        second = await client.create_order()
        orders = client.sandbox.state.consignment_orders(client.sandbox.client_id)

    assert number != second
    assert [order.purchase_order_number for order in orders] == [number, second]
    order = orders[0]
    assert order.status == "CREATED"
    assert order.shop.id == client.shop.id
    assert order.business_client_code == "jumia-gh"
    assert order.shipping_date == "2025-06-30 09:00:00"
    assert order.comment == "First pallet"
    variations = client.variations()
    assert [(line.variation, line.quantity) for line in order.lines] == [
        (variations[0], 10),
        (variations[1], 4),
    ]
    assert order.lines[1].label_code == "LBL-1"


def _too_many_lines(client: Api) -> dict[str, Any]:
    sku = client.variations()[0].seller_sku
    lines = [{"sku": sku, "quantity": 1}] * (CONSIGNMENT_PRODUCTS_MAX + 1)
    return {"products": lines}


BAD_ORDERS: list[tuple[str, dict[str, Any], str]] = [
    ("missing shop", {"shopId": None}, "missing required field [shopId]"),
    (
        "foreign shop",
        {"shopId": "00000000-0000-4000-8000-000000000001"},
        "User does not have permissions to the provided shop",
    ),
    (
        "other country",
        {"businessClientCode": "jumia-ng"},
        "Business client [jumia-ng] is not available",
    ),
    (
        "ISO shipping date",
        {"shippingDate": "2025-06-30T09:00:00Z"},
        "invalid shippingDate value [2025-06-30T09:00:00Z]",
    ),
    (
        "impossible shipping date",
        {"shippingDate": "2025-02-30 09:00:00"},
        "invalid shippingDate value",
    ),
    ("no products", {"products": []}, "field [products] must be a non-empty list"),
    (
        "zero quantity",
        {"products": [{"sku": "X", "quantity": 0}]},
        "invalid products[0].quantity value [0]",
    ),
    (
        "unknown SKU",
        {"products": [{"sku": "NOT-A-SKU", "quantity": 1}]},
        "Products not found in shop",
    ),
]


@pytest.mark.parametrize(
    ("changes", "message"),
    [(changes, message) for _, changes, message in BAD_ORDERS],
    ids=[case for case, _, _ in BAD_ORDERS],
)
async def test_create_order_rejected(changes: dict[str, Any], message: str) -> None:
    async with api() as client:
        status, body = await client.request(
            "POST", "/consignment-order", body=client.order_body(**changes)
        )
        orders = client.sandbox.state.consignment_orders(client.sandbox.client_id)

    assert status == 400
    assert set(body) == {"code", "message"}
    assert body["code"] == 400
    assert message in body["message"]
    assert orders == ()


async def test_create_order_line_limit() -> None:
    async with api() as client:
        too_many = _too_many_lines(client)
        status, body = await client.request(
            "POST", "/consignment-order", body=client.order_body(**too_many)
        )
        at_limit = {"products": too_many["products"][:CONSIGNMENT_PRODUCTS_MAX]}
        accepted, _ = await client.request(
            "POST", "/consignment-order", body=client.order_body(**at_limit)
        )

    assert status == 400
    assert "at most 2000" in body["message"]
    assert accepted == 200


async def test_create_order_for_disabled_shop() -> None:
    async with api() as client:
        state = client.sandbox.state
        state.set_consignment_enabled(client.sandbox.client_id, client.shop.id, False)
        status, body = await client.request(
            "POST", "/consignment-order", body=client.order_body()
        )
        state.set_consignment_enabled(client.sandbox.client_id, client.shop.id, True)
        number = await client.create_order()

    assert status == 400
    assert "not a Fulfilled by Jumia shop" in body["message"]
    assert number


async def test_patch_keeps_name_of_3pl() -> None:
    """nameOf3PL is stored, and the older field name 3plName is ignored."""
    async with api() as client:
        number = await client.create_order()
        first = await client.request(
            "PATCH",
            f"/consignment-order/{number}",
            body={
                "3plName": "Old Carrier",
                "deliveryAgentPhoneNumber": "+233200000000",
            },
        )
        second = await client.request(
            "PATCH",
            f"/consignment-order/{number}",
            body={
                "nameOf3PL": "DHL",
                "actualDepartureDate": "2025-06-30T17:51:03.413Z",
                "estimatedArrivalDate": "2025-07-02",
            },
        )
        (order,) = client.sandbox.state.consignment_orders(client.sandbox.client_id)

    assert first == (200, None)
    assert second == (200, None)
    assert order.name_of_3pl == "DHL"
    assert order.delivery_agent_phone_number == "+233200000000"
    assert order.actual_departure_date == "2025-06-30T17:51:03.413Z"
    assert order.estimated_arrival_date == "2025-07-02"
    assert order.is_shipped is False


async def test_patch_shipped_needs_tracking_number() -> None:
    async with api() as client:
        number = await client.create_order()
        path = f"/consignment-order/{number}"
        rejected = await client.request("PATCH", path, body={"isShipped": True})
        accepted = await client.request(
            "PATCH", path, body={"isShipped": True, "trackingNumber": "TRK-1"}
        )
        (order,) = client.sandbox.state.consignment_orders(client.sandbox.client_id)

    status, body = rejected
    assert status == 400
    assert (
        body["message"] == "field [trackingNumber] is required when isShipped is true"
    )
    assert accepted == (200, None)
    assert order.status == "SHIPPED"
    assert order.tracking_number == "TRK-1"


@pytest.mark.parametrize(
    "body",
    [
        {"isShipped": "yes"},
        {"trackingNumber": 12345},
        {"estimatedArrivalDate": "02/07/2025"},
        ["isShipped"],
    ],
)
async def test_patch_rejects_bad_fields(body: Any) -> None:
    async with api() as client:
        number = await client.create_order()
        status, reply = await client.request(
            "PATCH", f"/consignment-order/{number}", body=body
        )

    assert status == 400
    assert reply["code"] == 400


async def test_patch_unknown_order() -> None:
    async with api() as client:
        status, body = await client.request(
            "PATCH", "/consignment-order/PO-GH-99999999", body={"nameOf3PL": "DHL"}
        )

    assert status == 404
    assert body == {
        "code": 404,
        "message": "Consignment order [PO-GH-99999999] not found.",
    }


async def test_stock_received_after_shipping() -> None:
    async with api(consignment_receive_seconds=5.0) as client:
        variation = client.variations()[0]
        before = await client.stock(variation.seller_sku)
        number = await client.create_order()
        await client.request(
            "PATCH",
            f"/consignment-order/{number}",
            body={"isShipped": True, "trackingNumber": "TRK-1"},
        )
        client.clock.advance(4.9)
        in_transit = await client.stock(variation.seller_sku)
        client.clock.advance(0.1)
        received = await client.stock(variation.seller_sku)
        jumia_sku = variation.listings["jumia-gh"].sku
        by_jumia_sku = await client.stock(jumia_sku)
        late_patch = await client.request(
            "PATCH", f"/consignment-order/{number}", body={"nameOf3PL": "DHL"}
        )

    assert before == (
        200,
        {
            "simpleSku": jumia_sku,
            "received": 0,
            "quarantined": 0,
            "defective": 0,
            "canceled": 0,
            "returned": 0,
            "failed": 0,
        },
    )
    assert in_transit[1]["received"] == 0
    assert received[1]["received"] == 10
    assert by_jumia_sku == received
    assert late_patch[0] == 400


async def test_unshipped_order_is_not_received() -> None:
    async with api(consignment_receive_seconds=5.0) as client:
        variation = client.variations()[0]
        number = await client.create_order()
        path = f"/consignment-order/{number}"
        await client.request(
            "PATCH", path, body={"isShipped": True, "trackingNumber": "TRK-1"}
        )
        await client.request("PATCH", path, body={"isShipped": False})
        client.clock.advance(10.0)
        _, stock = await client.stock(variation.seller_sku)

    assert stock["received"] == 0


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ([("businessClientCode", "jumia-gh")], 400),
        ([("sku", "X")], 400),
        ([("businessClientCode", "jumia-gh"), ("sku", "NOT-A-SKU")], 404),
        ([("businessClientCode", "jumia-ng"), ("sku", "SBP-GH-X")], 404),
    ],
)
async def test_stock_rejects_bad_queries(
    params: list[tuple[str, str]], status: int
) -> None:
    async with api() as client:
        got, body = await client.request("GET", "/consignment-stock", params=params)

    assert got == status
    assert body["code"] == status


async def test_consignment_routes_counted() -> None:
    async with api() as client:
        number = await client.create_order()
        await client.request(
            "PATCH", f"/consignment-order/{number}", body={"nameOf3PL": "DHL"}
        )
        await client.stock(client.variations()[0].seller_sku)

    routes = client.sandbox.state.accounts[0].counters.routes
    assert routes["POST /consignment-order"] == 1
    assert routes["PATCH /consignment-order/{purchaseOrderNumber}"] == 1
    assert routes["GET /consignment-stock"] == 1
