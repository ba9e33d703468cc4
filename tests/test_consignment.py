"""Consignment orders and stock on a mocked API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aioresponses import CallbackResult, aioresponses

from jumia_async import AmbiguousWriteError, ConsignmentProduct

from .helpers import TOKEN_URL, TokenServer, make_client, url_pattern

ORDERS = url_pattern("/consignment-order")
ORDER_PO = url_pattern("/consignment-order/PO-77")
STOCK = url_pattern("/consignment-stock")


class Recorder:
    """Record request bodies and reply with a fixed payload."""

    def __init__(self, payload: Any = None, status: int = 200) -> None:
        self.payload = payload
        self.status = status
        self.bodies: list[Any] = []

    def __call__(self, url: Any, **kwargs: Any) -> CallbackResult:
        self.bodies.append(kwargs.get("json"))
        if self.payload is None:
            return CallbackResult(status=self.status, body="")
        return CallbackResult(status=self.status, payload=self.payload)


async def test_create_order_body_and_number() -> None:
    recorder = Recorder({"purchaseOrderNumber": 4500012345})
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(ORDERS, callback=recorder)
        async with make_client() as client:
            number = await client.consignment.create_order(
                "shop-1",
                "JUMIA-MA",
                datetime(2026, 10, 20, 10, 0, 30, tzinfo=UTC),
                [
                    ConsignmentProduct(sku="SKU-1", quantity=10),
                    ConsignmentProduct(sku="SKU-2", quantity=1, label_code="L-2"),
                ],
                comment="first pallet",
            )

    assert number == "4500012345"
    assert recorder.bodies == [
        {
            "shopId": "shop-1",
            "businessClientCode": "jumia-ma",
            "shippingDate": "2026-10-20 10:00:30",
            "products": [
                {"sku": "SKU-1", "quantity": 10},
                {"sku": "SKU-2", "quantity": 1, "labelCode": "L-2"},
            ],
            "comment": "first pallet",
        }
    ]


async def test_create_order_date_means_midnight() -> None:
    recorder = Recorder({"purchaseOrderNumber": "PO-1"})
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(ORDERS, callback=recorder)
        async with make_client() as client:
            await client.consignment.create_order(
                "shop-1",
                "jumia-gh",
                date(2026, 10, 20),
                [ConsignmentProduct(sku="SKU-1", quantity=1)],
            )
    assert recorder.bodies[0]["shippingDate"] == "2026-10-20 00:00:00"
    assert "comment" not in recorder.bodies[0]


async def test_create_order_not_resent_after_500() -> None:
    recorder = Recorder({"code": 500, "message": "boom"}, status=500)
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(ORDERS, callback=recorder, repeat=True)
        async with make_client() as client:
            with pytest.raises(AmbiguousWriteError, match="SKU-1"):
                await client.consignment.create_order(
                    "shop-1",
                    "jumia-gh",
                    date(2026, 10, 20),
                    [ConsignmentProduct(sku="SKU-1", quantity=1)],
                )
    assert len(recorder.bodies) == 1


async def test_update_order_sends_name_of_3pl() -> None:
    recorder = Recorder()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.patch(ORDER_PO, callback=recorder)
        async with make_client() as client:
            await client.consignment.update_order(
                "PO-77",
                is_shipped=True,
                tracking_number="TRK-1",
                name_of_3pl="DHL",
                actual_departure_date=datetime(
                    2026, 2, 1, 17, 51, 3, 413000, tzinfo=UTC
                ),
                estimated_arrival_date=date(2026, 2, 5),
                delivery_agent_phone_number="+212600000000",
            )

    body = recorder.bodies[0]
    assert body == {
        "isShipped": True,
        "trackingNumber": "TRK-1",
        "nameOf3PL": "DHL",
        "deliveryAgentPhoneNumber": "+212600000000",
        "actualDepartureDate": "2026-02-01T17:51:03.413Z",
        "estimatedArrivalDate": "2026-02-05",
    }
    assert "3plName" not in body


async def test_update_order_sends_only_given_fields() -> None:
    recorder = Recorder()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.patch(ORDER_PO, callback=recorder)
        async with make_client() as client:
            await client.consignment.update_order("PO-77", name_of_3pl="Aramex")
    assert recorder.bodies == [{"nameOf3PL": "Aramex"}]


async def test_stock_reads_counts() -> None:
    queries: list[dict[str, str]] = []

    def stock(url: Any, **kwargs: Any) -> CallbackResult:
        queries.append(dict(parse_qsl(url.query_string)))
        return CallbackResult(
            payload={
                "simpleSku": "SKU-1",
                "received": 10,
                "quarantined": "1",
                "defective": 0,
                "canceled": 0,
                "returned": 2,
            }
        )

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(STOCK, callback=stock)
        async with make_client() as client:
            found = await client.consignment.stock("jumia-gh", "SKU-1")

    assert queries == [{"businessClientCode": "jumia-gh", "sku": "SKU-1"}]
    assert found.simple_sku == "SKU-1"
    assert found.received == 10
    assert found.quarantined == 1
    assert found.returned == 2
    assert found.failed is None


def one_line() -> list[ConsignmentProduct]:
    return [ConsignmentProduct(sku="SKU-1", quantity=1)]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"shop_id": ""}, ValueError, "shop_id='' is invalid"),
        ({"business_client_code": "gh"}, ValueError, "for example 'jumia-ma'"),
        (
            {"shipping_date": datetime(2026, 10, 20, 9, 0)},
            ValueError,
            "has no time zone",
        ),
        ({"products": []}, ValueError, "products is empty"),
        (
            {"products": ConsignmentProduct(sku="A", quantity=1)},
            TypeError,
            "wrap it in a list",
        ),
        (
            {
                "products": [
                    ConsignmentProduct(sku=f"S{n}", quantity=1) for n in range(2001)
                ]
            },
            ValueError,
            "at most 2000",
        ),
        (
            {
                "products": [
                    ConsignmentProduct(sku="A", quantity=1),
                    ConsignmentProduct(sku="A", quantity=2),
                ]
            },
            ValueError,
            "appears twice",
        ),
        ({"comment": 5}, TypeError, "comment must be a string"),
    ],
)
async def test_create_order_rejects_bad_arguments(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    arguments: dict[str, Any] = {
        "shop_id": "shop-1",
        "business_client_code": "jumia-gh",
        "shipping_date": date(2026, 10, 20),
        "products": one_line(),
        **kwargs,
    }
    with aioresponses() as mock:
        async with make_client() as client:
            with pytest.raises(error, match=message):
                await client.consignment.create_order(**arguments)
        assert mock.requests == {}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"is_shipped": True}, ValueError, "needs tracking_number"),
        ({}, ValueError, "changes nothing"),
        ({"is_shipped": "yes"}, TypeError, "is_shipped must be True or False"),
        ({"tracking_number": " "}, ValueError, "tracking_number=' '"),
        (
            {"estimated_arrival_date": datetime(2026, 2, 5)},
            ValueError,
            "has no time zone",
        ),
        ({"estimated_arrival_date": "2026-02-05"}, TypeError, "must be a date"),
    ],
)
async def test_update_order_rejects_bad_arguments(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with aioresponses() as mock:
        async with make_client() as client:
            with pytest.raises(error, match=message):
                await client.consignment.update_order("PO-77", **kwargs)
            with pytest.raises(ValueError, match="purchase_order_number"):
                await client.consignment.update_order("", name_of_3pl="DHL")
        assert mock.requests == {}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sku": " ", "quantity": 1}, ValueError, "is empty"),
        ({"sku": "A", "quantity": 0}, ValueError, "ship at least 1 unit"),
        ({"sku": "A", "quantity": 1.0}, TypeError, "must be an int"),
    ],
)
def test_consignment_product_checks_arguments(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        ConsignmentProduct(**kwargs)


async def test_stock_rejects_bad_arguments() -> None:
    with aioresponses() as mock:
        async with make_client() as client:
            with pytest.raises(ValueError, match="business_client_code"):
                await client.consignment.stock("Ghana", "SKU-1")
            with pytest.raises(ValueError, match="sku=''"):
                await client.consignment.stock("jumia-gh", "")
        assert mock.requests == {}
