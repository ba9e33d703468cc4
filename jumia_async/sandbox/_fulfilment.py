"""Order writes: pack (v1 and v2), ready-to-ship, print-labels and cancel.

Items that a write rejects are reported in the response's `error` block
with HTTP 2xx, as on the real API. Only malformed requests get a 4xx.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from typing import Any

import attrs
from aiohttp import web

from jumia_async._limits import ORDER_ITEM_IDS_BATCH_MAX

from ._auth import require_account
from ._errors import error_response
from ._json_body import read_json_object
from ._keys import STATE_KEY
from ._labels import build_label_pdf
from ._model import CANCELED, PENDING, READY_TO_SHIP, Order, OrderItem, ShipmentProvider
from ._params import ParamError, string_list_field
from ._state import Account, SandboxState

routes = web.RouteTableDef()

ORDER_MANAGER_ROLE = "VC - Order Manager"

# Cancellations through the API carry one default reason.
_CANCELLATION_REASON = {
    "id": "0b6a1f6e-3c1d-4e0a-9a51-7a1c5d8e2f40",
    "description": "Canceled by the seller",
}
_LABEL_ITEM_LINES_MAX = 8


@attrs.frozen
class Rejection:
    """The reason a write rejects one order item, with its API error code."""

    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _not_found(item_id: str) -> Rejection:
    return Rejection("ORDER_ITEM_NOT_FOUND", f"Order item [{item_id}] not found.")


def _fulfilled_by_jumia(item: OrderItem) -> Rejection:
    return Rejection(
        "FULFILLED_BY_JUMIA",
        f"Order item [{item.id}] is fulfilled by Jumia and cannot be changed.",
    )


def _wrong_status(item: OrderItem, expected: Iterable[str]) -> Rejection:
    return Rejection(
        "INVALID_STATUS",
        f"Order item [{item.id}] has status [{item.status}], "
        f"expected [{', '.join(expected)}].",
    )


def _pack_rejection(item: OrderItem) -> Rejection | None:
    if item.fulfilled_by_jumia:
        return _fulfilled_by_jumia(item)
    if item.status != PENDING:
        return _wrong_status(item, [PENDING])
    if item.is_packed:
        return Rejection("ALREADY_PACKED", f"Order item [{item.id}] is already packed.")
    return None


def _provider_rejection(item: OrderItem, provider_id: str) -> Rejection:
    return Rejection(
        "INVALID_SHIPMENT_PROVIDER",
        f"Shipment provider [{provider_id}] is not available for order item "
        f"[{item.id}].",
    )


def _forbidden(request: web.Request, account: Account) -> web.Response | None:
    """Return a 403 response unless the Mastershop may change orders."""
    if account.order_manager_role:
        return None
    return error_response(
        request,
        403,
        f"Access denied: the application lacks the role [{ORDER_MANAGER_ROLE}]",
    )


def _writer(
    request: web.Request,
) -> tuple[SandboxState, Account, web.Response | None]:
    state = request.app[STATE_KEY]
    account = require_account(request)
    return state, account, _forbidden(request, account)


def _touch_orders(
    state: SandboxState, account: Account, orders: Iterable[Order]
) -> None:
    now = state.now()
    for order in set(orders):
        account.orders.touch(order, now)


def _item_errors(rejected: list[tuple[str, Rejection]]) -> dict[str, Any]:
    entries = [
        {"id": item_id, "response": rejection.to_json()}
        for item_id, rejection in rejected
    ]
    return {"orderItems": entries, "total": len(entries)}


def _group_by_tracking_number(items: Iterable[OrderItem]) -> dict[str, list[OrderItem]]:
    packages: dict[str, list[OrderItem]] = {}
    for item in items:
        packages.setdefault(item.tracking_number, []).append(item)
    return packages


@routes.post("/orders/pack")
async def pack_v1(request: web.Request) -> web.Response:
    """Pack items into one package per order and provider, numbered by the sandbox."""
    state, account, denied = _writer(request)
    if denied is not None:
        return denied
    try:
        entries = _pack_v1_entries(await read_json_object(request))
    except ParamError as exc:
        return error_response(request, 400, exc.message)

    rejected: list[tuple[str, Rejection]] = []
    groups: dict[tuple[str, str], list[tuple[OrderItem, ShipmentProvider]]] = {}
    seen: set[str] = set()
    for item_id, provider_id in entries:
        outcome = _pack_v1_entry(account, item_id, provider_id, seen)
        seen.add(item_id)
        if isinstance(outcome, Rejection):
            rejected.append((item_id, outcome))
        else:
            item, provider = outcome
            groups.setdefault((item.order.id, provider.id), []).append(outcome)

    packages = [_pack_items(state, group) for group in groups.values()]
    _touch_orders(state, account, (items[0][0].order for items in groups.values()))
    body = {
        "success": {
            "packages": packages,
            "total": sum(len(package["orderItems"]) for package in packages),
        },
        "error": _item_errors(rejected),
    }
    # NOTE: the status of a successful v1 pack is not documented, so the
    # sandbox uses 201 like v2.
    return web.json_response(body, status=201)


def _pack_v1_entry(
    account: Account, item_id: str, provider_id: str, seen: set[str]
) -> tuple[OrderItem, ShipmentProvider] | Rejection:
    if item_id in seen:
        return Rejection("DUPLICATE", f"Order item [{item_id}] is listed twice.")
    item = account.orders.get_item(item_id)
    if item is None:
        return _not_found(item_id)
    rejection = _pack_rejection(item)
    if rejection is not None:
        return rejection
    provider = item.offers(provider_id)
    if provider is None:
        return _provider_rejection(item, provider_id)
    return item, provider


def _pack_v1_entries(body: dict[str, Any]) -> list[tuple[str, str]]:
    raw = body.get("orderItems")
    if not isinstance(raw, list) or not raw:
        raise ParamError("field [orderItems] must be a non-empty list")
    entries = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise ParamError("each entry of [orderItems] must be an object")
        item_id = entry.get("id")
        provider_id = entry.get("shipmentProviderId")
        if not isinstance(item_id, str) or not isinstance(provider_id, str):
            raise ParamError(
                "each entry of [orderItems] needs string fields [id] and "
                "[shipmentProviderId]"
            )
        entries.append((item_id, provider_id))
    return entries


def _pack_items(
    state: SandboxState, group: list[tuple[OrderItem, ShipmentProvider]]
) -> dict[str, Any]:
    country_code = group[0][0].order.shop.country.code
    tracking_number = state.tracking_numbers.issue(country_code)
    for item, provider in group:
        item.tracking_number = tracking_number
        item.provider = provider
    return {
        "orderItems": [item.id for item, _ in group],
        "countryCode": country_code,
        "trackingNumber": tracking_number,
    }


@attrs.frozen
class _PackageRequest:
    item_ids: list[str]
    provider_id: str
    tracking_code: str | None


@routes.post("/v2/orders/pack")
async def pack_v2(request: web.Request) -> web.Response:
    """Pack each requested package, or report why it cannot be packed."""
    state, account, denied = _writer(request)
    if denied is not None:
        return denied
    try:
        requests = _package_requests(await read_json_object(request))
    except ParamError as exc:
        return error_response(request, 400, exc.message)

    packed: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for package in requests:
        outcome = _pack_package(state, account, package)
        if isinstance(outcome, Rejection):
            failed.append({"orderItems": package.item_ids, "error": outcome.message})
        else:
            packed.append({"orderItems": package.item_ids, "trackingCode": outcome})
    body = {
        "success": {"packages": packed, "total": _item_count(packed)},
        "error": {"packages": failed, "total": _item_count(failed)},
    }
    return web.json_response(body, status=201)


def _item_count(packages: list[dict[str, Any]]) -> int:
    return sum(len(package["orderItems"]) for package in packages)


def _package_requests(body: dict[str, Any]) -> list[_PackageRequest]:
    raw = body.get("packages")
    if not isinstance(raw, list) or not raw:
        raise ParamError("field [packages] must be a non-empty list")
    return [_package_request(entry) for entry in raw]


def _package_request(entry: object) -> _PackageRequest:
    """Read one package. `orderItems` may be one id string or a list of ids."""
    if not isinstance(entry, dict):
        raise ParamError("each entry of [packages] must be an object")
    raw_items = entry.get("orderItems")
    if isinstance(raw_items, str) and raw_items:
        item_ids = [raw_items]
    elif isinstance(raw_items, list):
        item_ids = string_list_field(entry, "orderItems")
    else:
        raise ParamError(
            "field [orderItems] of a package must be an id or a non-empty list of ids"
        )
    provider_id = entry.get("shipmentProviderId")
    if not isinstance(provider_id, str) or not provider_id:
        raise ParamError("field [shipmentProviderId] of a package must be a string")
    tracking_code = entry.get("trackingCode")
    if tracking_code is not None and not isinstance(tracking_code, str):
        raise ParamError("field [trackingCode] of a package must be a string")
    return _PackageRequest(item_ids, provider_id, tracking_code or None)


def _pack_package(
    state: SandboxState, account: Account, package: _PackageRequest
) -> str | Rejection:
    """Pack one package and return its tracking number or the rejection."""
    items = []
    for item_id in package.item_ids:
        item = account.orders.get_item(item_id)
        if item is None:
            return _not_found(item_id)
        items.append(item)
    if len({item.order.id for item in items}) > 1:
        return Rejection("NOT_SAME_ORDER", "Order items are not from the same order.")
    for item in items:
        rejection = _pack_rejection(item)
        if rejection is None and item.offers(package.provider_id) is None:
            rejection = _provider_rejection(item, package.provider_id)
        if rejection is not None:
            return rejection

    provider = items[0].offers(package.provider_id)
    assert provider is not None  # every item offers it, checked above
    order = items[0].order
    if provider.tracking_code_required and package.tracking_code is None:
        return Rejection(
            "TRACKING_CODE_REQUIRED",
            f"Tracking code is required for shipment provider [{provider.name}].",
        )
    # NOTE: the real API's reaction to a tracking code for a provider that
    # needs none is unknown. The sandbox ignores the code and issues its own.
    if provider.tracking_code_required and package.tracking_code is not None:
        tracking_number = package.tracking_code
    else:
        tracking_number = state.tracking_numbers.issue(order.shop.country.code)

    for item in items:
        item.tracking_number = tracking_number
        item.provider = provider
    account.orders.touch(order, state.now())
    return tracking_number


@routes.post("/orders/ready-to-ship")
async def ready_to_ship(request: web.Request) -> web.Response:
    """Move packed pending items to READY_TO_SHIP."""
    state, account, denied = _writer(request)
    if denied is not None:
        return denied
    try:
        item_ids = string_list_field(await read_json_object(request), "orderItemIds")
    except ParamError as exc:
        return error_response(request, 400, exc.message)

    accepted, rejected = _partition(account, item_ids, _ready_to_ship_rejection)
    for item in accepted:
        item.status = READY_TO_SHIP
    _touch_orders(state, account, (item.order for item in accepted))

    packages = [
        {
            "orderItems": [item.id for item in items],
            "countryCode": items[0].order.shop.country.code,
            "trackingNumber": tracking_number,
        }
        for tracking_number, items in _group_by_tracking_number(accepted).items()
    ]
    body = {
        "success": {"packages": packages, "total": len(accepted)},
        "error": _item_errors(rejected),
    }
    return web.json_response(body)


def _ready_to_ship_rejection(item: OrderItem) -> Rejection | None:
    if item.fulfilled_by_jumia:
        return _fulfilled_by_jumia(item)
    if item.status != PENDING:
        return _wrong_status(item, [PENDING])
    if not item.is_packed:
        return Rejection("NOT_PACKED", f"Order item [{item.id}] is not packed.")
    return None


def _partition(
    account: Account,
    item_ids: list[str],
    check: Callable[[OrderItem], Rejection | None],
) -> tuple[list[OrderItem], list[tuple[str, Rejection]]]:
    """Split item ids into items that pass `check` and rejected ids."""
    accepted: list[OrderItem] = []
    rejected: list[tuple[str, Rejection]] = []
    for item_id in item_ids:
        item = account.orders.get_item(item_id)
        rejection = _not_found(item_id) if item is None else check(item)
        if rejection is not None:
            rejected.append((item_id, rejection))
        elif item is not None:
            accepted.append(item)
    return accepted, rejected


@routes.post("/orders/print-labels")
async def print_labels(request: web.Request) -> web.Response:
    """Return one base64 PDF label per package of the packed items."""
    state, account, denied = _writer(request)
    if denied is not None:
        return denied
    try:
        item_ids = string_list_field(await read_json_object(request), "orderItemIds")
        if len(item_ids) > ORDER_ITEM_IDS_BATCH_MAX:
            raise ParamError(
                f"too many orderItemIds: {len(item_ids)} given, at most "
                f"{ORDER_ITEM_IDS_BATCH_MAX} allowed"
            )
    except ParamError as exc:
        return error_response(request, 400, exc.message)

    accepted, rejected = _partition(account, item_ids, _label_rejection)
    labels = [
        _label(state, tracking_number, items)
        for tracking_number, items in _group_by_tracking_number(accepted).items()
    ]
    body = {
        "success": {"labels": labels, "total": len(labels)},
        "error": _item_errors(rejected),
    }
    return web.json_response(body)


def _label_rejection(item: OrderItem) -> Rejection | None:
    if item.fulfilled_by_jumia:
        return _fulfilled_by_jumia(item)
    if not item.is_packed:
        return Rejection("NOT_PACKED", f"Order item [{item.id}] is not packed.")
    if item.status == CANCELED:
        return _wrong_status(item, [PENDING, READY_TO_SHIP])
    return None


def _label(
    state: SandboxState, tracking_number: str, items: list[OrderItem]
) -> dict[str, Any]:
    order = items[0].order
    country = order.shop.country
    provider = items[0].provider
    lines = [
        f"Tracking number: {tracking_number}",
        f"Order number: {order.number}",
        f"Shipment provider: {provider.name if provider else '-'}",
        f"Shop: {order.shop.name}",
        f"Country: {country.name} ({country.code})",
        f"Items: {len(items)}",
    ]
    lines.extend(
        f"  {item.product.seller_sku}  {item.product.name}"
        for item in items[:_LABEL_ITEM_LINES_MAX]
    )
    pdf = build_label_pdf("Jumia sandbox shipping label", lines)
    label = base64.b64encode(pdf).decode("ascii")
    if state.config.label_form == "data-uri":
        label = f"data:application/pdf;base64,{label}"
    return {
        "orderItemIds": [item.id for item in items],
        "countryCode": country.code,
        "trackingNumber": tracking_number,
        "label": label,
    }


@routes.put("/orders/cancel")
async def cancel(request: web.Request) -> web.Response:
    """Cancel pending or ready-to-ship items that Jumia does not fulfil."""
    state, account, denied = _writer(request)
    if denied is not None:
        return denied
    try:
        item_ids = string_list_field(await read_json_object(request), "orderItemIds")
    except ParamError as exc:
        return error_response(request, 400, exc.message)

    accepted, rejected = _partition(account, item_ids, _cancel_rejection)
    for item in accepted:
        item.status = CANCELED
    _touch_orders(state, account, (item.order for item in accepted))

    canceled = [
        {
            "id": item.id,
            "countryCode": item.order.shop.country.code,
            "cancellationReason": _CANCELLATION_REASON,
        }
        for item in accepted
    ]
    errors = [
        {
            "id": item_id,
            "cancellationReason": {"description": _CANCELLATION_REASON["description"]},
            "response": rejection.to_json(),
        }
        for item_id, rejection in rejected
    ]
    body = {
        "success": {"orderItems": canceled, "total": len(canceled)},
        "error": {"orderItems": errors, "total": len(errors)},
    }
    return web.json_response(body)


def _cancel_rejection(item: OrderItem) -> Rejection | None:
    if item.fulfilled_by_jumia:
        return _fulfilled_by_jumia(item)
    if item.status not in (PENDING, READY_TO_SHIP):
        return _wrong_status(item, [PENDING, READY_TO_SHIP])
    return None
