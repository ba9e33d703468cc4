"""The sandbox's order writes: pack, ready-to-ship, print-labels and cancel."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from jumia_async.sandbox import (
    ManualClock,
    Order,
    OrderItem,
    Sandbox,
    SandboxConfig,
    run_sandbox,
)

START = datetime(2025, 6, 24, 12, 0, tzinfo=UTC).timestamp()
CONFIG = SandboxConfig(seed=3, orders_per_shop=30, rate_limit=False)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=START)


@pytest.fixture
async def sandbox(clock: ManualClock) -> AsyncIterator[Sandbox]:
    async with run_sandbox(CONFIG, clock=clock) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def api(session: aiohttp.ClientSession, sandbox: Sandbox) -> Api:
    form = {
        "grant_type": "refresh_token",
        "client_id": sandbox.client_id,
        "refresh_token": sandbox.refresh_token,
    }
    async with session.post(f"{sandbox.url}/token", data=form) as response:
        body = await response.json()
    return Api(session, sandbox, body["access_token"])


class Api:
    """Authenticated JSON calls against one sandbox."""

    def __init__(
        self, session: aiohttp.ClientSession, sandbox: Sandbox, token: str
    ) -> None:
        self.session = session
        self.sandbox = sandbox
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: list[tuple[str, str]] | None = None,
    ) -> tuple[int, Any]:
        async with self.session.request(
            method,
            f"{self.sandbox.url}{path}",
            headers=self.headers,
            json=body,
            params=params or [],
        ) as response:
            return response.status, await response.json()

    async def order_items(self, order: Order) -> list[dict[str, Any]]:
        status, body = await self.call(
            "GET", "/orders/items", params=[("orderId", order.id)]
        )
        assert status == 200
        items: list[dict[str, Any]] = body[0]["items"]
        return items

    async def listed_order(self, order: Order) -> dict[str, Any]:
        params = [("createdAfter", "2025-06-01"), ("size", "300")]
        status, body = await self.call("GET", "/orders", params=params)
        assert status == 200
        matches = [entry for entry in body["orders"] if entry["id"] == order.id]
        assert len(matches) == 1
        listed: dict[str, Any] = matches[0]
        return listed


def orders(sandbox: Sandbox) -> list[Order]:
    return list(sandbox.state.accounts[0].orders)


def find_order(sandbox: Sandbox, accept: Callable[[Order], bool]) -> Order:
    return next(order for order in orders(sandbox) if accept(order))


def packable(order: Order, *, min_items: int = 1, tracking: bool = False) -> bool:
    """Pending, unpacked, seller-fulfilled, with one provider for every item."""
    items = order.items
    return (
        len(items) >= min_items
        and all(item.status == "PENDING" and not item.is_packed for item in items)
        and not order.has_items_fulfilled_by_jumia
        and len({item.offered_providers for item in items}) == 1
        and items[0].offered_providers[0].tracking_code_required is tracking
    )


def station_id(item: OrderItem) -> str:
    return item.offered_providers[0].id


def pdf_text(label: str) -> str:
    pypdf = pytest.importorskip("pypdf")
    pdf = base64.b64decode(label, validate=True)
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 1
    text: str = reader.pages[0].extract_text()
    return text


async def test_lifecycle_pack_ready_labels_cancel(
    api: Api, sandbox: Sandbox, clock: ManualClock
) -> None:
    """Pack, ready-to-ship, print and cancel one multi-item order."""
    order = find_order(sandbox, lambda order: packable(order, min_items=2))
    item_ids = [item.id for item in order.items]
    clock.advance(600)

    package = {"orderItems": item_ids, "shipmentProviderId": station_id(order.items[0])}
    status, packed = await api.call("POST", "/v2/orders/pack", {"packages": [package]})
    assert status == 201
    assert packed["error"] == {"packages": [], "total": 0}
    assert packed["success"]["total"] == len(item_ids)
    tracking = packed["success"]["packages"][0]["trackingCode"]
    assert packed["success"]["packages"][0]["orderItems"] == item_ids

    items = await api.order_items(order)
    assert {item["status"] for item in items} == {"PENDING"}
    assert {item["trackingNumber"] for item in items} == {tracking}
    listed = await api.listed_order(order)
    assert listed["packedItems"] == len(item_ids)
    assert listed["status"] == "PENDING"
    assert listed["updatedAt"] == "2025-06-24T12:10:00Z"

    status, ready = await api.call(
        "POST", "/orders/ready-to-ship", {"orderItemIds": item_ids}
    )
    assert status == 200
    assert ready["success"]["total"] == len(item_ids)
    assert ready["success"]["packages"] == [
        {
            "orderItems": item_ids,
            "countryCode": order.shop.country.code,
            "trackingNumber": tracking,
        }
    ]
    assert {item["status"] for item in await api.order_items(order)} == {
        "READY_TO_SHIP"
    }
    assert (await api.listed_order(order))["status"] == "READY_TO_SHIP"

    status, printed = await api.call(
        "POST", "/orders/print-labels", {"orderItemIds": item_ids}
    )
    assert status == 200
    assert printed["success"]["total"] == 1
    label = printed["success"]["labels"][0]
    assert label["orderItemIds"] == item_ids
    assert label["trackingNumber"] == tracking
    text = pdf_text(label["label"])
    assert tracking in text
    assert str(order.number) in text

    status, canceled = await api.call(
        "PUT", "/orders/cancel", {"orderItemIds": item_ids}
    )
    assert status == 200
    assert canceled["success"]["total"] == len(item_ids)
    reason = canceled["success"]["orderItems"][0]["cancellationReason"]
    assert set(reason) == {"id", "description"}
    listed = await api.listed_order(order)
    assert listed["status"] == "CANCELED"
    assert listed["packedItems"] == 0


async def test_pack_v2_single_id_string(api: Api, sandbox: Sandbox) -> None:
    """`orderItems` may be one id as a string."""
    order = find_order(sandbox, packable)
    item = order.items[0]
    package = {"orderItems": item.id, "shipmentProviderId": station_id(item)}

    status, body = await api.call("POST", "/v2/orders/pack", {"packages": [package]})

    assert status == 201
    assert body["success"]["packages"][0]["orderItems"] == [item.id]
    assert item.is_packed


async def test_pack_v2_items_from_two_orders(api: Api, sandbox: Sandbox) -> None:
    first = find_order(sandbox, packable)
    second = find_order(
        sandbox,
        lambda order: (
            packable(order)
            and order is not first
            and order.items[0].offered_providers == first.items[0].offered_providers
        ),
    )
    item_ids = [first.items[0].id, second.items[0].id]
    package = {"orderItems": item_ids, "shipmentProviderId": station_id(first.items[0])}

    status, body = await api.call("POST", "/v2/orders/pack", {"packages": [package]})

    assert status == 201
    assert body["success"] == {"packages": [], "total": 0}
    assert body["error"]["packages"] == [
        {"orderItems": item_ids, "error": "Order items are not from the same order."}
    ]
    assert not first.items[0].is_packed


async def test_pack_v2_tracking_code_required(api: Api, sandbox: Sandbox) -> None:
    """A provider that needs a tracking code rejects a package without one."""
    order = find_order(sandbox, lambda order: packable(order, tracking=True))
    item = order.items[0]
    package = {"orderItems": [item.id], "shipmentProviderId": station_id(item)}

    _, rejected = await api.call("POST", "/v2/orders/pack", {"packages": [package]})
    assert "Tracking code is required" in rejected["error"]["packages"][0]["error"]

    package["trackingCode"] = "DS-TRACK-1"
    status, packed = await api.call("POST", "/v2/orders/pack", {"packages": [package]})
    assert status == 201
    assert packed["success"]["packages"][0]["trackingCode"] == "DS-TRACK-1"
    assert item.tracking_number == "DS-TRACK-1"


async def test_pack_v2_provider_not_offered(api: Api, sandbox: Sandbox) -> None:
    order = find_order(sandbox, packable)
    item = order.items[0]
    other = next(p for p in order.shop.providers if p not in item.offered_providers)
    package = {"orderItems": [item.id], "shipmentProviderId": other.id}

    _, body = await api.call("POST", "/v2/orders/pack", {"packages": [package]})

    assert "is not available for order item" in body["error"]["packages"][0]["error"]


async def test_pack_v2_rejections(api: Api, sandbox: Sandbox) -> None:
    """Packed, non-pending, Jumia-fulfilled and unknown items are rejected."""
    packed = find_order(
        sandbox, lambda order: order.items[0].is_packed and order.status == "PENDING"
    )
    shipped = find_order(sandbox, lambda order: order.status == "SHIPPED")
    fulfilled = find_order(sandbox, packable)
    for item in fulfilled.items:
        item.fulfilled_by_jumia = True
    unknown = "00000000-0000-4000-8000-000000000000"
    packages = [
        {"orderItems": [order.items[0].id], "shipmentProviderId": station_id(item)}
        for order in (packed, shipped, fulfilled)
        for item in order.items[:1]
    ]
    packages.append({"orderItems": [unknown], "shipmentProviderId": unknown})

    status, body = await api.call("POST", "/v2/orders/pack", {"packages": packages})

    assert status == 201
    errors = [entry["error"] for entry in body["error"]["packages"]]
    assert "is already packed" in errors[0]
    assert "has status [SHIPPED]" in errors[1]
    assert "fulfilled by Jumia" in errors[2]
    assert "not found" in errors[3]
    assert body["error"]["total"] == 4


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"packages": []},
        {"packages": ["x"]},
        {"packages": [{"orderItems": 5, "shipmentProviderId": "p"}]},
        {"packages": [{"orderItems": ["a"]}]},
        {
            "packages": [
                {"orderItems": "a", "shipmentProviderId": "p", "trackingCode": 1}
            ]
        },
        [],
    ],
)
async def test_pack_v2_malformed_body_is_400(api: Api, body: Any) -> None:
    status, error = await api.call("POST", "/v2/orders/pack", body)

    assert status == 400
    assert set(error) == {"message", "status"}


async def test_pack_non_json_body_is_400(api: Api, sandbox: Sandbox) -> None:
    async with api.session.post(
        f"{sandbox.url}/v2/orders/pack", headers=api.headers, data=b"{not json"
    ) as response:
        body = await response.json()

    assert response.status == 400
    assert "JSON" in body["message"]


async def test_pack_v1_groups_by_order(api: Api, sandbox: Sandbox) -> None:
    """v1 packs each order's items into one package with a new tracking number."""
    first = find_order(sandbox, lambda order: packable(order, min_items=2))
    second = find_order(sandbox, lambda order: packable(order) and order is not first)
    entries = [
        {"id": item.id, "shipmentProviderId": station_id(item)}
        for item in (*first.items, second.items[0])
    ]
    wrong = find_order(
        sandbox,
        lambda order: packable(order) and order not in (first, second),
    )
    entries.append({"id": wrong.items[0].id, "shipmentProviderId": "nope"})

    status, body = await api.call("POST", "/orders/pack", {"orderItems": entries})

    assert status == 201
    packages = body["success"]["packages"]
    assert [package["orderItems"] for package in packages] == [
        [item.id for item in first.items],
        [second.items[0].id],
    ]
    assert packages[0]["countryCode"] == first.shop.country.code
    assert packages[0]["trackingNumber"] != packages[1]["trackingNumber"]
    assert body["success"]["total"] == len(first.items) + 1
    error = body["error"]["orderItems"][0]
    assert error["id"] == wrong.items[0].id
    assert error["response"]["code"] == "INVALID_SHIPMENT_PROVIDER"


