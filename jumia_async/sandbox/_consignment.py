"""Consignment (Fulfilled by Jumia): inbound orders and warehouse stock.

Products are named by the seller SKU or by Jumia's SKU in the business
client. Which of the two the real API takes is not documented, so the
sandbox accepts both. Stock counts as received `consignment_receive_seconds`
after an order is marked shipped.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from aiohttp import web

from jumia_async._limits import CONSIGNMENT_PRODUCTS_MAX

from ._auth import require_account
from ._catalog_state import Action, CatalogState
from ._consignment_book import ConsignmentLine, ConsignmentOrder, ConsignmentStock
from ._errors import error_response
from ._json_body import read_json_object
from ._keys import STATE_KEY
from ._model import Shop
from ._params import ParamError, is_uuid
from ._products import ProductVariation

logger = logging.getLogger(__name__)

routes = web.RouteTableDef()

_SHIPPING_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", re.ASCII)
_PATCH_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_PATCH_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?", re.ASCII
)
_PATCH_TEXT_FIELDS = {
    "trackingNumber": "tracking_number",
    "nameOf3PL": "name_of_3pl",
    "deliveryAgentPhoneNumber": "delivery_agent_phone_number",
}
_PATCH_DATE_FIELDS = {
    "actualDepartureDate": "actual_departure_date",
    "estimatedArrivalDate": "estimated_arrival_date",
}


def _catalog(request: web.Request) -> tuple[CatalogState, float]:
    state = request.app[STATE_KEY]
    catalog = require_account(request).catalog
    now = state.clock.time()
    catalog.settle(now)
    return catalog, now


@routes.post("/consignment-order")
async def create_order(request: web.Request) -> web.Response:
    """Create a consignment order and return its purchase order number."""
    catalog, now = _catalog(request)
    try:
        body = await read_json_object(request)
        order = _new_order(catalog, body, now)
    except ParamError as exc:
        return error_response(request, 400, exc.message)
    catalog.consignments.orders[order.purchase_order_number] = order
    logger.debug(
        "consignment order %s with %d lines",
        order.purchase_order_number,
        len(order.lines),
    )
    return web.json_response({"purchaseOrderNumber": order.purchase_order_number})


def _new_order(
    catalog: CatalogState, body: dict[str, Any], now: float
) -> ConsignmentOrder:
    shop = _shop(catalog, body.get("shopId"))
    code = body.get("businessClientCode")
    if not isinstance(code, str) or not code.strip():
        raise ParamError("missing required field [businessClientCode]")
    code = code.strip().lower()
    if code != shop.country.business_client_code:
        raise ParamError(
            f"Business client [{code}] is not available for shop [{shop.id}]."
        )
    shipping_date = body.get("shippingDate")
    if not isinstance(shipping_date, str) or not _valid_shipping_date(shipping_date):
        raise ParamError(
            f"invalid shippingDate value [{shipping_date}]: expected "
            "YYYY-MM-DD HH:mm:ss"
        )
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ParamError(f"invalid comment value [{comment}]: expected a string")
    return ConsignmentOrder(
        purchase_order_number=catalog.ids.purchase_order_number(shop.country.code),
        shop=shop,
        business_client_code=code,
        shipping_date=shipping_date,
        lines=_lines(catalog, shop, body.get("products")),
        created=now,
        comment=comment,
    )


def _shop(catalog: CatalogState, shop_id: Any) -> Shop:
    if shop_id is None:
        raise ParamError("missing required field [shopId]")
    if not isinstance(shop_id, str) or not is_uuid(shop_id):
        raise ParamError(f"invalid shopId value [{shop_id}]: expected a UUID")
    shop = catalog.shops.get(shop_id)
    if shop is None:
        raise ParamError(
            f"User does not have permissions to the provided shop [{shop_id}]."
        )
    if shop_id in catalog.consignments.disabled_shop_ids:
        raise ParamError(f"Shop [{shop_id}] is not a Fulfilled by Jumia shop.")
    return shop


def _valid_shipping_date(text: str) -> bool:
    if not _SHIPPING_DATE.fullmatch(text):
        return False
    try:
        datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return False
    return True


def _lines(catalog: CatalogState, shop: Shop, raw: Any) -> tuple[ConsignmentLine, ...]:
    if not isinstance(raw, list) or not raw:
        raise ParamError("field [products] must be a non-empty list")
    if len(raw) > CONSIGNMENT_PRODUCTS_MAX:
        raise ParamError(
            f"too many products: {len(raw)} given, at most "
            f"{CONSIGNMENT_PRODUCTS_MAX} allowed per consignment order"
        )
    variations = _shop_skus(catalog, shop)
    lines: list[ConsignmentLine] = []
    unknown: list[str] = []
    for position, entry in enumerate(raw):
        sku, quantity, label_code = _line_fields(position, entry)
        variation = variations.get(sku)
        if variation is None:
            unknown.append(sku)
            continue
        lines.append(ConsignmentLine(sku, variation, quantity, label_code))
    if unknown:
        listed = ", ".join(unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise ParamError(f"Products not found in shop [{shop.id}]: [{listed}]{more}.")
    return tuple(lines)


def _line_fields(position: int, entry: Any) -> tuple[str, int, str | None]:
    if not isinstance(entry, dict):
        raise ParamError(f"products[{position}] must be an object")
    sku = entry.get("sku")
    if not isinstance(sku, str) or not sku.strip():
        raise ParamError(f"missing required field [products[{position}].sku]")
    quantity = entry.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ParamError(
            f"invalid products[{position}].quantity value [{quantity}]: expected an "
            "integer of 1 or more"
        )
    label_code = entry.get("labelCode")
    if label_code is not None and not isinstance(label_code, str):
        raise ParamError(
            f"invalid products[{position}].labelCode value [{label_code}]: "
            "expected a string"
        )
    return sku.strip(), quantity, label_code


def _shop_skus(catalog: CatalogState, shop: Shop) -> dict[str, ProductVariation]:
    """Map the shop's seller SKUs and Jumia SKUs to their variations."""
    skus: dict[str, ProductVariation] = {}
    code = shop.country.business_client_code
    for product_set in catalog.products.candidates(
        ids=(), seller_sku=None, shop_id=shop.id
    ):
        for variation in product_set.variations:
            skus[variation.seller_sku] = variation
            listing = variation.listings.get(code)
            if listing is not None and listing.sku:
                skus[listing.sku] = variation
    return skus


