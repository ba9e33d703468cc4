"""Consignment (Fulfilled by Jumia): inbound orders and warehouse stock."""

from __future__ import annotations

import attrs

__all__ = ["ConsignmentProduct", "ConsignmentStock"]


@attrs.frozen(kw_only=True)
class ConsignmentProduct:
    """One line of a consignment order: a SKU and the units shipped.

    Which SKU the API expects is not settled: one integration sends the
    business client's Jumia SKU, another the seller SKU.
    """

    sku: str
    quantity: int
    label_code: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.sku, str) or not self.sku.strip():
            raise ValueError(
                f"ConsignmentProduct.sku={self.sku!r} is empty; pass a SKU"
            )
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise TypeError(
                f"ConsignmentProduct.quantity must be an int, got {self.quantity!r}"
            )
        if self.quantity < 1:
            raise ValueError(
                f"ConsignmentProduct.quantity={self.quantity} for {self.sku!r} is "
                "invalid; ship at least 1 unit"
            )
        if self.label_code is not None and not isinstance(self.label_code, str):
            raise TypeError(
                f"ConsignmentProduct.label_code must be a string, got "
                f"{self.label_code!r}"
            )


@attrs.frozen(kw_only=True)
class ConsignmentStock:
    """Warehouse stock of one SKU (`/consignment-stock`); None when not sent."""

    simple_sku: str | None = None
    received: int | None = None
    quarantined: int | None = None
    defective: int | None = None
    canceled: int | None = None
    returned: int | None = None
    failed: int | None = None
