"""The sandbox's order reads: listing, pagination, date rules, items, providers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from jumia_async.sandbox import (
    ManualClock,
    Order,
    Sandbox,
    SandboxConfig,
    run_sandbox,
)

START = datetime(2025, 6, 24, 12, 0, tzinfo=UTC).timestamp()
TODAY = int(datetime(2025, 6, 24, tzinfo=UTC).timestamp())
DAY = 86_400
CONFIG = SandboxConfig(seed=7, orders_per_shop=40, order_days=5, rate_limit=False)

Params = list[tuple[str, str]]


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
async def headers(session: aiohttp.ClientSession, sandbox: Sandbox) -> dict[str, str]:
    form = {
        "grant_type": "refresh_token",
        "client_id": sandbox.client_id,
        "refresh_token": sandbox.refresh_token,
    }
    async with session.post(f"{sandbox.url}/token", data=form) as response:
        body = await response.json()
    return {"Authorization": f"Bearer {body['access_token']}"}


async def get(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    headers: dict[str, str],
    path: str,
    params: Params | None = None,
) -> tuple[int, Any]:
    url = f"{sandbox.url}{path}"
    async with session.get(url, headers=headers, params=params or []) as response:
        return response.status, await response.json()


async def walk(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    headers: dict[str, str],
    params: Params,
    cursor_name: str = "token",
) -> list[dict[str, Any]]:
    """Return every order of a listing, following nextToken to the last page."""
    orders: list[dict[str, Any]] = []
    status, page = await get(session, sandbox, headers, "/orders", params)
    while True:
        assert status == 200, page
        orders.extend(page["orders"])
        if page["isLastPage"]:
            assert page["nextToken"] is None
            return orders
        assert page["nextToken"]
        cursor = [(cursor_name, page["nextToken"])]
        status, page = await get(session, sandbox, headers, "/orders", cursor)


def all_orders(sandbox: Sandbox) -> list[Order]:
    return list(sandbox.state.accounts[0].orders)


def created_between(sandbox: Sandbox, start: int, end: int) -> list[Order]:
    return [order for order in all_orders(sandbox) if start <= order.created < end]


def days_ago(days: int) -> str:
    return datetime.fromtimestamp(TODAY - days * DAY, UTC).strftime("%Y-%m-%d")


async def test_orders_default_is_today(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """Without a date filter only orders created today (UTC) are listed."""
    orders = await walk(session, sandbox, headers, [])

    expected = created_between(sandbox, TODAY, TODAY + DAY)
    assert expected
    assert len(expected) < len(all_orders(sandbox))
    assert [order["id"] for order in orders] == [order.id for order in expected]


async def test_orders_default_page_size_is_10(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    status, page = await get(
        session, sandbox, headers, "/orders", [("createdAfter", days_ago(4))]
    )

    assert status == 200
    assert len(page["orders"]) == 10
    assert page["isLastPage"] is False


async def test_order_shape(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """Orders carry the documented fields with RFC 3339 Z timestamps."""
    _, page = await get(session, sandbox, headers, "/orders", [("size", "1")])
    order = page["orders"][0]

    assert set(order) == {
        "id",
        "shopIds",
        "number",
        "status",
        "totalItems",
        "packedItems",
        "isPrepayment",
        "hasMultipleStatus",
        "hasItemsFulfilledByJumia",
        "pendingSince",
        "deliveryOption",
        "totalAmount",
        "totalAmountLocal",
        "country",
        "shippingAddress",
        "createdAt",
        "updatedAt",
    }
    assert isinstance(order["number"], str)
    assert len(order["number"]) == 9
    assert order["createdAt"].endswith("Z")
    assert datetime.fromisoformat(order["createdAt"]).timestamp() >= TODAY
    assert order["totalAmount"]["currency"] == "USD"
    assert set(order["country"]) == {"code", "name", "currencyCode"}


@pytest.mark.parametrize("size", ["1", "7", "300"])
async def test_pagination_walks_every_order_once(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    headers: dict[str, str],
    size: str,
) -> None:
    """Following nextToken returns each order in range once, oldest first."""
    params = [("createdAfter", days_ago(4)), ("size", size)]
    orders = await walk(session, sandbox, headers, params)

    ids = [order["id"] for order in orders]
    assert len(ids) == len(set(ids))
    assert ids == [order.id for order in all_orders(sandbox)]


async def test_pagination_descending(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    params = [("createdAfter", days_ago(4)), ("size", "9"), ("sort", "DESC")]
    orders = await walk(session, sandbox, headers, params)

    assert [order["id"] for order in orders] == [
        order.id for order in reversed(all_orders(sandbox))
    ]


async def test_pagination_accepts_next_token_param(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """The cursor may also be sent as `nextToken`."""
    params = [("createdAfter", days_ago(4)), ("size", "25")]
    orders = await walk(session, sandbox, headers, params, cursor_name="nextToken")

    assert len(orders) == len(all_orders(sandbox))


async def test_pagination_size_changes_between_pages(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """A follow-up page may change size and keeps the first page's filters."""
    params = [("createdAfter", days_ago(4)), ("size", "5"), ("country", "GH")]
    _, first = await get(session, sandbox, headers, "/orders", params)
    follow_up = [("token", first["nextToken"]), ("size", "2"), ("country", "KE")]
    _, second = await get(session, sandbox, headers, "/orders", follow_up)

    assert len(second["orders"]) == 2
    assert {order["country"]["code"] for order in second["orders"]} == {"GH"}


