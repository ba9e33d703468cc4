"""Waiting for feeds and reading their outcome per seller SKU."""

from __future__ import annotations

import asyncio
import math

import attrs

from jumia_async import (
    FeedItem,
    FeedResult,
    FeedSubmission,
    FeedTimeoutError,
    JumiaClient,
    JumiaError,
)

__all__ = ["SkuOutcome", "check_feed_timeout", "wait_per_sku"]


@attrs.frozen
class SkuOutcome:
    """Outcome of a feed for one seller SKU.

    `item` is the feed's result for the SKU; when it is None, `error`
    explains why no result is known (the feed timed out, or could not be read).
    """

    feed_id: str
    item: FeedItem | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        """Whether the feed accepted this SKU."""
        return self.item is not None and not self.item.failed

    @property
    def reason(self) -> str:
        """The feed's error messages for this SKU, or why none is known."""
        if self.item is not None:
            return "; ".join(self.item.messages) or f"status {self.item.status}"
        return self.error or "no result"


def check_feed_timeout(feed_timeout: float) -> None:
    """Raise ValueError unless `feed_timeout` is a finite number of seconds > 0.

    The workflows check it before sending anything, because feeds.wait
    raises ValueError for it only after the feeds went out.
    """
    if (
        isinstance(feed_timeout, bool)
        or not isinstance(feed_timeout, int | float)
        or not math.isfinite(feed_timeout)
        or feed_timeout <= 0
    ):
        raise ValueError(
            f"feed_timeout={feed_timeout!r} is invalid; use a number of seconds > 0"
        )


async def wait_per_sku(
    client: JumiaClient, submission: FeedSubmission, *, feed_timeout: float
) -> dict[str, SkuOutcome]:
    """Wait for every feed of a submission and key the outcomes by seller SKU.

    Each feed is waited for on its own, so a feed that times out or cannot
    be read affects only its own SKUs.
    """

    async def wait_one(feed_id: str) -> FeedResult | str:
        try:
            return await client.feeds.wait(feed_id, timeout=feed_timeout)
        except FeedTimeoutError as error:
            return (
                f"feed {feed_id} did not finish within {feed_timeout:.0f} s ({error})"
            )
        except (JumiaError, ValueError) as error:
            # ValueError: the client rejects a feed id from the reply, such
            # as an empty one, before reading it.
            return f"feed {feed_id} could not be read: {error}"

    results = await asyncio.gather(*(wait_one(f) for f in submission.feed_ids))
    outcomes: dict[str, SkuOutcome] = {}
    for feed_id, result in zip(submission.feed_ids, results, strict=True):
        for sku in submission.seller_skus.get(feed_id, ()):
            if isinstance(result, str):
                outcomes[sku] = SkuOutcome(feed_id=feed_id, error=result)
                continue
            item = result.items.get(sku)
            if item is None:
                status = result.status or "unknown"
                outcomes[sku] = SkuOutcome(
                    feed_id=feed_id,
                    error=f"feed {feed_id} ended {status} with no result for the SKU",
                )
            else:
                outcomes[sku] = SkuOutcome(feed_id=feed_id, item=item)
    return outcomes
