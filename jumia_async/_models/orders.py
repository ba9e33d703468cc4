"""Orders, order items, shipment providers and fulfilment results (GOP)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

import attrs

from .common import Country, CursorPage, Money, json_field, normalize_status

__all__ = [
    "Address",
    "CancelResult",
    "CanceledItem",
    "ItemError",
    "ItemProduct",
    "Label",
    "LabelsResult",
    "Order",
    "OrderItem",
    "OrderItems",
    "OrderStatus",
    "OrdersPage",
    "PackResult",
    "PackageError",
    "PackageRequest",
    "PackedPackage",
    "ReadyToShipResult",
    "ShipmentProvider",
    "ShippedPackage",
]


def _id_tuple(ids: Iterable[str]) -> tuple[str, ...]:
    if isinstance(ids, str):
        raise TypeError(
            f"order_item_ids must be a list of ids, got the string {ids!r}; "
            f"wrap it in a list: [{ids!r}]"
        )
    return tuple(ids)


class OrderStatus(StrEnum):
    """Status values that the `/orders` filter accepts.

    There is no PACKED status: a packed item stays PENDING and gains a
    tracking number (see `OrderItem.is_packed`).
    """

    PENDING = "PENDING"
    READY_TO_SHIP = "READY_TO_SHIP"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELED = "CANCELED"
    RETURNED = "RETURNED"
    FAILED = "FAILED"


@attrs.frozen(kw_only=True)
class Address:
    """A shipping address; the API may leave any part out."""

    first_name: str | None = None
    last_name: str | None = None
    address: str | None = None
    address2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    ward: str | None = None
    region: str | None = None
    country_name: str | None = None
    phone: str | None = None


@attrs.frozen(kw_only=True)
class Order:
    """One order as `/orders` lists it.

    The order-level `status` can lag behind its items, so read the items
    after changing them.
    """

    id: str
    number: str | None = None
    status: str | None = attrs.field(default=None, converter=normalize_status)
    shop_ids: list[str] = attrs.field(factory=list)
    total_items: int | None = None
    packed_items: int | None = None
    is_prepayment: bool | None = None
    has_multiple_status: bool | None = None
    has_items_fulfilled_by_jumia: bool | None = None
    pending_since: datetime | None = None
    delivery_option: str | None = None
    total_amount: Money | None = None
    total_amount_local: Money | None = None
    country: Country | None = None
    shipping_address: Address | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class OrdersPage(CursorPage):
    """One page of `/orders` with the cursor of the next one."""

    orders: list[Order] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class ItemProduct:
    """The product an order item is for."""

    name: str | None = None
    seller_sku: str | None = None
    image_url: str | None = None


@attrs.frozen(kw_only=True)
class OrderItem:
    """One unit of an order; statuses live on items, not orders."""

    id: str
    shop_id: str | None = None
    status: str | None = attrs.field(default=None, converter=normalize_status)
    tracking_number: str | None = None
    tracking_url: str | None = None
    shipment_type: str | None = None
    delivery_option: str | None = None
    is_fulfilled_by_jumia: bool | None = None
    item_price: float | None = None
    paid_price: float | None = None
    shipping_amount: float | None = None
    item_price_local: float | None = None
    paid_price_local: float | None = None
    shipping_amount_local: float | None = None
    exchange_rate: float | None = None
    tax_amount: float | None = None
    voucher_amount: float | None = None
    country: Country | None = None
    product: ItemProduct | None = None
    shipping_address: Address | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_packed(self) -> bool:
        """Whether the item is packed: PENDING with a tracking number."""
        return self.status == OrderStatus.PENDING and bool(self.tracking_number)


@attrs.frozen(kw_only=True)
class OrderItems:
    """The items of one order; `order_number` may be missing in replies."""

    order_id: str
    order_number: str | None = None
    items: list[OrderItem] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class ShipmentProvider:
    """A carrier or drop-off station that can take an item.

    The API spells the tracking-code flag three ways; all three are read.
    """

    id: str
    name: str | None = None
    tracking_code_required: bool = json_field(
        aliases=("requireTrackingCode", "requiredTrackingCode"), default=False
    )


@attrs.frozen(kw_only=True)
class PackageRequest:
    """One package to create with `/v2/orders/pack`.

    Every item must belong to the same order and be offered the provider.
    Pass `tracking_code` only when the provider requires one.
    """

    order_item_ids: tuple[str, ...] = attrs.field(converter=_id_tuple)
    shipment_provider_id: str
    tracking_code: str | None = None


@attrs.frozen(kw_only=True)
class PackedPackage:
    """A package the API created."""

    order_item_ids: tuple[str, ...]
    tracking_code: str | None = None


@attrs.frozen(kw_only=True)
class PackageError:
    """A package the API refused, with its message."""

    order_item_ids: tuple[str, ...]
    message: str


@attrs.frozen(kw_only=True)
class PackResult:
    """Outcome of one or more pack calls: created and refused packages."""

    packages: list[PackedPackage] = attrs.field(factory=list)
    errors: list[PackageError] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class ItemError:
    """An order item that a fulfilment call refused."""

    id: str
    code: str | None = None
    message: str | None = None


@attrs.frozen(kw_only=True)
class ShippedPackage:
    """A package that ready-to-ship accepted."""

    order_item_ids: tuple[str, ...]
    country_code: str | None = None
    tracking_number: str | None = None


@attrs.frozen(kw_only=True)
class ReadyToShipResult:
    """Outcome of ready-to-ship: accepted packages and refused items."""

    packages: list[ShippedPackage] = attrs.field(factory=list)
    errors: list[ItemError] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class Label:
    """A shipping label for one package.

    `pdf` is the decoded PDF. When the API sends a link instead of the
    document, `pdf` is None and `url` is the link.
    """

    order_item_ids: tuple[str, ...]
    country_code: str | None = None
    tracking_number: str | None = None
    pdf: bytes | None = attrs.field(default=None, repr=False)
    url: str | None = None


@attrs.frozen(kw_only=True)
class LabelsResult:
    """Outcome of print-labels: labels and refused items."""

    labels: list[Label] = attrs.field(factory=list)
    errors: list[ItemError] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class CanceledItem:
    """An order item that cancel accepted."""

    id: str
    country_code: str | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class CancelResult:
    """Outcome of cancel: canceled and refused items."""

    items: list[CanceledItem] = attrs.field(factory=list)
    errors: list[ItemError] = attrs.field(factory=list)