async def test_invalid_cursor_is_400(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    status, body = await get(
        session, sandbox, headers, "/orders", [("token", "bm90IGEgY3Vyc29y")]
    )

    assert status == 400
    assert body["status"] == 400
    assert "token" in body["message"]


@pytest.mark.parametrize("size", ["0", "301", "ten", ""])
async def test_size_out_of_range_is_400(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    headers: dict[str, str],
    size: str,
) -> None:
    status, body = await get(session, sandbox, headers, "/orders", [("size", size)])

    assert status == 400
    assert "size" in body["message"]


async def test_status_filter_comma_and_repeated(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """status accepts a comma list and repeated keys alike."""
    base = [("createdAfter", days_ago(4)), ("size", "300")]
    comma = await walk(
        session, sandbox, headers, [*base, ("status", "SHIPPED,DELIVERED")]
    )
    repeated = await walk(
        session,
        sandbox,
        headers,
        [*base, ("status", "SHIPPED"), ("status", "DELIVERED")],
    )

    expected = [
        order.id
        for order in all_orders(sandbox)
        if order.status in ("SHIPPED", "DELIVERED")
    ]
    assert expected
    assert [order["id"] for order in comma] == expected
    assert [order["id"] for order in repeated] == expected


async def test_unknown_status_is_400(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    status, body = await get(
        session, sandbox, headers, "/orders", [("status", "PACKED")]
    )

    assert status == 400
    assert "invalid status value" in body["message"]
    assert set(body) == {"message", "status"}


async def test_country_and_shop_filters(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    base = [("createdAfter", days_ago(4)), ("size", "300")]
    shops = sandbox.state.accounts[0].shops

    by_country = await walk(session, sandbox, headers, [*base, ("country", "GH,KE")])
    assert {order["country"]["code"] for order in by_country} == {"GH", "KE"}

    one_shop = await walk(session, sandbox, headers, [*base, ("shopId", shops[1].id)])
    assert len(one_shop) == 40
    assert {order["shopIds"][0] for order in one_shop} == {shops[1].id}

    two_shops = await walk(
        session,
        sandbox,
        headers,
        [*base, ("shopId", shops[0].id), ("shopId", shops[2].id)],
    )
    assert len(two_shops) == 80


async def test_unknown_country_is_400(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    status, body = await get(session, sandbox, headers, "/orders", [("country", "FR")])

    assert status == 400
    assert "country" in body["message"]


@pytest.mark.parametrize(
    ("after", "before"),
    [
        ("2025-06-22", "2025-06-23"),
        ("2025-06-22 00:00:00", "2025-06-24 00:00:00"),
        ("2025-06-22T00:00:00Z", "2025-06-24T00:00:00Z"),
        ("2025-06-22T02:00:00+02:00", "2025-06-24T02:00:00+02:00"),
    ],
)
async def test_created_range_formats(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    headers: dict[str, str],
    after: str,
    before: str,
) -> None:
    """All accepted date forms select the same two days, a bare end date inclusive."""
    params = [("createdAfter", after), ("createdBefore", before), ("size", "300")]
    orders = await walk(session, sandbox, headers, params)

    expected = created_between(sandbox, TODAY - 2 * DAY, TODAY)
    assert expected
    assert [order["id"] for order in orders] == [order.id for order in expected]


async def test_created_and_updated_together_is_400(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    params = [("createdAfter", "2025-06-20"), ("updatedBefore", "2025-06-24")]
    status, body = await get(session, sandbox, headers, "/orders", params)

    assert status == 400
    assert "cannot be combined" in body["message"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("createdAfter", "24/06/2025"),
        ("createdAfter", "2025-06-24T10:00"),
        ("updatedBefore", "2025-13-01"),
        ("createdBefore", "yesterday"),
    ],
)
async def test_malformed_date_is_400(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    headers: dict[str, str],
    name: str,
    value: str,
) -> None:
    status, body = await get(session, sandbox, headers, "/orders", [(name, value)])

    assert status == 400
    assert name in body["message"]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ([("createdAfter", "2025-03-24"), ("createdBefore", "2025-06-23")], 200),
        ([("createdAfter", "2025-03-24"), ("createdBefore", "2025-06-24")], 400),
        ([("createdAfter", "2025-03-24 12:00:00")], 200),
        ([("createdAfter", "2025-03-24 11:59:59")], 400),
        ([("updatedBefore", "2025-06-24")], 200),
        ([("createdAfter", "2025-06-24"), ("createdBefore", "2025-06-23")], 400),
    ],
)
async def test_date_range_limit(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    headers: dict[str, str],
    params: Params,
    status: int,
) -> None:
    """A range may span three calendar months; an open end runs to now."""
    response_status, body = await get(session, sandbox, headers, "/orders", params)

    assert response_status == status, body


async def test_updated_filter_sees_changed_orders(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    headers: dict[str, str],
    clock: ManualClock,
) -> None:
    """An order changed now appears in an updatedAfter listing from now."""
    clock.advance(3600)
    target = next(
        order
        for order in all_orders(sandbox)
        if order.status == "PENDING" and not order.items[0].fulfilled_by_jumia
    )
    body = {"orderItemIds": [target.items[0].id]}
    async with session.put(
        f"{sandbox.url}/orders/cancel", headers=headers, json=body
    ) as response:
        assert response.status == 200

    params = [("updatedAfter", "2025-06-24 12:30:00")]
    orders = await walk(session, sandbox, headers, params)

    assert [order["id"] for order in orders] == [target.id]
    assert orders[0]["updatedAt"] == "2025-06-24T13:00:00Z"


async def test_order_items_array_per_order(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """orderId may repeat or be a comma list; unknown ids are left out."""
    orders = all_orders(sandbox)[:3]
    unknown = "00000000-0000-4000-8000-000000000000"
    params = [
        ("orderId", f"{orders[0].id},{orders[1].id}"),
        ("orderId", orders[2].id),
        ("orderId", unknown),
    ]
    status, body = await get(session, sandbox, headers, "/orders/items", params)

    assert status == 200
    assert [entry["orderId"] for entry in body] == [order.id for order in orders]
    assert body[0]["orderNumber"] == str(orders[0].number)
    assert [item["id"] for item in body[0]["items"]] == [
        item.id for item in orders[0].items
    ]
    item = body[0]["items"][0]
    assert item["createdAt"].endswith("Z")
    assert set(item["product"]) == {"name", "sellerSku", "imageUrl"}


async def test_order_items_single_order_is_array(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    order = all_orders(sandbox)[0]
    status, body = await get(
        session, sandbox, headers, "/orders/items", [("orderId", order.id)]
    )

    assert status == 200
    assert isinstance(body, list)
    assert len(body) == 1


async def test_order_items_status_filter(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """The status filter keeps matching items; the order turns mixed."""
    order = next(
        order
        for order in all_orders(sandbox)
        if order.status == "PENDING"
        and len(order.items) > 1
        and not order.has_items_fulfilled_by_jumia
    )
    body = {"orderItemIds": [order.items[0].id]}
    async with session.put(
        f"{sandbox.url}/orders/cancel", headers=headers, json=body
    ) as response:
        assert response.status == 200

    params = [("orderId", order.id), ("status", "CANCELED")]
    _, entries = await get(session, sandbox, headers, "/orders/items", params)

    assert [item["id"] for item in entries[0]["items"]] == [order.items[0].id]
    assert order.has_multiple_status
    assert order.status == "PENDING"


async def test_order_items_batch_limit(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """More than 50 order ids in one call is 400; 50 is accepted."""
    ids = [order.id for order in all_orders(sandbox)[:51]]

    status, _ = await get(
        session, sandbox, headers, "/orders/items", [("orderId", ",".join(ids[:50]))]
    )
    assert status == 200
    status, body = await get(
        session, sandbox, headers, "/orders/items", [("orderId", ",".join(ids))]
    )
    assert status == 400
    assert "at most 50" in body["message"]


@pytest.mark.parametrize("params", [[], [("orderId", "123")]])
async def test_order_items_bad_ids_are_400(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    headers: dict[str, str],
    params: Params,
) -> None:
    status, body = await get(session, sandbox, headers, "/orders/items", params)

    assert status == 400
    assert "orderId" in body["message"]


async def test_shipment_providers(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    items = [item for order in all_orders(sandbox)[:3] for item in order.items]
    params = [("orderItemId", item.id) for item in items]
    status, body = await get(
        session, sandbox, headers, "/orders/shipment-providers", params
    )

    assert status == 200
    assert [entry["id"] for entry in body["orderItems"]] == [item.id for item in items]
    provider = body["orderItems"][0]["shipmentProviders"][0]
    assert set(provider) == {"id", "name", "trackingCodeRequired"}
    assert provider["id"] == items[0].offered_providers[0].id


async def test_shipment_providers_batch_limit(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    items = [item for order in all_orders(sandbox) for item in order.items][:51]
    params = [("orderItemId", item.id) for item in items]
    status, body = await get(
        session, sandbox, headers, "/orders/shipment-providers", params
    )

    assert status == 400
    assert "orderItemId" in body["message"]


async def test_shops_bare_array(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    for path in ("/shops", "/shops-of-master-shop"):
        status, body = await get(session, sandbox, headers, path)

        assert status == 200
        assert [shop["businessClients"][0]["code"] for shop in body] == [
            "jumia-gh",
            "jumia-ng",
            "jumia-ke",
        ]
