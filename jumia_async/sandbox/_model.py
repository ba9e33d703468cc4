"""Shops, shipment providers, products, orders and order items of the sandbox."""

from __future__ import annotations

from typing import Final

import attrs

from ._countries import Country

PENDING: Final = "PENDING"
READY_TO_SHIP: Final = "READY_TO_SHIP"
SHIPPED: Final = "SHIPPED"
DELIVERED: Final = "DELIVERED"
CANCELED: Final = "CANCELED"
RETURNED: Final = "RETURNED"
FAILED: Final = "FAILED"

# The status values that GET /orders and GET /orders/items accept as filters.
ORDER_STATUSES: Final = frozenset(
    {PENDING, READY_TO_SHIP, SHIPPED, DELIVERED, CANCELED, RETURNED, FAILED}
)

# Rank of each item status along the lifecycle. An order whose items differ
# reports the lowest-ranked status, so CANCELED shows only when every item
# is canceled.
_LIFECYCLE_RANK: Final = {
    PENDING: 0,
    READY_TO_SHIP: 1,
    SHIPPED: 2,
    DELIVERED: 3,
    FAILED: 3,
    RETURNED: 4,
    CANCELED: 5,
}


@attrs.frozen
class ShipmentProvider:
    """A carrier or drop-off station that can take a package."""

    id: str
    name: str
    tracking_code_required: bool


@attrs.frozen
class Shop:
    """One shop of a Mastershop, selling in one country."""

    id: str
    name: str
    email: str
    country: Country
    # The first provider is the shop's drop-off station.
    providers: tuple[ShipmentProvider, ...]


@attrs.frozen
class Product:
    """A product that order items refer to."""

    name: str
    seller_sku: str
    price_local: float


@attrs.define(eq=False)
class OrderItem:
    """One unit of a product in an order.

    An item is packed when it has a tracking number. Packing leaves the status
    at PENDING, as on the real API, which has no PACKED status.
    """

    id: str
    order: Order = attrs.field(repr=False)
    product: Product
    offered_providers: tuple[ShipmentProvider, ...]
    status: str = PENDING
    fulfilled_by_jumia: bool = False
    tracking_number: str = ""
    provider: ShipmentProvider | None = None

    @property
    def is_packed(self) -> bool:
        return self.tracking_number != ""

    def offers(self, provider_id: str) -> ShipmentProvider | None:
        """Return the offered provider with this id, or None."""
        for provider in self.offered_providers:
            if provider.id == provider_id:
                return provider
        return None


@attrs.define(eq=False)
class Order:
    """An order of one shop.

    `created` and `updated` are Unix times in whole seconds. Order numbers
    grow with creation time within a Mastershop, so (created, number) sorts
    orders by creation.
    """

    id: str
    shop: Shop
    created: int
    updated: int
    number: int = 0
    items: tuple[OrderItem, ...] = attrs.field(default=(), repr=False)

    @property
    def status(self) -> str:
        """Return the status of the least advanced item."""
        return min(
            (item.status for item in self.items), key=_LIFECYCLE_RANK.__getitem__
        )

    @property
    def has_multiple_status(self) -> bool:
        first = self.items[0].status
        return any(item.status != first for item in self.items)

    @property
    def packed_items(self) -> int:
        """Return how many items are packed and not canceled."""
        return sum(
            1 for item in self.items if item.is_packed and item.status != CANCELED
        )

    @property
    def has_items_fulfilled_by_jumia(self) -> bool:
        return any(item.fulfilled_by_jumia for item in self.items)


class TrackingNumbers:
    """Issues tracking numbers that are unique within one sandbox."""

    def __init__(self) -> None:
        self._next = 1

    def issue(self, country_code: str) -> str:
        number = self._next
        self._next += 1
        return f"SB{country_code}{number:09d}"
