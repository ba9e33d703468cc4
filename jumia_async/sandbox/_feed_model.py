"""Feeds and feed items, and their JSON for GET /feeds/{feedId}."""

from __future__ import annotations

from typing import Any, Final

import attrs

PENDING: Final = "PENDING"
IN_PROGRESS: Final = "IN_PROGRESS"
COMPLETED: Final = "COMPLETED"
FAILED: Final = "FAILED"
# NOTE: the real status of a successful feed item is not documented.
SUCCESS: Final = "SUCCESS"

PRODUCT_CREATION: Final = "PRODUCT_CREATION"
PRODUCT_UPDATE: Final = "PRODUCT_UPDATE"
STOCK_UPDATE: Final = "STOCK_UPDATE"
PRICE_UPDATE: Final = "PRICE_UPDATE"
PRODUCT_STATUS_UPDATE: Final = "PRODUCT_STATUS_UPDATE"

# The real API puts this text in `productSid` while no product id is known.
NO_PRODUCT_SID: Final = "Product Sid not found on the payload"


@attrs.define(eq=False)
class FeedItem:
    """One product of a feed: the submitted object and, once processed, its outcome.

    `messages` lists every rejection, and `client_messages` the rejections
    that concern one business client, as {businessClientCode, message}.
    """

    payload: dict[str, Any] = attrs.field(repr=False)
    seller_sku: str | None
    product_sid: str = NO_PRODUCT_SID
    status: str = PENDING
    messages: list[str] = attrs.field(factory=list)
    client_messages: list[dict[str, str]] = attrs.field(factory=list)

    @property
    def failed(self) -> bool:
        return self.status == FAILED

    def reject(self, messages: list[str]) -> None:
        self.status = FAILED
        self.messages.extend(messages)

    def to_json(self, feed_status: str) -> dict[str, Any]:
        status = self.status if self.status != PENDING else feed_status
        return {
            "status": status,
            "productSid": self.product_sid,
            "sellerSKU": self.seller_sku,
            "errorMessage": self.messages[0] if self.messages else None,
            "errors": {
                "globalMessages": list(self.messages),
                "businessClients": list(self.client_messages),
            },
        }


@attrs.define(eq=False)
class Feed:
    """A submitted feed. Times are Unix seconds of the sandbox clock.

    The feed is PENDING until `started_at`, IN_PROGRESS until its items are
    processed at `finishes_at`, then COMPLETED, or FAILED when every item
    failed.
    """

    id: str
    feed_type: str
    shop_id: str | None
    submitted_at: float
    started_at: float
    finishes_at: float
    items: list[FeedItem] = attrs.field(repr=False)
    finished: bool = False

    def status(self, now: float) -> str:
        if self.finished:
            return FAILED if all(item.failed for item in self.items) else COMPLETED
        return IN_PROGRESS if now >= self.started_at else PENDING

    def to_json(self, now: float) -> dict[str, Any]:
        status = self.status(now)
        failed = sum(1 for item in self.items if item.failed)
        completed = sum(1 for item in self.items if item.status == SUCCESS)
        return {
            "feedSid": self.id,
            "status": status,
            "feedType": self.feed_type,
            "feedSource": "API",
            "total": len(self.items),
            "completed": completed,
            "failed": failed,
            "feedItems": [item.to_json(status) for item in self.items],
        }