async def test_ready_to_ship_rejections(api: Api, sandbox: Sandbox) -> None:
    unpacked = find_order(sandbox, packable).items[0]
    unknown = "00000000-0000-4000-8000-000000000000"

    status, body = await api.call(
        "POST", "/orders/ready-to-ship", {"orderItemIds": [unpacked.id, unknown]}
    )

    assert status == 200
    assert body["success"] == {"packages": [], "total": 0}
    codes = [entry["response"]["code"] for entry in body["error"]["orderItems"]]
    assert codes == ["NOT_PACKED", "ORDER_ITEM_NOT_FOUND"]
    assert unpacked.status == "PENDING"


async def test_ready_to_ship_part_of_order(api: Api, sandbox: Sandbox) -> None:
    """Moving one item of a packed order makes the order mixed."""
    order = find_order(
        sandbox,
        lambda order: (
            len(order.items) > 1
            and order.status == "PENDING"
            and all(item.is_packed for item in order.items)
        ),
    )

    status, _ = await api.call(
        "POST", "/orders/ready-to-ship", {"orderItemIds": [order.items[0].id]}
    )

    assert status == 200
    listed = await api.listed_order(order)
    assert listed["hasMultipleStatus"] is True
    assert listed["status"] == "PENDING"


async def test_print_labels_one_per_package(api: Api, sandbox: Sandbox) -> None:
    packed_orders = [
        order
        for order in orders(sandbox)
        if order.items[0].is_packed and order.status != "CANCELED"
    ][:2]
    item_ids = [item.id for order in packed_orders for item in order.items]
    unpacked = find_order(sandbox, packable).items[0]

    status, body = await api.call(
        "POST", "/orders/print-labels", {"orderItemIds": [*item_ids, unpacked.id]}
    )

    assert status == 200
    labels = body["success"]["labels"]
    assert len(labels) == len({sandbox_item_tracking(sandbox, i) for i in item_ids})
    assert not labels[0]["label"].startswith("data:")
    assert body["error"]["orderItems"][0]["id"] == unpacked.id
    assert body["error"]["orderItems"][0]["response"]["code"] == "NOT_PACKED"


