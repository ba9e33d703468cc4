"""Push stock levels and prices from a spreadsheet, and report per SKU.

Each row names a seller SKU and its new stock, price, or both. Every row is
checked before anything is sent, and a row with an invalid cell or a seller
SKU that an earlier row already names is refused as a whole. The SKUs are
looked up to find their variation ids and current values, stock and price
feeds are submitted in chunks, and the report lists per SKU what changed and
what the API refused (for example a product not yet approved by QC). Every
input row appears in the report.

Run `python -m workflows.sync_stock_price --help` for the columns.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path

import attrs

from jumia_async import (
    AmbiguousWriteError,
    BatchWriteError,
    FeedPrice,
    FeedSalePrice,
    FeedSubmission,
    JumiaClient,
    JumiaError,
    PriceUpdate,
    Shop,
    StockUpdate,
    Variation,
    price_problems,
)
from jumia_async.sandbox import SandboxConfig

from ._common import (
    CREDENTIALS_HELP,
    NoProgress,
    Progress,
    add_credential_arguments,
    open_target,
    print_table,
    run_command,
    terminal_progress,
)
from ._feed_outcomes import SkuOutcome, check_feed_timeout, wait_per_sku
from ._product_rows import (
    InputRow,
    RowError,
    cell,
    column_of,
    earlier_rows,
    optional_date,
    optional_int,
    optional_number,
    read_rows,
)

logger = logging.getLogger("workflows.sync_stock_price")

COLUMNS_HELP = """\
input columns (CSV header or JSON keys; a blank cell leaves that value alone):
  seller_sku   your SKU of the variation (required)
  stock        new global stock, 0 or more
  price        new global price, e.g. 1500.50
  currency     ISO 4217 code of the price (required with price)
  sale_price   sale price, below price
  sale_start   sale start, YYYY-MM-DD or YYYY-MM-DD HH:MM UTC
  sale_end     sale end, same format
  clear_sale   "yes" ends a running sale

Each seller SKU may appear in one row only; later rows with the same SKU are
refused. Without --shop-id, a seller SKU found in several shops is refused
with the ids of those shops: pass --shop-id to update it in one of them.
"""

STOCK_BATCH = 100


@attrs.define
class SyncRowReport:
    """Outcome for one input row."""

    row: int
    seller_sku: str
    variation_id: str | None = None
    stock: str | None = None
    price: str | None = None
    refused: list[str] = attrs.field(factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing was refused or failed for this row."""
        return not self.refused


@attrs.define
class SyncReport:
    """Outcome of a run, one entry per input row, in file order."""

    rows: list[SyncRowReport] = attrs.field(factory=list)
    feed_ids: tuple[str, ...] = ()
    requests: int = 0
    elapsed: float = 0.0

    def format(self) -> str:
        """Render the report as text for a terminal."""
        refused = sum(1 for row in self.rows if not row.ok)
        lines = [
            f"Rows: {len(self.rows)} ({len(self.rows) - refused} applied, {refused} "
            "with a refusal or failure)",
            f"Feeds: {', '.join(self.feed_ids) or 'none'}",
            f"Requests: {self.requests} in {self.elapsed:.1f} s",
            "",
        ]
        table = [("row", "seller_sku", "stock", "price", "refused or failed")]
        for row in self.rows:
            table.append(
                (
                    str(row.row),
                    row.seller_sku,
                    row.stock or "",
                    row.price or "",
                    "; ".join(row.refused),
                )
            )
        print_table(table, lines.append)
        return "\n".join(lines)


@attrs.define
class _Line:
    row: InputRow
    report: SyncRowReport
    stock: int | None = None
    price: FeedPrice | None = None
    variation: Variation | None = None
    old_stock: int | None = None

    def refuse(self, reason: str) -> None:
        self.report.refused.append(reason)


