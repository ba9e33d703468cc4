"""Consignment (Fulfilled by Jumia) orders and warehouse stock of one Mastershop."""

from __future__ import annotations

from typing import Any

import attrs

from ._model import Shop
from ._products import ProductVariation

CREATED = "CREATED"
SHIPPED = "SHIPPED"
RECEIVED = "RECEIVED"


@attrs.frozen
class ConsignmentLine:
    """One product of a consignment order, with the SKU as the seller sent it."""

    sku: str
    variation: ProductVariation = attrs.field(repr=False)
    quantity: int
    label_code: str | None = None


@attrs.define(eq=False)
class ConsignmentOrder:
    """An inbound shipment of stock to a Jumia warehouse.

    Times are Unix seconds of the sandbox clock. The stock counts as
    received `consignment_receive_seconds` after the order is marked shipped.
    """

    purchase_order_number: str
    shop: Shop
    business_client_code: str
    shipping_date: str
    lines: tuple[ConsignmentLine, ...]
    created: float
    comment: str | None = None
    is_shipped: bool = False
    tracking_number: str | None = None
    name_of_3pl: str | None = None
    delivery_agent_phone_number: str | None = None
    actual_departure_date: str | None = None
    estimated_arrival_date: str | None = None
    shipped_at: float | None = None
    received_at: float | None = None

    @property
    def status(self) -> str:
        if self.received_at is not None:
            return RECEIVED
        return SHIPPED if self.is_shipped else CREATED


@attrs.define
class ConsignmentStock:
    """Warehouse stock counts of one SKU in one business client."""

    received: int = 0
    quarantined: int = 0
    defective: int = 0
    canceled: int = 0
    returned: int = 0
    failed: int = 0

    def to_json(self, simple_sku: str) -> dict[str, Any]:
        return {
            "simpleSku": simple_sku,
            "received": self.received,
            "quarantined": self.quarantined,
            "defective": self.defective,
            "canceled": self.canceled,
            "returned": self.returned,
            "failed": self.failed,
        }


class ConsignmentBook:
    """Consignment orders by purchase order number, and stock by variation."""

    def __init__(self) -> None:
        self.orders: dict[str, ConsignmentOrder] = {}
        # Keyed by (business client code, variation id).
        self.stock: dict[tuple[str, str], ConsignmentStock] = {}
        # Shops whose consignment orders are rejected. None are by default.
        self.disabled_shop_ids: set[str] = set()

    def stock_of(
        self, business_client_code: str, variation_id: str
    ) -> ConsignmentStock:
        key = (business_client_code, variation_id)
        stock = self.stock.get(key)
        if stock is None:
            stock = self.stock[key] = ConsignmentStock()
        return stock

    def receive(self, order: ConsignmentOrder, at: float) -> None:
        """Add the order's quantities to the received stock, once."""
        if order.received_at is not None or not order.is_shipped:
            return
        order.received_at = at
        for line in order.lines:
            stock = self.stock_of(order.business_client_code, line.variation.id)
            stock.received += line.quantity
