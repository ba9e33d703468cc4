"""Consignment (Fulfilled by Jumia shops only): inbound orders and stock."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import attrs

from .._converter import structure
from .._limits import CONSIGNMENT_PRODUCTS_MAX
from .._models.common import json_field
from .._models.consignment import ConsignmentProduct, ConsignmentStock
from .._protocol import format_query_datetime, require_aware
from ._base import Resource

__all__ = ["ConsignmentResource"]

_BUSINESS_CLIENT_CODE = re.compile(r"^jumia-[a-z]{2}$")


@attrs.frozen(kw_only=True)
class _OrderCreated:
    purchase_order_number: str = json_field(aliases=("purchaseOrderNo", "number"))


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}={value!r} is invalid; pass a non-empty string")
    return value.strip()


def _check_business_client(code: object) -> str:
    text = _check_text("business_client_code", code).lower()
    if not _BUSINESS_CLIENT_CODE.match(text):
        raise ValueError(
            f"business_client_code={code!r} is invalid; use 'jumia-' and the "
            "country code, for example 'jumia-ma'"
        )
    return text


def _check_products(products: Sequence[ConsignmentProduct]) -> list[ConsignmentProduct]:
    if isinstance(products, ConsignmentProduct | str):
        raise TypeError(
            "products must be a list of ConsignmentProduct; wrap it in a list"
        )
    items = list(products)
    if not items:
        raise ValueError("products is empty; pass at least one ConsignmentProduct")
    if len(items) > CONSIGNMENT_PRODUCTS_MAX:
        raise ValueError(
            f"products has {len(items)} lines; a consignment order takes at most "
            f"{CONSIGNMENT_PRODUCTS_MAX}, so split it into several orders"
        )
    seen: set[str] = set()
    for position, item in enumerate(items):
        if not isinstance(item, ConsignmentProduct):
            raise TypeError(f"products[{position}] is {item!r}; use ConsignmentProduct")
        if item.sku in seen:
            raise ValueError(
                f"SKU {item.sku!r} appears twice in products; add the quantities "
                "into one line"
            )
        seen.add(item.sku)
    return items


def _patch_date(name: str, value: date | datetime) -> str:
    """Format a PATCH date: `YYYY-MM-DD` for a date, ISO 8601 UTC for a datetime.

    The API's examples use both forms, so a date is sent as a date and a
    datetime with its time.
    """
    if isinstance(value, datetime):
        moment = require_aware(name, value)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{name} must be a date or an aware datetime, got {value!r}")


class ConsignmentResource(Resource):
    """Consignment orders and warehouse stock, for Fulfilled-by-Jumia shops."""

    async def create_order(
        self,
        shop_id: str,
        business_client_code: str,
        shipping_date: date | datetime,
        products: Sequence[ConsignmentProduct],
        comment: str | None = None,
    ) -> str:
        """Create a consignment order and return its purchase order number.

        `shipping_date` is sent as `YYYY-MM-DD HH:mm:ss` in UTC; a date
        means midnight. At most 2000 product lines fit in one order.
        """
        body: dict[str, Any] = {
            "shopId": _check_text("shop_id", shop_id),
            "businessClientCode": _check_business_client(business_client_code),
            # NOTE: the API does not document the time zone of shippingDate;
            # UTC is sent, as for every other date this client formats.
            "shippingDate": format_query_datetime(
                require_aware("shipping_date", shipping_date)
            ),
            "products": [_product_body(item) for item in _check_products(products)],
        }
        if comment is not None:
            if not isinstance(comment, str):
                raise TypeError(f"comment must be a string, got {comment!r}")
            body["comment"] = comment

        path = "/consignment-order"
        payload = await self._transport.request(
            "POST",
            path,
            json_body=body,
            write=True,
            ids=[item["sku"] for item in body["products"]],
        )
        reply = structure(payload or {}, _OrderCreated, method="POST", path=path)
        return reply.purchase_order_number

    async def update_order(
        self,
        purchase_order_number: str,
        *,
        is_shipped: bool | None = None,
        tracking_number: str | None = None,
        name_of_3pl: str | None = None,
        actual_departure_date: date | datetime | None = None,
        estimated_arrival_date: date | datetime | None = None,
        delivery_agent_phone_number: str | None = None,
    ) -> None:
        """Update a consignment order (`PATCH /consignment-order/{number}`).

        Only the arguments given are sent. The carrier goes out as
        `nameOf3PL`; the API drops the older `3plName` spelling silently.
        A shipped order needs `tracking_number`. Dates are sent as
        `YYYY-MM-DD` for a date and ISO 8601 UTC for a datetime.
        """
        number = _check_text("purchase_order_number", purchase_order_number)
        body: dict[str, Any] = {}
        if is_shipped is not None:
            if not isinstance(is_shipped, bool):
                raise TypeError(f"is_shipped must be True or False, got {is_shipped!r}")
            body["isShipped"] = is_shipped
        texts = {
            "trackingNumber": ("tracking_number", tracking_number),
            "nameOf3PL": ("name_of_3pl", name_of_3pl),
            "deliveryAgentPhoneNumber": (
                "delivery_agent_phone_number",
                delivery_agent_phone_number,
            ),
        }
        for wire, (name, value) in texts.items():
            if value is not None:
                body[wire] = _check_text(name, value)
        dates = {
            "actualDepartureDate": ("actual_departure_date", actual_departure_date),
            "estimatedArrivalDate": ("estimated_arrival_date", estimated_arrival_date),
        }
        for wire, (name, moment) in dates.items():
            if moment is not None:
                body[wire] = _patch_date(name, moment)

        if is_shipped and "trackingNumber" not in body:
            raise ValueError(
                "is_shipped=True needs tracking_number; pass the carrier's "
                "tracking number"
            )
        if not body:
            raise ValueError(
                "update_order changes nothing; pass is_shipped, tracking_number "
                "or another field"
            )

        path = f"/consignment-order/{quote(number, safe='')}"
        await self._transport.request(
            "PATCH", path, json_body=body, write=True, ids=[number]
        )

    async def stock(self, business_client_code: str, sku: str) -> ConsignmentStock:
        """Return the warehouse stock of one SKU (`GET /consignment-stock`)."""
        query = [
            ("businessClientCode", _check_business_client(business_client_code)),
            ("sku", _check_text("sku", sku)),
        ]
        return await self._get("/consignment-stock", ConsignmentStock, query)


def _product_body(item: ConsignmentProduct) -> dict[str, Any]:
    body: dict[str, Any] = {"sku": item.sku.strip(), "quantity": item.quantity}
    if item.label_code is not None:
        body["labelCode"] = item.label_code
    return body