async def sync_stock_price(
    client: JumiaClient,
    rows: Sequence[InputRow],
    *,
    shop_id: str | None = None,
    feed_timeout: float = 600.0,
    progress: Progress | None = None,
) -> SyncReport:
    """Apply the stock and price changes of `rows` and report per row.

    A row is refused, and none of its values sent, when a cell is invalid,
    when an earlier row names the same seller SKU, or when the SKU is not
    found or, without `shop_id`, is found in several shops. Raises
    ValueError before any request when `feed_timeout` is not a number of
    seconds above 0.
    """
    check_feed_timeout(feed_timeout)
    started = time.perf_counter()
    requests_before = client.limiter.stats().acquired
    shown = progress or NoProgress()
    shown.add_total(len(rows))
    lines = [
        _Line(row=row, report=SyncRowReport(row=row.number, seller_sku=row.seller_sku))
        for row in rows
    ]
    report = SyncReport(rows=[line.report for line in lines])

    repeats = earlier_rows(rows)
    for line in lines:
        first = repeats.get(line.row.number)
        if first is not None:
            line.refuse(
                f"seller SKU {line.report.seller_sku!r} is already in row {first}; "
                "give each seller SKU one row"
            )
    readable = [line for line in lines if not line.report.refused and _read(line)]
    await _look_up(client, readable, shop_id)
    found = [line for line in readable if line.variation is not None]
    await _read_stock(client, found)

    _skip_unchanged(found)
    # Every item is built before the first feed is sent, so that a row the
    # client would reject cannot stop the other feed half way.
    stock_items = _stock_items(found)
    price_items = _price_items(found)
    submissions = await asyncio.gather(
        _submit_stock(client, stock_items), _submit_prices(client, price_items)
    )
    report.feed_ids = tuple(f for s in submissions if s for f in s.feed_ids)
    sent = (
        [line for line, _ in stock_items],
        [line for line, _ in price_items],
    )
    for submission, kind, sent_lines in zip(
        submissions, ("stock", "price"), sent, strict=True
    ):
        if submission is not None:
            outcomes = await wait_per_sku(client, submission, feed_timeout=feed_timeout)
            _apply(kind, sent_lines, outcomes)

    shown.advance(len(rows), stage="done")
    shown.close()
    report.requests = client.limiter.stats().acquired - requests_before
    report.elapsed = time.perf_counter() - started
    return report


def _skip_unchanged(lines: list[_Line]) -> None:
    """Drop values equal to the current ones, so a repeated run sends nothing."""
    for line in lines:
        if line.stock is not None and line.stock == line.old_stock:
            line.report.stock = f"{line.stock} (unchanged, not sent)"
            line.stock = None
        current = line.variation.global_price if line.variation else None
        price = line.price
        if (
            price is not None
            and price.sale_price is None
            and current is not None
            and current.value == price.value
            and (current.currency or price.currency) == price.currency
        ):
            line.report.price = (
                f"{price.value:g} {price.currency} (unchanged, not sent)"
            )
            line.price = None


def _read(line: _Line) -> bool:
    row = line.row
    try:
        cell(row, "seller_sku")
        line.stock = optional_int(row, "stock")
        if line.stock is not None and line.stock < 0:
            raise RowError(f"column 'stock' is {line.stock}; use 0 or more")
        line.price = _price(row)
    except (RowError, TypeError, ValueError) as error:
        line.refuse(f"invalid input: {error}")
        return False
    if line.stock is None and line.price is None:
        line.refuse("nothing to change: fill stock, price or clear_sale")
        return False
    return True


def _price(row: InputRow) -> FeedPrice | None:
    value = optional_number(row, "price")
    sale_value = optional_number(row, "sale_price")
    start = optional_date(row, "sale_start")
    end = optional_date(row, "sale_end")
    clear = cell(row, "clear_sale", required=False).lower() in ("yes", "true", "1")
    if value is None:
        if sale_value is not None or start or end or clear:
            raise RowError("a sale needs column 'price' as well; fill it in")
        return None
    sale = None
    if clear:
        sale = FeedSalePrice.clear()
    elif sale_value is not None or start is not None or end is not None:
        sale = FeedSalePrice(value=sale_value, start_at=start, end_at=end)
    price = FeedPrice(currency=cell(row, "currency"), value=value, sale_price=sale)
    problems = price_problems(price, "price")
    if problems:
        raise RowError(
            "; ".join(f"column {column_of(f)!r}: {text}" for f, text in problems)
        )
    return price


