"""Product feeds (GPM): create and update products, and wait for the outcome.

Stock, price, status and update feeds address a variation by its id
(`ProductSet.variations[].id`). Items given by seller SKU are resolved with
`GET /catalog/products?sellerSku=`, and ids are checked so that a
product-set id raises ProductSetIdError before anything is sent.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import attrs
from aiolimiter import AsyncLimiter

from .._converter import structure
from .._errors import (
    FeedBatchTimeoutError,
    FeedTimeoutError,
    ProductLookupError,
    ProductSetIdError,
)
from .._limits import FEED_POLLS_PER_SECOND, FEED_PRODUCTS_MAX
from .._models.catalog import VariationRef
from .._models.common import json_field
from .._models.feeds import (
    Feed,
    FeedResult,
    FeedSubmission,
    FeedType,
    NewProduct,
    PriceUpdate,
    ProductUpdate,
    StatusUpdate,
    StockUpdate,
    ValidationIssue,
    new_product_body,
    price_update_body,
    product_update_body,
    status_update_body,
    stock_update_body,
)
from .._protocol import chunked, require_ids
from .._transport import Transport
from .._validation import CategoryRules, price_problems, split_valid
from ._base import Resource, run_write_batches
from .catalog import CatalogResource, VariationResolver

__all__ = ["FeedsResource"]

logger = logging.getLogger("jumia_async")

U = TypeVar("U", ProductUpdate, StockUpdate, PriceUpdate, StatusUpdate)

DEFAULT_WAIT_TIMEOUT = 600.0
DEFAULT_POLL_INTERVAL = 2.0
DEFAULT_MAX_POLL_INTERVAL = 30.0
# Each poll waits this much longer than the previous one, up to the maximum.
_POLL_BACKOFF = 1.5


@attrs.frozen(kw_only=True)
class _FeedCreated:
    feed_id: str = json_field(aliases=("feedSid", "id"))


Entry = tuple[str, dict[str, Any]]


def _check_list(name: str, values: object, cls: type[Any]) -> list[Any]:
    """Check a list argument of `cls` items, before any request."""
    if isinstance(values, str | cls) or not isinstance(values, Iterable):
        raise TypeError(
            f"{name} must be a list of {cls.__name__}, got {values!r}; "
            "wrap it in a list"
        )
    items = list(values)
    if not items:
        raise ValueError(f"{name} is empty; pass at least one {cls.__name__}")
    for position, item in enumerate(items):
        if not isinstance(item, cls):
            raise TypeError(f"{name}[{position}] is {item!r}; use {cls.__name__}")
    return items


def _check_unique(name: str, keys: Iterable[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(
                f"{name} lists {key!r} twice; send each product once per call"
            )
        seen.add(key)


def _check_shop_id(shop_id: object, *, required: bool) -> str | None:
    if shop_id is None and not required:
        return None
    if not isinstance(shop_id, str) or not shop_id.strip():
        raise ValueError(
            f"shop_id={shop_id!r} is invalid; pass a shop id from client.shops.list()"
        )
    return shop_id.strip()


def _check_seconds(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name}={value!r} is invalid; use a number of seconds > 0")
    return float(value)


def _check_prices(items: Sequence[PriceUpdate]) -> None:
    problems: list[str] = []
    for item in items:
        label = item.seller_sku or item.id
        found = price_problems(item.price, "price") if item.price else []
        for position, client in enumerate(item.business_clients):
            found.extend(
                price_problems(client.price, f"business_clients[{position}].price")
            )
        problems.extend(f"{label}: {field} {message}" for field, message in found)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ValueError("invalid prices: " + "; ".join(problems[:5]) + more)


def _feed_payload(payload: Any, feed_id: str) -> Any:
    """Fill in the feed id when the reply leaves it out."""
    if isinstance(payload, dict) and not any(
        key in payload for key in ("feedSid", "feedId", "id")
    ):
        return {**payload, "feedSid": feed_id}
    return payload


def _product_set_message(offenders: dict[str, tuple[VariationRef, ...]]) -> str:
    parts = []
    for product_set_id, refs in offenders.items():
        choices = " or ".join(
            f"{ref.variation_id!r} (seller SKU {ref.seller_sku!r})" for ref in refs
        )
        parts.append(f"{product_set_id!r}: use {choices or 'one of its variation ids'}")
    return (
        f"{len(offenders)} id(s) are product-set ids (ProductSet.id), but stock, "
        "price, status and update feeds need variation ids "
        "(ProductSet.variations[].id); nothing was sent. " + "; ".join(parts)
    )


def _raise_for_lookups(
    missing: list[str], several: dict[str, list[VariationRef]], mismatched: list[str]
) -> None:
    """Raise ProductLookupError when any seller SKU or id did not match."""
    problems = list(mismatched)
    if missing:
        shown = ", ".join(map(repr, missing[:10]))
        more = f" (and {len(missing) - 10} more)" if len(missing) > 10 else ""
        problems.append(
            f"no product has seller SKU {shown}{more}; a product created by a "
            "feed is listed only after the feed completes"
        )
    for sku, refs in several.items():
        ids = ", ".join(repr(ref.variation_id) for ref in refs)
        problems.append(
            f"seller SKU {sku!r} matches several variations ({ids}); pass "
            "shop_id or the variation id"
        )
    if problems:
        raise ProductLookupError(
            "; ".join(problems) + "; nothing was sent",
            seller_skus=missing + list(several),
        )


class FeedsResource(Resource):
    """Product feeds: create, update, stock, price and status, and their outcome.

    Each call splits its products into feeds of at most 1000 and returns a
    FeedSubmission listing the feed ids. Feeds are processed later: pass the
    ids to `wait` or `wait_many`. Those poll `GET /feeds/{id}` through one
    shared `poll_limiter` (one read a second by default), so that many
    waiters leave the Mastershop's request budget to other calls.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        catalog: CatalogResource | None = None,
        poll_limiter: AsyncLimiter | None = None,
    ) -> None:
        super().__init__(transport)
        self._resolver = VariationResolver(catalog or CatalogResource(transport))
        self._poll_limiter = poll_limiter or AsyncLimiter(FEED_POLLS_PER_SECOND, 1.0)

    @property
    def poll_limiter(self) -> AsyncLimiter:
        """The limiter every feed status read waits for."""
        return self._poll_limiter

    @poll_limiter.setter
    def poll_limiter(self, limiter: AsyncLimiter) -> None:
        if not isinstance(limiter, AsyncLimiter):
            raise TypeError(
                f"poll_limiter must be an aiolimiter.AsyncLimiter, got {limiter!r}"
            )
        self._poll_limiter = limiter

    # --- submissions ------------------------------------------------------

    async def create_products(
        self,
        shop_id: str,
        products: Sequence[NewProduct],
        *,
        rules: Iterable[CategoryRules] | None = None,
        now: datetime | None = None,
    ) -> FeedSubmission:
        """Create products (`POST /feeds/products/create`).

        Without `rules` the products are sent as given. With `rules` (see
        `client.catalog.category_rules`) each product is first checked by
        `split_valid`: valid ones are sent, and the others come back in
        `FeedSubmission.rejected` without being sent. When none is valid, no
        feed is created.
        """
        checked_shop = _check_shop_id(shop_id, required=True)
        items: list[NewProduct] = _check_list("products", products, NewProduct)
        rejected: tuple[ValidationIssue, ...] = ()
        if rules is not None:
            items, issues = split_valid(items, rules, now=now)
            rejected = tuple(issues)
        else:
            for position, item in enumerate(items):
                if not item.seller_sku.strip():
                    raise ValueError(
                        f"products[{position}].seller_sku is empty; give every "
                        "product a seller SKU"
                    )
            _check_unique("products", (item.seller_sku for item in items))
        if not items:
            return FeedSubmission(
                feed_type=FeedType.PRODUCT_CREATION, rejected=rejected
            )

        entries = [(item.seller_sku, new_product_body(item)) for item in items]
        submission = await self._submit(
            "/feeds/products/create", FeedType.PRODUCT_CREATION, entries, checked_shop
        )
        return attrs.evolve(submission, rejected=rejected)

    async def update_products(
        self,
        products: Sequence[ProductUpdate],
        shop_id: str | None = None,
        *,
        verify_ids: bool = True,
    ) -> FeedSubmission:
        """Change product content (`POST /feeds/products/update`).

        `shop_id` is sent when given and scopes seller-SKU lookups. See
        `update_stock` for how items are matched to variation ids.
        """
        checked_shop = _check_shop_id(shop_id, required=False)
        items = self._check_updates("products", products, ProductUpdate)
        return await self._send_updates(
            "/feeds/products/update",
            FeedType.PRODUCT_UPDATE,
            items,
            product_update_body,
            shop_id=checked_shop,
            send_shop_id=True,
            verify_ids=verify_ids,
        )

    async def update_stock(
        self,
        items: Sequence[StockUpdate],
        *,
        shop_id: str | None = None,
        verify_ids: bool = True,
    ) -> FeedSubmission:
        """Set global stock levels (`POST /feeds/products/stock`).

        An item with only `seller_sku` gets its variation id from a lookup
        (cached; `shop_id` scopes it). With `verify_ids` (the default) every
        given id is checked too: a product-set id raises ProductSetIdError
        naming the variation ids to use, and an id that does not belong to
        the item's seller SKU raises ProductLookupError. An id that no
        lookup returns is sent as given. Nothing is sent when a check fails.
        """
        checked_shop = _check_shop_id(shop_id, required=False)
        checked = self._check_updates("items", items, StockUpdate)
        return await self._send_updates(
            "/feeds/products/stock",
            FeedType.STOCK_UPDATE,
            checked,
            stock_update_body,
            shop_id=checked_shop,
            verify_ids=verify_ids,
        )

    async def update_prices(
        self,
        items: Sequence[PriceUpdate],
        *,
        shop_id: str | None = None,
        verify_ids: bool = True,
    ) -> FeedSubmission:
        """Set prices and sale prices (`POST /feeds/products/price`).

        Sale prices are checked before sending (an amount below the price,
        both dates, an end in the future). Items are matched to variation
        ids as in `update_stock`.
        """
        checked_shop = _check_shop_id(shop_id, required=False)
        checked = self._check_updates("items", items, PriceUpdate)
        _check_prices(checked)
        return await self._send_updates(
            "/feeds/products/price",
            FeedType.PRICE_UPDATE,
            checked,
            price_update_body,
            shop_id=checked_shop,
            verify_ids=verify_ids,
        )

    async def update_status(
        self,
        items: Sequence[StatusUpdate],
        *,
        shop_id: str | None = None,
        verify_ids: bool = True,
    ) -> FeedSubmission:
        """Activate or deactivate variations (`POST /feeds/products/status`).

        Items are matched to variation ids as in `update_stock`.
        """
        checked_shop = _check_shop_id(shop_id, required=False)
        checked = self._check_updates("items", items, StatusUpdate)
        return await self._send_updates(
            "/feeds/products/status",
            FeedType.PRODUCT_STATUS_UPDATE,
            checked,
            status_update_body,
            shop_id=checked_shop,
            verify_ids=verify_ids,
        )

    @staticmethod
    def _check_updates(name: str, items: Sequence[U], cls: type[U]) -> list[U]:
        checked: list[U] = _check_list(name, items, cls)
        _check_unique(name, (item.seller_sku or item.id or "" for item in checked))
        return checked

    async def _send_updates(
        self,
        path: str,
        feed_type: FeedType,
        items: list[U],
        build: Callable[[U, str], dict[str, Any]],
        *,
        shop_id: str | None,
        verify_ids: bool,
        send_shop_id: bool = False,
    ) -> FeedSubmission:
        variation_ids = await self._variation_ids(items, shop_id, verify_ids)
        entries = [
            (item.seller_sku or variation_id, build(item, variation_id))
            for item, variation_id in zip(items, variation_ids, strict=True)
        ]
        return await self._submit(
            path, feed_type, entries, shop_id if send_shop_id else None
        )

    async def _submit(
        self,
        path: str,
        feed_type: FeedType,
        entries: list[Entry],
        shop_id: str | None,
    ) -> FeedSubmission:
        chunks = {
            tuple(label for label, _ in chunk): chunk
            for chunk in chunked(entries, FEED_PRODUCTS_MAX)
        }

        async def send(labels: tuple[str, ...]) -> FeedSubmission:
            body: dict[str, Any] = {"products": [item for _, item in chunks[labels]]}
            if shop_id is not None:
                body["shopId"] = shop_id
            payload = await self._transport.request(
                "POST", path, json_body=body, write=True, ids=labels
            )
            reply = structure(payload or {}, _FeedCreated, method="POST", path=path)
            return FeedSubmission(
                feed_type=feed_type,
                feed_ids=(reply.feed_id,),
                seller_skus={reply.feed_id: labels},
            )

        def merge(results: list[FeedSubmission]) -> FeedSubmission:
            return FeedSubmission(
                feed_type=feed_type,
                feed_ids=tuple(i for result in results for i in result.feed_ids),
                seller_skus={
                    key: value
                    for result in results
                    for key, value in result.seller_skus.items()
                },
            )

        return await run_write_batches(list(chunks), send, merge, f"POST {path}")

    # --- variation ids ----------------------------------------------------

    async def resolve_seller_skus(
        self, seller_skus: Sequence[str], *, shop_id: str | None = None
    ) -> dict[str, VariationRef]:
        """Return the variation (and product-set) id of each seller SKU.

        Lookups run concurrently and are cached for the life of the client.
        Raises ProductLookupError naming every SKU that matches no variation
        or several (pass `shop_id` to tell shops apart).
        """
        skus = require_ids("seller_skus", seller_skus)
        checked_shop = _check_shop_id(shop_id, required=False)
        found = await self._resolver.lookup_skus(skus, checked_shop)
        missing = [sku for sku, refs in found.items() if not refs]
        several = {sku: refs for sku, refs in found.items() if len(refs) > 1}
        _raise_for_lookups(missing, several, [])
        return {sku: refs[0] for sku, refs in found.items()}

    async def preload_variation_ids(self, *, shop_id: str | None = None) -> int:
        """Read the whole catalog once to fill the seller-SKU cache.

        One request per 100 product sets replaces one request per SKU, which
        pays off before updating many SKUs. Pass the same `shop_id` as to
        the updates. Returns the number of variations cached.
        """
        checked_shop = _check_shop_id(shop_id, required=False)
        return await self._resolver.preload(checked_shop)

    def forget_variation_ids(self) -> None:
        """Empty the seller-SKU and id cache."""
        self._resolver.forget()

    async def _variation_ids(
        self, items: Sequence[U], shop_id: str | None, verify_ids: bool
    ) -> list[str]:
        """Return the variation id of each item, in order, or raise."""
        by_sku = [
            item.seller_sku
            for item in items
            if item.seller_sku and (item.id is None or verify_ids)
        ]
        by_id = [item.id for item in items if item.id and not item.seller_sku]
        sku_refs, id_kinds = await asyncio.gather(
            self._resolver.lookup_skus(by_sku, shop_id),
            self._resolver.classify_ids(by_id if verify_ids else []),
        )

        result: list[str] = []
        product_sets: dict[str, tuple[VariationRef, ...]] = {}
        missing: list[str] = []
        several: dict[str, list[VariationRef]] = {}
        mismatched: list[str] = []
        for item in items:
            if not item.seller_sku or (item.id is not None and not verify_ids):
                assert item.id is not None
                kind = id_kinds.get(item.id)
                if isinstance(kind, tuple):
                    product_sets[item.id] = kind
                result.append(item.id)
                continue

            refs = sku_refs[item.seller_sku]
            if not refs:
                missing.append(item.seller_sku)
            if item.id is None:
                if len(refs) > 1:
                    several[item.seller_sku] = refs
                result.append(refs[0].variation_id if len(refs) == 1 else "")
                continue

            result.append(item.id)
            if any(ref.variation_id == item.id for ref in refs):
                continue
            if any(ref.product_set_id == item.id for ref in refs):
                product_sets[item.id] = self._resolver.variations_of(item.id)
            elif refs:
                mismatched.append(
                    f"id {item.id!r} does not belong to seller SKU "
                    f"{item.seller_sku!r}, whose variation id is "
                    f"{refs[0].variation_id!r}; pass that id or only the SKU"
                )

        if product_sets:
            raise ProductSetIdError(
                _product_set_message(product_sets),
                variation_ids={
                    key: [ref.variation_id for ref in refs]
                    for key, refs in product_sets.items()
                },
            )
        _raise_for_lookups(missing, several, mismatched)
        return result

    # --- feed status ------------------------------------------------------

    async def feed(self, feed_id: str) -> Feed:
        """Return a feed's status and items (`GET /feeds/{feedId}`)."""
        checked = require_ids("feed_id", [feed_id])[0]
        path = f"/feeds/{quote(checked, safe='')}"
        payload = await self._transport.request("GET", path)
        return structure(_feed_payload(payload, checked), Feed, method="GET", path=path)

    async def wait(
        self,
        feed_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
    ) -> FeedResult:
        """Poll a feed until it is COMPLETED or FAILED and return its items.

        The first read is immediate. Waits between reads start at
        `poll_interval` seconds and grow by half each time up to
        `max_poll_interval`. A FAILED feed is returned too: call
        `raise_for_status()` on the result to turn it into FeedFailedError.
        Raises FeedTimeoutError, naming the last status, when the feed is
        not finished after `timeout` seconds.
        """
        checked = require_ids("feed_id", [feed_id])[0]
        deadline, first, ceiling = self._wait_plan(
            timeout, poll_interval, max_poll_interval
        )
        outcome = await self._poll(checked, deadline, first, ceiling)
        if isinstance(outcome, FeedResult):
            return outcome
        raise FeedTimeoutError(
            f"feed {checked!r} did not finish within {timeout} s; last status "
            f"{outcome.status if outcome else 'unknown'}; wait again or read it "
            "with feed()",
            feed_id=checked,
        )

    async def wait_many(
        self,
        feed_ids: Iterable[str] | FeedSubmission,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
    ) -> dict[str, FeedResult]:
        """Wait for several feeds concurrently, with one shared deadline.

        Takes feed ids or a FeedSubmission and returns the results keyed by
        feed id, in the order given. Raises FeedBatchTimeoutError, which
        carries the finished results, when some feeds are still unfinished
        at the deadline. When reading one feed fails, the other waits are
        cancelled and the error propagates.
        """
        if isinstance(feed_ids, FeedSubmission):
            feed_ids = feed_ids.feed_ids
        ids = require_ids("feed_ids", feed_ids)
        deadline, first, ceiling = self._wait_plan(
            timeout, poll_interval, max_poll_interval
        )
        tasks = [
            asyncio.create_task(self._poll(feed_id, deadline, first, ceiling))
            for feed_id in ids
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in tasks:
            error = None if task.cancelled() else task.exception()
            if error is not None:
                raise error

        finished: dict[str, FeedResult] = {}
        pending: dict[str, str | None] = {}
        for feed_id, task in zip(ids, tasks, strict=True):
            outcome = task.result()
            if isinstance(outcome, FeedResult):
                finished[feed_id] = outcome
            else:
                pending[feed_id] = outcome.status if outcome else None
        if pending:
            shown = ", ".join(f"{key!r} ({value})" for key, value in pending.items())
            raise FeedBatchTimeoutError(
                f"{len(pending)} of {len(ids)} feeds did not finish within "
                f"{timeout} s: {shown}; the finished ones are in the error's "
                "`finished`",
                pending=pending,
                finished=finished,
            )
        return finished

    @staticmethod
    def _wait_plan(
        timeout: float, poll_interval: float, max_poll_interval: float
    ) -> tuple[float, float, float]:
        seconds = _check_seconds("timeout", timeout)
        first = _check_seconds("poll_interval", poll_interval)
        ceiling = _check_seconds("max_poll_interval", max_poll_interval)
        if ceiling < first:
            raise ValueError(
                f"max_poll_interval={max_poll_interval!r} is below "
                f"poll_interval={poll_interval!r}; raise it or lower poll_interval"
            )
        return asyncio.get_running_loop().time() + seconds, first, ceiling

    async def _poll(
        self, feed_id: str, deadline: float, interval: float, ceiling: float
    ) -> FeedResult | Feed | None:
        """Read the feed until it finishes or the deadline passes.

        Returns the FeedResult, or the last Feed read (None if none was)
        when time ran out. Waiting for the poll limiter counts against the
        deadline too.
        """
        loop = asyncio.get_running_loop()
        last: Feed | None = None
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    await self._poll_limiter.acquire()
            except TimeoutError:
                return last
            last = await self.feed(feed_id)
            if last.is_finished:
                return FeedResult.from_feed(last)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return last
            delay = min(interval, remaining)
            logger.debug(
                "Feed %s is %s; reading it again in %.1f s", feed_id, last.status, delay
            )
            await asyncio.sleep(delay)
            interval = min(interval * _POLL_BACKOFF, ceiling)