def sandbox_item_tracking(sandbox: Sandbox, item_id: str) -> str:
    item = sandbox.state.accounts[0].orders.get_item(item_id)
    assert item is not None
    return item.tracking_number


async def test_print_labels_limit(api: Api) -> None:
    """More than 200 ids in one print-labels call is 400."""
    ids = [f"00000000-0000-4000-8000-{number:012d}" for number in range(201)]

    status, body = await api.call("POST", "/orders/print-labels", {"orderItemIds": ids})
    assert status == 400
    assert "at most 200" in body["message"]

    status, _ = await api.call(
        "POST", "/orders/print-labels", {"orderItemIds": ids[:200]}
    )
    assert status == 200


async def test_cancel_rejections(api: Api, sandbox: Sandbox) -> None:
    shipped = find_order(sandbox, lambda order: order.status == "SHIPPED").items[0]
    fulfilled = find_order(sandbox, packable).items[0]
    fulfilled.fulfilled_by_jumia = True
    ready = find_order(sandbox, lambda order: order.status == "READY_TO_SHIP").items[0]

    status, body = await api.call(
        "PUT",
        "/orders/cancel",
        {"orderItemIds": [shipped.id, fulfilled.id, ready.id]},
    )

    assert status == 200
    assert [entry["id"] for entry in body["success"]["orderItems"]] == [ready.id]
    errors = body["error"]["orderItems"]
    assert [entry["response"]["code"] for entry in errors] == [
        "INVALID_STATUS",
        "FULFILLED_BY_JUMIA",
    ]
    assert "description" in errors[0]["cancellationReason"]
    assert shipped.status == "SHIPPED"
    assert ready.status == "CANCELED"


@pytest.mark.parametrize(
    "body", [{}, {"orderItemIds": []}, {"orderItemIds": [1]}, {"orderItemIds": "a"}]
)
async def test_item_id_list_malformed_is_400(api: Api, body: Any) -> None:
    for method, path in (
        ("POST", "/orders/ready-to-ship"),
        ("POST", "/orders/print-labels"),
        ("PUT", "/orders/cancel"),
    ):
        status, error = await api.call(method, path, body)
        assert status == 400, path
        assert "orderItemIds" in error["message"]
