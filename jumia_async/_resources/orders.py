"""Orders (GOP): listing, items, shipment providers and fulfilment."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import attrs

from .._converter import structure
from .._errors import JumiaError, ValidationError
from .._limits import (
    ORDER_ITEM_IDS_BATCH_MAX,
    ORDER_ITEMS_BATCH_MAX,
    ORDERS_DATE_RANGE_MONTHS,
    ORDERS_PAGE_SIZE_DEFAULT,
    ORDERS_PAGE_SIZE_MAX,
    PACKAGES_BATCH_MAX,
    SHIPMENT_PROVIDERS_BATCH_MAX,
)
from .._models.orders import (
    CancelResult,
    LabelsResult,
    Order,
    OrderItems,
    OrdersPage,
    OrderStatus,
    PackageRequest,
    PackResult,
    ReadyToShipResult,
    ShipmentProvider,
)
from .._protocol import (
    add_months,
    check_date_range,
    chunked,
    format_query_datetime,
    require_aware,
    require_ids,
)
from .._wire import (
    WireCancelReply,
    WireLabelsReply,
    WirePackReply,
    WireReadyToShipReply,
    cancel_result,
    labels_result,
    pack_result,
    ready_to_ship_result,
)
from ._base import Resource, gather_batches, run_write_batches, walk_cursor

__all__ = ["OrderItemsResult", "OrdersResource", "build_orders_query"]

DateLike = datetime | date


@attrs.frozen(kw_only=True)
class OrderItemsResult:
    """Items of the requested orders, and the orders that could not be read.

    `orders` follows the order of the request; `failed` maps each order id
    that could not be read to its error, and `missing` lists the ids the API
    returned nothing for (unknown, or not visible to this token).
    """

    orders: list[OrderItems] = attrs.field(factory=list)
    failed: dict[str, JumiaError] = attrs.field(factory=dict)
    missing: list[str] = attrs.field(factory=list)

    def by_order_id(self) -> dict[str, OrderItems]:
        """Return the orders keyed by order id."""
        return {entry.order_id: entry for entry in self.orders}


def _statuses(status: OrderStatus | str | Iterable[OrderStatus | str]) -> list[str]:
    values = [status] if isinstance(status, str) else list(status)
    if not values:
        raise ValueError("status is empty; pass one or more OrderStatus values or None")
    valid = {member.value for member in OrderStatus}
    normalized = []
    for value in values:
        text = str(value).strip().upper()
        if text not in valid:
            raise ValueError(
                f"status {value!r} is not an order status; use one of "
                f"{', '.join(sorted(valid))} (CANCELED has one L)"
            )
        normalized.append(text)
    return normalized


def _countries(country: str | Iterable[str]) -> list[str]:
    values = [country] if isinstance(country, str) else list(country)
    if not values:
        raise ValueError(
            "country is empty; pass ISO country codes such as 'GH' or None"
        )
    codes = []
    for value in values:
        code = str(value).strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise ValueError(
                f"country {value!r} is not a two-letter ISO code; use for example 'NG'"
            )
        codes.append(code)
    return codes


def build_orders_query(
    *,
    status: OrderStatus | str | Iterable[OrderStatus | str] | None = None,
    country: str | Iterable[str] | None = None,
    shop_id: str | None = None,
    created_after: DateLike | None = None,
    created_before: DateLike | None = None,
    updated_after: DateLike | None = None,
    updated_before: DateLike | None = None,
    size: int = ORDERS_PAGE_SIZE_DEFAULT,
    sort: str | None = None,
    token: str | None = None,
    now: datetime | None = None,
) -> list[tuple[str, str]]:
    """Check `/orders` filters and build the query, or raise ValueError.

    The API returns only today's orders when no date filter is given,
    rejects created and updated filters together, and rejects ranges over
    three months. A range with one bound is checked against `now`.
    """
    created = (created_after, created_before)
    updated = (updated_after, updated_before)
    if any(value is not None for value in created) and any(
        value is not None for value in updated
    ):
        raise ValueError(
            "created_* and updated_* filters cannot be combined; the API rejects "
            "both together, so pass only one pair"
        )
    if (
        not isinstance(size, int)
        or isinstance(size, bool)
        or not (1 <= size <= ORDERS_PAGE_SIZE_MAX)
    ):
        raise ValueError(f"size={size!r} is invalid; use 1 to {ORDERS_PAGE_SIZE_MAX}")
    if sort is not None and (
        not isinstance(sort, str) or sort.upper() not in ("ASC", "DESC")
    ):
        raise ValueError(f"sort={sort!r} is invalid; use 'ASC' or 'DESC'")
    if shop_id is not None and (not isinstance(shop_id, str) or not shop_id.strip()):
        raise ValueError(f"shop_id={shop_id!r} is invalid; pass a shop id or None")

    query: list[tuple[str, str]] = []
    if status is not None:
        query.append(("status", ",".join(_statuses(status))))
    if country is not None:
        query.append(("country", ",".join(_countries(country))))
    if shop_id is not None:
        query.append(("shopId", shop_id.strip()))

    current = now or datetime.now(UTC)
    for prefix, (after, before) in (("created", created), ("updated", updated)):
        after_time = require_aware(f"{prefix}_after", after) if after else None
        before_time = require_aware(f"{prefix}_before", before) if before else None
        if (
            after_time is not None
            and before_time is None
            and current > add_months(after_time, ORDERS_DATE_RANGE_MONTHS)
        ):
            raise ValueError(
                f"{prefix}_after={after_time.isoformat()} is more than "
                f"{ORDERS_DATE_RANGE_MONTHS} months ago; the API rejects longer "
                f"ranges, so also pass {prefix}_before within 3 months of it"
            )
        check_date_range(f"{prefix}_after", after_time, f"{prefix}_before", before_time)
        if after_time is not None:
            query.append((f"{prefix}After", format_query_datetime(after_time)))
        if before_time is not None:
            query.append((f"{prefix}Before", format_query_datetime(before_time)))

    query.append(("size", str(size)))
    if sort is not None:
        query.append(("sort", sort.upper()))
    if token:
        query.append(("token", token))
    return query


def _order_items_list(payload: Any) -> Any:
    """Accept an array of per-order entries or a single entry object."""
    if isinstance(payload, dict):
        if "orderId" in payload or "items" in payload:
            return [payload]
        for key in ("orders", "orderItems", "data"):
            if isinstance(payload.get(key), list):
                return payload[key]
    return [] if payload is None else payload


def _providers_list(payload: Any) -> Any:
    if isinstance(payload, dict):
        return payload.get("orderItems", [])
    return [] if payload is None else payload


@attrs.frozen(kw_only=True)
class _ItemProviders:
    id: str
    shipment_providers: list[ShipmentProvider] = attrs.field(factory=list)


class OrdersResource(Resource):
    """Orders, their items, and the fulfilment calls (GOP)."""

    async def list(
        self,
        *,
        status: OrderStatus | str | Iterable[OrderStatus | str] | None = None,
        country: str | Iterable[str] | None = None,
        shop_id: str | None = None,
        created_after: DateLike | None = None,
        created_before: DateLike | None = None,
        updated_after: DateLike | None = None,
        updated_before: DateLike | None = None,
        size: int = ORDERS_PAGE_SIZE_DEFAULT,
        sort: str | None = None,
        token: str | None = None,
    ) -> OrdersPage:
        """Return one page of orders and the cursor of the next page.

        Without a date filter the API returns only today's orders. Datetimes
        must be aware; a `date` means midnight UTC.
        """
        query = build_orders_query(
            status=status,
            country=country,
            shop_id=shop_id,
            created_after=created_after,
            created_before=created_before,
            updated_after=updated_after,
            updated_before=updated_before,
            size=size,
            sort=sort,
            token=token,
        )
        return await self._get("/orders", OrdersPage, query)

    def iter(
        self,
        *,
        status: OrderStatus | str | Iterable[OrderStatus | str] | None = None,
        country: str | Iterable[str] | None = None,
        shop_id: str | None = None,
        created_after: DateLike | None = None,
        created_before: DateLike | None = None,
        updated_after: DateLike | None = None,
        updated_before: DateLike | None = None,
        size: int = ORDERS_PAGE_SIZE_DEFAULT,
        sort: str | None = None,
    ) -> AsyncIterator[Order]:
        """Yield every order matching the filters, page after page.

        Stops on `isLastPage` or an empty cursor, and raises PaginationError
        if the API returns a cursor it already returned.
        """
        filters: dict[str, Any] = {
            "status": status,
            "country": country,
            "shop_id": shop_id,
            "created_after": created_after,
            "created_before": created_before,
            "updated_after": updated_after,
            "updated_before": updated_before,
            "size": size,
            "sort": sort,
        }
        # Check the filters before the first request, not at the first await.
        build_orders_query(**filters)

        async def fetch(token: str | None) -> OrdersPage:
            return await self.list(**filters, token=token)

        return walk_cursor("/orders", fetch, lambda page: page.orders)

    async def items(self, order_ids: Sequence[str]) -> OrderItemsResult:
        """Return the items of each order, read in batches of 50 orders.

        When the API returns 422 for a batch, each order of the batch is
        read alone, so that one unreadable order does not hide the others.
        Orders that still fail are listed in `failed` with their error.
        """
        ids = require_ids("order_ids", order_ids)
        batches = list(chunked(ids, ORDER_ITEMS_BATCH_MAX))
        outcomes = await gather_batches(batches, self._items_batch)

        found: dict[str, OrderItems] = {}
        failed: dict[str, JumiaError] = {}
        for entries, errors in outcomes:
            for entry in entries:
                found.setdefault(entry.order_id, entry)
            failed.update(errors)
        ordered = [found[order_id] for order_id in ids if order_id in found]
        missing = [i for i in ids if i not in found and i not in failed]
        return OrderItemsResult(orders=ordered, failed=failed, missing=missing)

    async def _items_batch(
        self, batch: builtins.list[str]
    ) -> tuple[builtins.list[OrderItems], dict[str, JumiaError]]:
        try:
            return await self._read_items(batch), {}
        except ValidationError as error:
            if error.status != 422 or len(batch) == 1:
                return [], dict.fromkeys(batch, error)
        except JumiaError as error:
            return [], dict.fromkeys(batch, error)
        singles = await asyncio.gather(
            *(self._items_batch([order_id]) for order_id in batch)
        )
        entries: builtins.list[OrderItems] = []
        errors: dict[str, JumiaError] = {}
        for single_entries, single_errors in singles:
            entries.extend(single_entries)
            errors.update(single_errors)
        return entries, errors

    async def _read_items(self, batch: builtins.list[str]) -> builtins.list[OrderItems]:
        path = "/orders/items"
        params = [("orderId", order_id) for order_id in batch]
        payload = await self._transport.request("GET", path, params=params)
        return structure(
            _order_items_list(payload),
            builtins.list[OrderItems],
            method="GET",
            path=path,
        )

    async def shipment_providers(
        self, order_item_ids: Sequence[str]
    ) -> dict[str, builtins.list[ShipmentProvider]]:
        """Return the shipment providers offered for each order item."""
        ids = require_ids("order_item_ids", order_item_ids)
        batches = list(chunked(ids, SHIPMENT_PROVIDERS_BATCH_MAX))
        replies = await gather_batches(batches, self._providers_batch)
        offered: dict[str, builtins.list[ShipmentProvider]] = {}
        for reply in replies:
            for entry in reply:
                offered[entry.id] = entry.shipment_providers
        return offered

    async def _providers_batch(
        self, batch: builtins.list[str]
    ) -> builtins.list[_ItemProviders]:
        path = "/orders/shipment-providers"
        params = [("orderItemId", item_id) for item_id in batch]
        payload = await self._transport.request("GET", path, params=params)
        return structure(
            _providers_list(payload),
            builtins.list[_ItemProviders],
            method="GET",
            path=path,
        )

    async def pack(self, packages: Sequence[PackageRequest]) -> PackResult:
        """Create packages with `POST /v2/orders/pack`.

        Items stay PENDING and gain a tracking number. Refused packages come
        back in `PackResult.errors`. A failure after sending raises
        AmbiguousWriteError: read the items back before packing again.
        """
        requests = _check_packages(packages)
        by_first_id = {request.order_item_ids[0]: request for request in requests}
        batches = [
            tuple(request.order_item_ids[0] for request in chunk)
            for chunk in chunked(requests, PACKAGES_BATCH_MAX)
        ]

        async def send(batch: tuple[str, ...]) -> PackResult:
            chunk = [by_first_id[first] for first in batch]
            body = {"packages": [_package_body(request) for request in chunk]}
            item_ids = [item for request in chunk for item in request.order_item_ids]
            payload = await self._transport.request(
                "POST", "/v2/orders/pack", json_body=body, write=True, ids=item_ids
            )
            reply = structure(
                payload or {}, WirePackReply, method="POST", path="/v2/orders/pack"
            )
            return pack_result(reply)

        return await run_write_batches(batches, send, _merge_pack, "pack")

    async def ready_to_ship(self, order_item_ids: Sequence[str]) -> ReadyToShipResult:
        """Mark packed items ready to ship (`POST /orders/ready-to-ship`)."""
        ids = require_ids("order_item_ids", order_item_ids)
        path = "/orders/ready-to-ship"

        async def send(batch: tuple[str, ...]) -> ReadyToShipResult:
            payload = await self._transport.request(
                "POST",
                path,
                json_body={"orderItemIds": list(batch)},
                write=True,
                ids=batch,
            )
            reply = structure(
                payload or {}, WireReadyToShipReply, method="POST", path=path
            )
            return ready_to_ship_result(reply)

        batches = [tuple(chunk) for chunk in chunked(ids, ORDER_ITEM_IDS_BATCH_MAX)]
        return await run_write_batches(batches, send, _merge_ready, "ready-to-ship")

    async def print_labels(self, order_item_ids: Sequence[str]) -> LabelsResult:
        """Return the shipping labels of packed items as PDF bytes.

        The API allows 200 ids per call; longer lists are split. Printing
        changes nothing at Jumia, so failed calls are retried like reads.
        """
        ids = require_ids("order_item_ids", order_item_ids)
        path = "/orders/print-labels"

        async def send(batch: tuple[str, ...]) -> LabelsResult:
            payload = await self._transport.request(
                "POST", path, json_body={"orderItemIds": list(batch)}
            )
            reply = structure(payload or {}, WireLabelsReply, method="POST", path=path)
            return labels_result(reply, method="POST", path=path)

        batches = [tuple(chunk) for chunk in chunked(ids, ORDER_ITEM_IDS_BATCH_MAX)]
        return await run_write_batches(batches, send, _merge_labels, "print-labels")

    async def cancel(self, order_item_ids: Sequence[str]) -> CancelResult:
        """Cancel PENDING or READY_TO_SHIP items (`PUT /orders/cancel`).

        The API takes no reason and records a default one.
        """
        ids = require_ids("order_item_ids", order_item_ids)
        path = "/orders/cancel"

        async def send(batch: tuple[str, ...]) -> CancelResult:
            payload = await self._transport.request(
                "PUT",
                path,
                json_body={"orderItemIds": list(batch)},
                write=True,
                ids=batch,
            )
            reply = structure(payload or {}, WireCancelReply, method="PUT", path=path)
            return cancel_result(reply)

        batches = [tuple(chunk) for chunk in chunked(ids, ORDER_ITEM_IDS_BATCH_MAX)]
        return await run_write_batches(batches, send, _merge_cancel, "cancel")


def _check_packages(packages: Sequence[PackageRequest]) -> list[PackageRequest]:
    if isinstance(packages, PackageRequest):
        raise TypeError("packages must be a list of PackageRequest; wrap it in a list")
    requests = list(packages)
    if not requests:
        raise ValueError("packages is empty; pass at least one PackageRequest")
    seen: dict[str, int] = {}
    for position, request in enumerate(requests):
        if not isinstance(request, PackageRequest):
            raise TypeError(
                f"packages[{position}] is {type(request).__name__}; use PackageRequest"
            )
        require_ids(f"packages[{position}].order_item_ids", request.order_item_ids)
        if not request.shipment_provider_id or not request.shipment_provider_id.strip():
            raise ValueError(
                f"packages[{position}].shipment_provider_id is empty; pass an id "
                "from shipment_providers()"
            )
        for item_id in request.order_item_ids:
            if item_id in seen:
                raise ValueError(
                    f"order item {item_id!r} is in packages[{seen[item_id]}] and "
                    f"packages[{position}]; put each item in one package"
                )
            seen[item_id] = position
    return requests


def _package_body(request: PackageRequest) -> dict[str, Any]:
    ids = list(request.order_item_ids)
    body: dict[str, Any] = {
        # The spec types orderItems as one id; lists work for several items.
        "orderItems": ids[0] if len(ids) == 1 else ids,
        "shipmentProviderId": request.shipment_provider_id,
    }
    if request.tracking_code:
        body["trackingCode"] = request.tracking_code
    return body


def _merge_pack(results: list[PackResult]) -> PackResult:
    return PackResult(
        packages=[package for result in results for package in result.packages],
        errors=[error for result in results for error in result.errors],
    )


def _merge_ready(results: list[ReadyToShipResult]) -> ReadyToShipResult:
    return ReadyToShipResult(
        packages=[package for result in results for package in result.packages],
        errors=[error for result in results for error in result.errors],
    )


def _merge_labels(results: list[LabelsResult]) -> LabelsResult:
    return LabelsResult(
        labels=[label for result in results for label in result.labels],
        errors=[error for result in results for error in result.errors],
    )


def _merge_cancel(results: list[CancelResult]) -> CancelResult:
    return CancelResult(
        items=[item for result in results for item in result.items],
        errors=[error for result in results for error in result.errors],
    )
