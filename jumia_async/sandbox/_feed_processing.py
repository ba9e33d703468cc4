"""Submitting feeds and processing them when the sandbox clock reaches their end."""

from __future__ import annotations

import logging
from typing import Any

from ._catalog_state import Action, CatalogState
from ._feed_create import process_create_item
from ._feed_model import (
    PRICE_UPDATE,
    PRODUCT_CREATION,
    PRODUCT_STATUS_UPDATE,
    PRODUCT_UPDATE,
    STOCK_UPDATE,
    Feed,
    FeedItem,
)
from ._feed_updates import (
    Processor,
    change_content,
    change_price,
    change_status,
    change_stock,
    process_change_item,
)

logger = logging.getLogger(__name__)

# NOTE: the live API's text for an item that fails on a server error is
# unknown.
PROCESSING_ERROR = (
    "Unexpected error while processing the product. The sandbox log has the details."
)

_CHANGE_PROCESSORS: dict[str, Processor] = {
    PRODUCT_UPDATE: change_content,
    STOCK_UPDATE: change_stock,
    PRICE_UPDATE: change_price,
    PRODUCT_STATUS_UPDATE: change_status,
}


def submit_feed(
    catalog: CatalogState,
    feed_type: str,
    shop_id: str | None,
    products: list[dict[str, Any]],
    now: float,
) -> Feed:
    """Store a new feed and schedule its processing, which checks the products."""
    config = catalog.config
    started_at = now + config.feed_pending_seconds
    feed = Feed(
        id=catalog.ids.uuid(),
        feed_type=feed_type,
        shop_id=shop_id,
        submitted_at=now,
        started_at=started_at,
        finishes_at=started_at + config.feed_processing_seconds,
        items=[
            FeedItem(payload=product, seller_sku=_seller_sku(product))
            for product in products
        ],
    )
    catalog.feeds[feed.id] = feed
    catalog.scheduler.at(feed.finishes_at, _processing(catalog, feed))
    logger.debug("feed %s (%s) queued with %d items", feed.id, feed_type, len(products))
    return feed


def _process_item(catalog: CatalogState, feed: Feed, item: FeedItem, at: float) -> None:
    if feed.feed_type == PRODUCT_CREATION:
        process_create_item(catalog, feed.shop_id, item, at)
    else:
        processor = _CHANGE_PROCESSORS[feed.feed_type]
        process_change_item(catalog, feed.shop_id, item, at, processor)


def _seller_sku(product: dict[str, Any]) -> str | None:
    value = product.get("sellerSku", product.get("sellerSKU"))
    return value if isinstance(value, str) and value else None


def _processing(catalog: CatalogState, feed: Feed) -> Action:
    def run(at: float) -> None:
        process_feed(catalog, feed, at)

    return run


def process_feed(catalog: CatalogState, feed: Feed, at: float) -> None:
    """Process every item in order, so later items see earlier items' products.

    An unexpected exception fails only the item being processed, with
    PROCESSING_ERROR, and is logged. The feed still finishes.
    """
    for item in feed.items:
        try:
            _process_item(catalog, feed, item, at)
        except Exception:
            logger.exception(
                "feed %s: processing the item with seller SKU %s failed",
                feed.id,
                item.seller_sku,
            )
            item.reject([PROCESSING_ERROR])
    feed.finished = True
    failed = sum(1 for item in feed.items if item.failed)
    logger.debug(
        "feed %s finished: %d of %d items failed", feed.id, failed, len(feed.items)
    )