@routes.patch("/consignment-order/{purchaseOrderNumber}")
async def update_order(request: web.Request) -> web.Response:
    """Update an order's shipping details and return an empty body.

    `3plName`, the field name of older documentation, is ignored like
    every other unknown field. `isShipped: true` needs a tracking number,
    sent now or earlier.
    """
    catalog, now = _catalog(request)
    number = request.match_info["purchaseOrderNumber"]
    order = catalog.consignments.orders.get(number)
    if order is None:
        return error_response(request, 404, f"Consignment order [{number}] not found.")
    try:
        body = await read_json_object(request)
        changes, is_shipped = _patch_fields(body)
        _check_patch(order, changes, is_shipped)
    except ParamError as exc:
        return error_response(request, 400, exc.message)

    for attribute, value in changes.items():
        setattr(order, attribute, value)
    if is_shipped is True and not order.is_shipped:
        order.is_shipped = True
        order.shipped_at = now
        due = now + catalog.config.consignment_receive_seconds
        catalog.scheduler.at(due, _receipt(catalog, order, now))
    elif is_shipped is False:
        order.is_shipped = False
        order.shipped_at = None
    return web.Response(status=200)


def _patch_fields(body: dict[str, Any]) -> tuple[dict[str, str], bool | None]:
    changes: dict[str, str] = {}
    for wire, attribute in _PATCH_TEXT_FIELDS.items():
        value = body.get(wire)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ParamError(f"invalid {wire} value [{value}]: expected a string")
        changes[attribute] = value
    for wire, attribute in _PATCH_DATE_FIELDS.items():
        value = body.get(wire)
        if value is None:
            continue
        if not isinstance(value, str) or not _valid_patch_date(value):
            raise ParamError(
                f"invalid {wire} value [{value}]: expected YYYY-MM-DD or an ISO 8601 "
                "date-time"
            )
        changes[attribute] = value
    is_shipped = body.get("isShipped")
    if is_shipped is not None and not isinstance(is_shipped, bool):
        raise ParamError(
            f"invalid isShipped value [{is_shipped}]: expected true or false"
        )
    return changes, is_shipped


def _valid_patch_date(text: str) -> bool:
    try:
        if _PATCH_DATE.fullmatch(text):
            datetime.strptime(text, "%Y-%m-%d")
            return True
        if _PATCH_DATE_TIME.fullmatch(text):
            datetime.fromisoformat(text.upper())
            return True
    except ValueError:
        return False
    return False


def _check_patch(
    order: ConsignmentOrder, changes: dict[str, str], is_shipped: bool | None
) -> None:
    if order.received_at is not None:
        raise ParamError(
            f"Consignment order [{order.purchase_order_number}] was already received "
            "and cannot be changed."
        )
    tracking_number = changes.get("tracking_number", order.tracking_number)
    if is_shipped is True and not tracking_number:
        raise ParamError("field [trackingNumber] is required when isShipped is true")


def _receipt(
    catalog: CatalogState, order: ConsignmentOrder, shipped_at: float
) -> Action:
    def run(at: float) -> None:
        # The order may have been unshipped, or shipped again, since.
        if order.shipped_at == shipped_at:
            catalog.consignments.receive(order, at)

    return run


@routes.get("/consignment-stock")
async def get_stock(request: web.Request) -> web.Response:
    """Return the warehouse stock of one SKU in one business client."""
    catalog, _ = _catalog(request)
    code = request.query.get("businessClientCode", "").strip().lower()
    sku = request.query.get("sku", "").strip()
    if not code or not sku:
        missing = "businessClientCode" if not code else "sku"
        return error_response(request, 400, f"missing required parameter [{missing}]")
    found = _find_sku(catalog, code, sku)
    if found is None:
        return error_response(
            request,
            404,
            f"Product with SKU [{sku}] not found in business client [{code}].",
        )
    variation, simple_sku = found
    stock = catalog.consignments.stock.get((code, variation.id)) or ConsignmentStock()
    return web.json_response(stock.to_json(simple_sku))


def _find_sku(
    catalog: CatalogState, code: str, sku: str
) -> tuple[ProductVariation, str] | None:
    """Return the variation of a seller SKU or Jumia SKU and its simple SKU."""
    for shop in catalog.shops.values():
        if shop.country.business_client_code != code:
            continue
        variation = catalog.products.by_seller_sku(shop.id, sku)
        if variation is not None:
            listing = variation.listings.get(code)
            return variation, (listing.sku if listing and listing.sku else sku)
    for variation in catalog.products.variations():
        listing = variation.listings.get(code)
        if listing is not None and listing.sku == sku:
            return variation, sku
    return None