async def _look_up(
    client: JumiaClient, lines: list[_Line], shop_id: str | None
) -> None:
    shops = _ShopFinder(client)

    async def one(line: _Line) -> None:
        sku = line.report.seller_sku
        try:
            page = await client.catalog.products(seller_sku=sku, shop_id=shop_id)
        except (JumiaError, ValueError) as error:
            line.refuse(f"lookup by seller SKU failed: {error}")
            return
        variations = {
            variation.id: variation
            for product in page.products
            if (variation := product.variation_for_sku(sku)) is not None
        }
        if not variations:
            line.refuse("seller SKU not found in the catalog")
        elif len(variations) == 1:
            line.variation = next(iter(variations.values()))
            line.report.variation_id = line.variation.id
        elif shop_id is not None:
            line.refuse(_several_variations(list(variations), shop_id))
        else:
            line.refuse(await shops.describe(sku, list(variations)))

    await asyncio.gather(*(one(line) for line in lines))


class _ShopFinder:
    """Lookup of the shops that contain a seller SKU, reading the shop list once."""

    def __init__(self, client: JumiaClient) -> None:
        self.client = client
        self.lock = asyncio.Lock()
        self.shops: list[Shop] | None = None

    async def describe(self, sku: str, variation_ids: list[str]) -> str:
        """Return the refusal for a seller SKU found in several variations."""
        try:
            async with self.lock:
                if self.shops is None:
                    self.shops = await self.client.shops.list()
            containing = await self._containing(sku, self.shops)
        except (JumiaError, ValueError) as error:
            logger.warning("Finding the shops of seller SKU %s failed: %s", sku, error)
            return (
                f"seller SKU is in {len(variation_ids)} variations "
                f"({', '.join(variation_ids)}), which may be in several shops; "
                "pass --shop-id to choose the shop to update"
            )
        if len(containing) < 2:
            shop_id = containing[0].id if containing else None
            return _several_variations(variation_ids, shop_id)
        names = ", ".join(
            f"{shop.name or 'unnamed'} ({shop.id})" for shop in containing
        )
        return (
            f"seller SKU is in {len(containing)} shops: {names}; pass --shop-id to "
            "choose the shop to update"
        )

    async def _containing(self, sku: str, shops: list[Shop]) -> list[Shop]:
        async def contains(shop: Shop) -> bool:
            page = await self.client.catalog.products(seller_sku=sku, shop_id=shop.id)
            return any(p.variation_for_sku(sku) is not None for p in page.products)

        found = await asyncio.gather(*(contains(shop) for shop in shops))
        return [shop for shop, held in zip(shops, found, strict=True) if held]


def _several_variations(variation_ids: list[str], shop_id: str | None) -> str:
    where = f" in shop {shop_id}" if shop_id else ""
    return (
        f"seller SKU matches {len(variation_ids)} variations{where} "
        f"({', '.join(variation_ids)}); give the SKU to one variation only"
    )


async def _read_stock(client: JumiaClient, lines: list[_Line]) -> None:
    by_id = {line.variation.id: line for line in lines if line.variation is not None}
    ids = list(by_id)

    async def batch(chunk: list[str]) -> None:
        try:
            page = await client.catalog.stock(product_sids=chunk)
        except JumiaError as error:
            logger.warning("Reading current stock failed: %s", error)
            return
        for entry in page.products:
            if entry.id in by_id:
                by_id[entry.id].old_stock = entry.global_stock

    chunks = [ids[i : i + STOCK_BATCH] for i in range(0, len(ids), STOCK_BATCH)]
    await asyncio.gather(*(batch(chunk) for chunk in chunks))


def _stock_items(lines: list[_Line]) -> list[tuple[_Line, StockUpdate]]:
    items: list[tuple[_Line, StockUpdate]] = []
    for line in lines:
        if line.stock is None or line.variation is None:
            continue
        try:
            item = StockUpdate(
                id=line.variation.id,
                seller_sku=line.report.seller_sku,
                stock=line.stock,
            )
        except (TypeError, ValueError) as error:
            line.refuse(f"stock not sent: {error}")
            continue
        items.append((line, item))
    return items


def _price_items(lines: list[_Line]) -> list[tuple[_Line, PriceUpdate]]:
    items: list[tuple[_Line, PriceUpdate]] = []
    for line in lines:
        if line.price is None or line.variation is None:
            continue
        try:
            item = PriceUpdate(
                id=line.variation.id,
                seller_sku=line.report.seller_sku,
                price=line.price,
            )
        except (TypeError, ValueError) as error:
            line.refuse(f"price not sent: {error}")
            continue
        items.append((line, item))
    return items


