"""Quality control of created products: the timeline and the decision rule.

Each listing (variation in one business client) of a created product waits
`qc_queue_seconds` in NOT_READY_TO_QC, then `qc_review_seconds` in PENDING,
then is approved or rejected. A seller SKU that contains "REJECT" (any
case) is always rejected as a wrong category. Otherwise a share
`qc_rejection_rate` of listings is rejected, picked by a draw from the seed,
the variation id and the business client code, so reruns decide alike.
"""

from __future__ import annotations

import logging
import random

from ._catalog_state import Action, CatalogState
from ._products import (
    APPROVED,
    NOT_READY_TO_QC,
    QC_PENDING,
    REJECTED,
    Listing,
    ProductVariation,
)

logger = logging.getLogger(__name__)

REJECT_MARKER = "REJECT"

# (reason, comment) pairs for rejections drawn by the rejection rate.
_DRAWN_REASONS = (
    ("Other Reason", "Rejected"),
    ("Poor Image Quality", "The main image is blurred or has a watermark."),
    ("Wrong Category", "Category mismatch: the product belongs to another category."),
)


def schedule_review(
    catalog: CatalogState, variation: ProductVariation, created: float
) -> None:
    """Queue the quality-control steps of every listing of a new variation."""
    config = catalog.config
    queued = created + config.qc_queue_seconds
    decided = queued + config.qc_review_seconds
    for listing in variation.listings.values():
        catalog.scheduler.at(queued, _start_review(listing))
        catalog.scheduler.at(decided, _finish_review(catalog, variation, listing))


def _start_review(listing: Listing) -> Action:
    def run(at: float) -> None:
        if listing.qc_status == NOT_READY_TO_QC:
            listing.qc_status = QC_PENDING
            listing.qc_updated_at = at

    return run


def _finish_review(
    catalog: CatalogState, variation: ProductVariation, listing: Listing
) -> Action:
    def run(at: float) -> None:
        # A test hook may have decided already.
        if listing.qc_status not in (NOT_READY_TO_QC, QC_PENDING):
            return
        rejection = _rejection(catalog, variation, listing)
        if rejection is None:
            approve(catalog, variation, listing, at)
        else:
            reject(variation, listing, at, *rejection)

    return run


def _rejection(
    catalog: CatalogState, variation: ProductVariation, listing: Listing
) -> tuple[str, str] | None:
    """Return the (reason, comment) of a rejection, or None to approve."""
    if REJECT_MARKER in variation.seller_sku.upper():
        path = variation.product_set.category.complete_path
        return (
            "Wrong Category",
            f"Category mismatch: the product does not belong in {path}.",
        )
    rate = catalog.config.qc_rejection_rate
    if rate <= 0:
        return None
    draw = random.Random(
        f"jumia-sandbox-qc:{catalog.config.seed}:{variation.id}:{listing.code}"
    ).random()
    if draw >= rate:
        return None
    return _DRAWN_REASONS[int(draw / rate * len(_DRAWN_REASONS))]


def approve(
    catalog: CatalogState, variation: ProductVariation, listing: Listing, at: float
) -> None:
    """Approve a listing and give it a Jumia SKU if it has none."""
    listing.qc_status = APPROVED
    listing.qc_updated_at = at
    listing.last_approved_at = at
    listing.rejection_reason = None
    listing.rejection_comment = None
    if not listing.sku:
        brand = variation.product_set.brand.name
        listing.sku = catalog.ids.jumia_sku(brand, listing.country.code)
    logger.debug("QC approved %s in %s", variation.id, listing.code)


def reject(
    variation: ProductVariation,
    listing: Listing,
    at: float,
    reason: str,
    comment: str,
) -> None:
    listing.qc_status = REJECTED
    listing.qc_updated_at = at
    listing.rejection_reason = reason
    listing.rejection_comment = comment
    logger.debug("QC rejected %s in %s: %s", variation.id, listing.code, reason)
