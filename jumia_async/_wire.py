"""Wire shapes of the fulfilment replies and their translation to results.

The pack, ready-to-ship, print-labels and cancel calls return 2xx with a
`success` block and an `error` block; refused items are data, not HTTP
errors. These classes mirror those blocks as the API sends them, including
the forms it varies between, and the functions below turn them into the
public result models. Nothing here does I/O.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import attrs

from ._errors import ResponseParseError
from ._models.common import json_field
from ._models.orders import (
    CanceledItem,
    CancelResult,
    ItemError,
    Label,
    LabelsResult,
    PackageError,
    PackedPackage,
    PackResult,
    ReadyToShipResult,
    ShippedPackage,
)


def _id_list(value: Any) -> tuple[str, ...]:
    """Read `orderItems` sent as one id, a list of ids, or a list of objects."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        ids: list[str] = []
        for entry in value:
            if isinstance(entry, dict):
                ids.append(str(entry.get("id", "")))
            else:
                ids.append(str(entry))
        return tuple(ids)
    raise TypeError(f"expected an id or a list of ids, got {value!r}")


@attrs.frozen(kw_only=True)
class WireResponse:
    code: str | None = None
    message: str | None = None


@attrs.frozen(kw_only=True)
class WireReason:
    id: str | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class WireItemError:
    id: str
    response: WireResponse | None = None
    cancellation_reason: WireReason | None = None


@attrs.frozen(kw_only=True)
class WireItemErrors:
    order_items: list[WireItemError] = attrs.field(factory=list)
    total: int | None = None


@attrs.frozen(kw_only=True)
class WirePackedPackage:
    order_items: tuple[str, ...] = attrs.field(converter=_id_list, default=())
    tracking_code: str | None = json_field(aliases=("trackingNumber",), default=None)


@attrs.frozen(kw_only=True)
class WirePackageError:
    order_items: tuple[str, ...] = attrs.field(converter=_id_list, default=())
    error: str | None = json_field(aliases=("message",), default=None)
    response: WireResponse | None = None


@attrs.frozen(kw_only=True)
class WirePackSuccess:
    packages: list[WirePackedPackage] = attrs.field(factory=list)
    total: int | None = None


@attrs.frozen(kw_only=True)
class WirePackErrors:
    packages: list[WirePackageError] = attrs.field(factory=list)
    order_items: list[WireItemError] = attrs.field(factory=list)
    total: int | None = None


@attrs.frozen(kw_only=True)
class WirePackReply:
    success: WirePackSuccess | None = None
    error: WirePackErrors | None = None


@attrs.frozen(kw_only=True)
class WireShippedPackage:
    order_items: tuple[str, ...] = attrs.field(converter=_id_list, default=())
    country_code: str | None = None
    tracking_number: str | None = None


@attrs.frozen(kw_only=True)
class WireShippedPackages:
    packages: list[WireShippedPackage] = attrs.field(factory=list)
    total: int | None = None


@attrs.frozen(kw_only=True)
class WireReadyToShipReply:
    success: WireShippedPackages | None = None
    error: WireItemErrors | None = None


@attrs.frozen(kw_only=True)
class WireLabel:
    order_item_ids: tuple[str, ...] = json_field(
        aliases=("orderItems",), default=(), converter=_id_list
    )
    country_code: str | None = None
    tracking_number: str | None = None
    label: str | None = None


@attrs.frozen(kw_only=True)
class WireLabels:
    labels: list[WireLabel] = attrs.field(factory=list)
    total: int | None = None


@attrs.frozen(kw_only=True)
class WireLabelsReply:
    success: WireLabels | None = None
    error: WireItemErrors | None = None


@attrs.frozen(kw_only=True)
class WireCanceledItem:
    id: str
    country_code: str | None = None
    cancellation_reason: WireReason | None = None


@attrs.frozen(kw_only=True)
class WireCanceledItems:
    order_items: list[WireCanceledItem] = attrs.field(factory=list)
    total: int | None = None