async def _submit_stock(
    client: JumiaClient, items: list[tuple[_Line, StockUpdate]]
) -> FeedSubmission | None:
    updates = [update for _, update in items]
    return await _submit(
        "stock",
        [line for line, _ in items],
        lambda: client.feeds.update_stock(updates, verify_ids=False),
    )


async def _submit_prices(
    client: JumiaClient, items: list[tuple[_Line, PriceUpdate]]
) -> FeedSubmission | None:
    updates = [update for _, update in items]
    return await _submit(
        "price",
        [line for line, _ in items],
        lambda: client.feeds.update_prices(updates, verify_ids=False),
    )


async def _submit(
    kind: str, lines: list[_Line], send: Callable[[], Awaitable[FeedSubmission]]
) -> FeedSubmission | None:
    if not lines:
        return None
    by_sku = {line.report.seller_sku: line for line in lines}
    try:
        return await send()
    except BatchWriteError as error:
        for ids, cause in error.failures:
            for sku in ids:
                if sku in by_sku:
                    by_sku[sku].refuse(_failure(kind, cause))
        return error.result if isinstance(error.result, FeedSubmission) else None
    except JumiaError as error:
        for line in lines:
            line.refuse(_failure(kind, error))
        return None
    except (TypeError, ValueError) as error:
        # The client checks the whole list before sending any of it, so
        # nothing of this kind was sent.
        logger.error("The %s feed was not sent: %s", kind, error)
        for line in lines:
            line.refuse(f"{kind} not sent: {error}")
        return None


def _failure(kind: str, error: JumiaError) -> str:
    if isinstance(error, AmbiguousWriteError):
        return (
            f"{kind} feed outcome unknown (it may have been applied); read the "
            f"product before sending again: {error.cause}"
        )
    return f"{kind} feed failed: {error}"


def _apply(kind: str, lines: list[_Line], outcomes: dict[str, SkuOutcome]) -> None:
    for line in lines:
        outcome = outcomes.get(line.report.seller_sku)
        if outcome is None:
            continue
        if not outcome.succeeded:
            line.refuse(f"{kind} refused: {outcome.reason}")
            continue
        if kind == "stock":
            before = "?" if line.old_stock is None else str(line.old_stock)
            line.report.stock = f"{before} -> {line.stock}"
        else:
            line.report.price = _price_change(line)


def _price_change(line: _Line) -> str:
    assert line.price is not None
    old = line.variation.global_price if line.variation else None
    before = "?" if old is None or old.value is None else f"{old.value:g}"
    text = f"{before} -> {line.price.value:g} {line.price.currency}"
    sale = line.price.sale_price
    if sale is not None:
        text += ", sale cleared" if sale.is_clear else f", sale {sale.value:g}"
    return text


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m workflows.sync_stock_price",
        description=(
            "Set stock levels and prices from a CSV or JSON file and report per "
            "seller SKU. Without credentials it runs on the built-in sandbox."
        ),
        epilog=COLUMNS_HELP + "\n" + CREDENTIALS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, help="CSV (with a header row) or JSON file")
    parser.add_argument(
        "--shop-id",
        help=(
            "look the SKUs up in this shop only (needed for a SKU that is in "
            "several shops)"
        ),
    )
    parser.add_argument(
        "--feed-timeout",
        type=float,
        default=600.0,
        help="seconds to wait for each feed to finish (default: 600)",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="hide the progress bar"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each request")
    add_credential_arguments(parser)
    args = parser.parse_args(argv)
    if not math.isfinite(args.feed_timeout) or args.feed_timeout <= 0:
        parser.error(
            f"--feed-timeout {args.feed_timeout} must be a number of seconds above 0"
        )
    return args


async def _main(args: argparse.Namespace) -> int:
    try:
        rows = read_rows(args.file)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    async with open_target(args, SandboxConfig()) as target:
        progress = terminal_progress(
            "Syncing", enabled=False if args.no_progress else None
        )
        report = await sync_stock_price(
            target.client,
            rows,
            shop_id=args.shop_id,
            feed_timeout=args.feed_timeout,
            progress=progress,
        )
    print(report.format())
    return 0 if all(row.ok for row in report.rows) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns 1 when any row was refused or failed."""
    return run_command(partial(_run, argv))


def _run(argv: Sequence[str] | None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
