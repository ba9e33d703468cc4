"""Order endpoints on a mocked API: arguments, pages, batches, reply forms."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aioresponses import CallbackResult, aioresponses

from jumia_async import (
    BatchWriteError,
    PackageRequest,
    PaginationError,
    ResponseParseError,
    ValidationError,
)

from .helpers import TOKEN_URL, TokenServer, make_client, url_pattern

ORDERS = url_pattern("/orders")
ITEMS = url_pattern("/orders/items")
PROVIDERS = url_pattern("/orders/shipment-providers")
PACK = url_pattern("/v2/orders/pack")
LABELS = url_pattern("/orders/print-labels")
READY = url_pattern("/orders/ready-to-ship")

NOW = datetime.now(UTC)


def query_of(url: Any) -> list[tuple[str, str]]:
    return parse_qsl(url.query_string)


def order(order_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": order_id, "number": "388626919", "status": "PENDING", **extra}


def item_entry(
    order_id: str, *item_ids: str, number: str | None = "1"
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "orderId": order_id,
        "items": [{"id": item_id, "status": "PENDING"} for item_id in item_ids],
    }
    if number is not None:
        entry["orderNumber"] = number
    return entry


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": "PACKED"}, "'PACKED' is not an order status"),
        ({"status": ["PENDING", "CANCELLED"]}, "CANCELED has one L"),
        ({"status": []}, "status is empty"),
        ({"country": "Ghana"}, "not a two-letter ISO code"),
        ({"size": 0}, "size=0 is invalid"),
        ({"size": 301}, "use 1 to 300"),
        ({"sort": "newest"}, "'ASC' or 'DESC'"),
        (
            {
                "created_after": NOW - timedelta(days=1),
                "updated_after": NOW - timedelta(days=1),
            },
            "cannot be combined",
        ),
        ({"created_after": datetime(2026, 1, 1)}, "has no time zone"),
        (
            {"created_after": NOW - timedelta(days=200), "created_before": NOW},
            "spans more than 3 months",
        ),
        ({"updated_after": NOW - timedelta(days=120)}, "more than 3 months ago"),
        (
            {"created_after": NOW, "created_before": NOW - timedelta(days=1)},
            "is earlier than",
        ),
        ({"shop_id": ""}, "shop_id=''"),
    ],
)
async def test_list_rejects_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with aioresponses() as mock:
        async with make_client() as client:
            with pytest.raises(ValueError, match=message):
                await client.orders.list(**kwargs)
            with pytest.raises(ValueError, match=message):
                client.orders.iter(**kwargs)
        assert mock.requests == {}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("items", "order_ids is empty"),
        ("shipment_providers", "order_item_ids is empty"),
        ("ready_to_ship", "order_item_ids is empty"),
        ("print_labels", "order_item_ids is empty"),
        ("cancel", "order_item_ids is empty"),
    ],
)
async def test_empty_id_lists_rejected(call: str, message: str) -> None:
    with aioresponses() as mock:
        async with make_client() as client:
            with pytest.raises(ValueError, match=message):
                await getattr(client.orders, call)([])
            with pytest.raises(TypeError, match="wrap it in a list"):
                await getattr(client.orders, call)("single-id")
        assert mock.requests == {}


async def test_pack_rejects_bad_packages() -> None:
    with aioresponses() as mock:
        async with make_client() as client:
            with pytest.raises(ValueError, match="packages is empty"):
                await client.orders.pack([])
            with pytest.raises(ValueError, match="shipment_provider_id is empty"):
                await client.orders.pack(
                    [PackageRequest(order_item_ids=["i1"], shipment_provider_id="")]
                )
            with pytest.raises(ValueError, match="put each item in one package"):
                await client.orders.pack(
                    [
                        PackageRequest(order_item_ids=["i1"], shipment_provider_id="p"),
                        PackageRequest(
                            order_item_ids=["i1", "i2"], shipment_provider_id="p"
                        ),
                    ]
                )
        assert mock.requests == {}


async def test_list_sends_filters() -> None:
    seen: list[list[tuple[str, str]]] = []

    def orders(url: Any, **kwargs: Any) -> CallbackResult:
        seen.append(query_of(url))
        return CallbackResult(
            payload={"orders": [], "nextToken": None, "isLastPage": True}
        )

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(ORDERS, callback=orders, repeat=True)
        async with make_client() as client:
            await client.orders.list(
                status=["pending", "READY_TO_SHIP"],
                country="gh",
                shop_id="shop-1",
                created_after=date(2026, 11, 1),
                created_before=datetime(2026, 11, 2, 13, 30, tzinfo=UTC),
                size=50,
                sort="desc",
            )

    # The mock sorts query keys, so compare without order.
    assert [sorted(query) for query in seen] == [
        sorted(
            [
                ("status", "PENDING,READY_TO_SHIP"),
                ("country", "GH"),
                ("shopId", "shop-1"),
                ("createdAfter", "2026-11-01 00:00:00"),
                ("createdBefore", "2026-11-02 13:30:00"),
                ("size", "50"),
                ("sort", "DESC"),
            ]
        )
    ]


async def test_iter_walks_pages_until_last() -> None:
    pages = {
        None: {
            "orders": [order("o1"), order("o2")],
            "nextToken": "t1",
            "isLastPage": False,
        },
        "t1": {"orders": [order("o3")], "nextToken": "t2", "isLastPage": False},
        "t2": {"orders": [order("o4")], "nextToken": None, "isLastPage": True},
    }
    tokens_sent: list[str | None] = []

    def orders(url: Any, **kwargs: Any) -> CallbackResult:
        token = dict(query_of(url)).get("token")
        tokens_sent.append(token)
        return CallbackResult(payload=pages[token])

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(ORDERS, callback=orders, repeat=True)
        async with make_client() as client:
            found = [
                o.id
                async for o in client.orders.iter(created_after=NOW - timedelta(days=2))
            ]

    assert found == ["o1", "o2", "o3", "o4"]
    assert tokens_sent == [None, "t1", "t2"]


async def test_iter_stops_on_empty_cursor() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(
            ORDERS, payload={"orders": [order("o1")], "nextToken": ""}, repeat=True
        )
        async with make_client() as client:
            found = [o.id async for o in client.orders.iter()]
    assert found == ["o1"]


async def test_iter_raises_on_repeated_cursor() -> None:
    def orders(url: Any, **kwargs: Any) -> CallbackResult:
        return CallbackResult(
            payload={"orders": [order("o1")], "nextToken": "same", "isLastPage": False}
        )

    found: list[str] = []
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(ORDERS, callback=orders, repeat=True)
        async with make_client() as client:

            async def collect() -> None:
                async for found_order in client.orders.iter():
                    found.append(found_order.id)

            with pytest.raises(PaginationError, match="'same' twice"):
                await collect()
    # The first page and the page behind the first "same" cursor were read.
    assert found == ["o1", "o1"]


async def test_items_batches_and_reads_both_forms() -> None:
    batches: list[list[str]] = []

    def items(url: Any, **kwargs: Any) -> CallbackResult:
        ids = [value for key, value in query_of(url) if key == "orderId"]
        batches.append(ids)
        if len(ids) == 1:
            # A single object instead of an array, and no orderNumber.
            return CallbackResult(
                payload=item_entry(ids[0], f"{ids[0]}-i1", number=None)
            )
        return CallbackResult(payload=[item_entry(i, f"{i}-i1") for i in ids])

    order_ids = [f"o{n}" for n in range(51)]
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(ITEMS, callback=items, repeat=True)
        async with make_client() as client:
            result = await client.orders.items(order_ids)

    assert sorted(len(batch) for batch in batches) == [1, 50]
    assert [entry.order_id for entry in result.orders] == order_ids
    assert result.failed == {}
    last = result.by_order_id()["o50"]
    assert last.order_number is None
    assert last.items[0].id == "o50-i1"


async def test_items_422_split_per_order() -> None:
    poisoned = "o2"
    calls: list[list[str]] = []

    def items(url: Any, **kwargs: Any) -> CallbackResult:
        ids = [value for key, value in query_of(url) if key == "orderId"]
        calls.append(ids)
        if poisoned in ids:
            return CallbackResult(
                status=422, payload={"message": "Unprocessable", "status": 422}
            )
        return CallbackResult(payload=[item_entry(i, f"{i}-i1") for i in ids])

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(ITEMS, callback=items, repeat=True)
        async with make_client() as client:
            result = await client.orders.items(["o1", "o2", "o3"])

    assert [entry.order_id for entry in result.orders] == ["o1", "o3"]
    assert list(result.failed) == ["o2"]
    assert isinstance(result.failed["o2"], ValidationError)
    assert calls[0] == ["o1", "o2", "o3"]
    assert sorted(map(tuple, calls[1:])) == [("o1",), ("o2",), ("o3",)]


@pytest.mark.parametrize(
    "flag", ["trackingCodeRequired", "requireTrackingCode", "requiredTrackingCode"]
)
async def test_provider_flag_spellings(flag: str) -> None:
    payload = {
        "orderItems": [
            {
                "id": "i1",
                "shipmentProviders": [{"id": "p1", "name": "Station", flag: True}],
            },
            {"id": "i2", "shipmentProviders": [{"id": "p2", flag: "false"}]},
        ]
    }
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PROVIDERS, payload=payload, repeat=True)
        async with make_client() as client:
            offered = await client.orders.shipment_providers(["i1", "i2"])

    assert offered["i1"][0].tracking_code_required is True
    assert offered["i2"][0].tracking_code_required is False


async def test_pack_sends_v2_body_and_reads_reply() -> None:
    bodies: list[Any] = []

    def pack(url: Any, **kwargs: Any) -> CallbackResult:
        bodies.append(kwargs["json"])
        return CallbackResult(
            status=201,
            payload={
                "success": {
                    "packages": [{"orderItems": ["i1", "i2"], "trackingCode": "DS-1"}],
                    "total": 2,
                },
                "error": {
                    "packages": [
                        {
                            "orderItems": "i3",
                            "error": "Order items are not from the same order.",
                        }
                    ],
                    "total": 1,
                },
            },
        )

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(PACK, callback=pack, repeat=True)
        async with make_client() as client:
            result = await client.orders.pack(
                [
                    PackageRequest(
                        order_item_ids=["i1", "i2"], shipment_provider_id="p1"
                    ),
                    PackageRequest(
                        order_item_ids=["i3"],
                        shipment_provider_id="p2",
                        tracking_code="T-3",
                    ),
                ]
            )

    assert bodies == [
        {
            "packages": [
                {"orderItems": ["i1", "i2"], "shipmentProviderId": "p1"},
                {"orderItems": "i3", "shipmentProviderId": "p2", "trackingCode": "T-3"},
            ]
        }
    ]
    assert result.packages[0].order_item_ids == ("i1", "i2")
    assert result.packages[0].tracking_code == "DS-1"
    assert result.errors[0].order_item_ids == ("i3",)
    assert result.errors[0].message == "Order items are not from the same order."


async def test_labels_split_at_200_and_decoded() -> None:
    pdf = b"%PDF-1.4\n%test\n"
    sizes: list[int] = []

    def labels(url: Any, **kwargs: Any) -> CallbackResult:
        ids = kwargs["json"]["orderItemIds"]
        sizes.append(len(ids))
        encoded = base64.b64encode(pdf).decode()
        label = encoded if len(ids) > 1 else "data:application/pdf;base64," + encoded
        return CallbackResult(
            payload={
                "success": {
                    "labels": [
                        {"orderItemIds": ids, "trackingNumber": "T", "label": label}
                    ]
                }
            }
        )

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(LABELS, callback=labels, repeat=True)
        async with make_client() as client:
            result = await client.orders.print_labels([f"i{n}" for n in range(201)])

    assert sizes == [200, 1]
    assert [label.pdf for label in result.labels] == [pdf, pdf]


async def test_label_that_is_not_pdf_raises() -> None:
    reply = {"success": {"labels": [{"orderItemIds": ["i1"], "label": "aGVsbG8="}]}}
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(LABELS, payload=reply, repeat=True)
        async with make_client() as client:
            with pytest.raises(ResponseParseError, match="does not decode to a PDF"):
                await client.orders.print_labels(["i1"])


async def test_batch_failure_keeps_other_batches() -> None:
    calls = 0

    def ready(url: Any, **kwargs: Any) -> CallbackResult:
        nonlocal calls
        calls += 1
        ids = kwargs["json"]["orderItemIds"]
        if calls == 1:
            return CallbackResult(status=500, payload={"message": "boom"})
        return CallbackResult(
            payload={
                "success": {"packages": [{"orderItems": ids, "trackingNumber": "T"}]}
            }
        )

    ids = [f"i{n}" for n in range(250)]
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(READY, callback=ready, repeat=True)
        async with make_client() as client:
            with pytest.raises(BatchWriteError) as caught:
                await client.orders.ready_to_ship(ids)

    error = caught.value
    assert calls == 2
    assert len(error.failures) == 1
    failed_ids, cause = error.failures[0]
    assert failed_ids == tuple(ids[:200])
    assert type(cause).__name__ == "AmbiguousWriteError"
    assert error.result.packages[0].order_item_ids == tuple(ids[200:])  # type: ignore[attr-defined]


async def test_parse_error_names_field_path() -> None:
    payload = {"orders": [order("o1"), {"number": "2"}], "isLastPage": True}
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(ORDERS, payload=payload, repeat=True)
        async with make_client() as client:
            with pytest.raises(ResponseParseError) as caught:
                await client.orders.list()
    assert any("$.orders[1].id" in message for message in caught.value.errors)
    assert "GET /orders" in str(caught.value)


async def test_order_fields_read_drift_forms() -> None:
    payload = {
        "orders": [
            {
                "id": "o1",
                "number": 388626919,
                "status": "Ready To Ship",
                "isPrepayment": "true",
                "createdAt": "2025-06-24T09:14:16Z",
                "updatedAt": "2025-06-24 10:02:00",
                "totalAmountLocal": {"currency": "GHS", "value": 150},
                "country": {"code": "CI", "name": "Ivory-Coast", "currencyCode": "XOF"},
                "unknownField": {"ignored": True},
            }
        ],
        "isLastPage": True,
    }
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(ORDERS, payload=payload, repeat=True)
        async with make_client() as client:
            page = await client.orders.list()

    found = page.orders[0]
    assert found.number == "388626919"
    assert found.status == "READY_TO_SHIP"
    assert found.is_prepayment is True
    assert found.created_at == datetime(2025, 6, 24, 9, 14, 16, tzinfo=UTC)
    assert found.updated_at == datetime(2025, 6, 24, 10, 2, tzinfo=UTC)
    assert found.total_amount_local is not None
    assert found.total_amount_local.value == 150.0
    assert found.country is not None
    assert found.country.name == "Ivory-Coast"
    assert page.has_next is False