@attrs.frozen(kw_only=True)
class WireCancelReply:
    success: WireCanceledItems | None = None
    error: WireItemErrors | None = None


def _item_errors(block: WireItemErrors | None) -> list[ItemError]:
    if block is None:
        return []
    errors = []
    for entry in block.order_items:
        response = entry.response or WireResponse()
        message = response.message
        if message is None and entry.cancellation_reason is not None:
            message = entry.cancellation_reason.description
        errors.append(ItemError(id=entry.id, code=response.code, message=message))
    return errors


def pack_result(reply: WirePackReply) -> PackResult:
    """Translate a pack reply (v1 or v2) into a PackResult."""
    packages = []
    if reply.success is not None:
        packages = [
            PackedPackage(order_item_ids=p.order_items, tracking_code=p.tracking_code)
            for p in reply.success.packages
        ]
    errors = []
    if reply.error is not None:
        for refused in reply.error.packages:
            message = refused.error
            if message is None and refused.response is not None:
                message = refused.response.message
            errors.append(
                PackageError(
                    order_item_ids=refused.order_items,
                    message=message or "rejected without a message",
                )
            )
        for item in reply.error.order_items:
            response = item.response or WireResponse()
            errors.append(
                PackageError(
                    order_item_ids=(item.id,),
                    message=response.message or "rejected without a message",
                )
            )
    return PackResult(packages=packages, errors=errors)


def ready_to_ship_result(reply: WireReadyToShipReply) -> ReadyToShipResult:
    """Translate a ready-to-ship reply into a ReadyToShipResult."""
    packages = []
    if reply.success is not None:
        packages = [
            ShippedPackage(
                order_item_ids=p.order_items,
                country_code=p.country_code,
                tracking_number=p.tracking_number,
            )
            for p in reply.success.packages
        ]
    return ReadyToShipResult(packages=packages, errors=_item_errors(reply.error))


def decode_label(
    text: str, *, method: str, path: str
) -> tuple[bytes | None, str | None]:
    """Decode a label into PDF bytes, or return its link.

    Labels are base64 PDFs. A `data:application/pdf;base64,` prefix is
    stripped, and an http(s) link is returned as the second element.
    """
    stripped = text.strip()
    if stripped.startswith(("http://", "https://")):
        return None, stripped
    if stripped.startswith("data:"):
        _, _, stripped = stripped.partition(",")
    try:
        pdf = base64.b64decode(stripped, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ResponseParseError(
            method=method, path=path, errors=[f"label is not base64: {exc}"]
        ) from exc
    if not pdf.startswith(b"%PDF"):
        raise ResponseParseError(
            method=method,
            path=path,
            errors=[f"label does not decode to a PDF (starts with {pdf[:8]!r})"],
        )
    return pdf, None


def labels_result(reply: WireLabelsReply, *, method: str, path: str) -> LabelsResult:
    """Translate a print-labels reply into a LabelsResult with PDF bytes."""
    labels = []
    if reply.success is not None:
        for wire in reply.success.labels:
            pdf, url = (None, None)
            if wire.label:
                pdf, url = decode_label(wire.label, method=method, path=path)
            labels.append(
                Label(
                    order_item_ids=wire.order_item_ids,
                    country_code=wire.country_code,
                    tracking_number=wire.tracking_number,
                    pdf=pdf,
                    url=url,
                )
            )
    return LabelsResult(labels=labels, errors=_item_errors(reply.error))


def cancel_result(reply: WireCancelReply) -> CancelResult:
    """Translate a cancel reply into a CancelResult."""
    items = []
    if reply.success is not None:
        for wire in reply.success.order_items:
            reason = wire.cancellation_reason
            items.append(
                CanceledItem(
                    id=wire.id,
                    country_code=wire.country_code,
                    reason=reason.description if reason else None,
                )
            )
    return CancelResult(items=items, errors=_item_errors(reply.error))
