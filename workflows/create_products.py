"""Create products from a spreadsheet and report their product sids and QC.

For each row, the workflow resolves the brand and the category (by code or
by name) and checks the product against the category's attribute set. It
submits create feeds and waits for them. Then it looks each product up by
seller SKU and reports its product sid and QC status per country, or the
exact reason it failed. Every input row appears in the report.

Run `python -m workflows.create_products --help` for the columns.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import attrs

from jumia_async import (
    AmbiguousWriteError,
    BatchWriteError,
    Brand,
    Category,
    FeedImage,
    FeedPrice,
    FeedSalePrice,
    FeedSubmission,
    JumiaClient,
    JumiaError,
    NewProduct,
    ProductSet,
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

logger = logging.getLogger("workflows.create_products")

COLUMNS_HELP = """\
input columns (CSV header or JSON keys; blank cells are left out):
  seller_sku      your SKU for this product or variant (required)
  parent_sku      shared by the variants of one product (default: seller_sku)
  variation       the variant's value, e.g. a colour or "..." (required)
  name            product title, 15 to 60 characters, without the brand (required)
  description     long description (required)
  brand           brand code, or brand name such as Generic
  category        category code, or category name or full path
  price           global price, e.g. 1500.50
  currency        ISO 4217 code of the price, e.g. GHS
  sale_price      sale price, below price (optional)
  sale_start      sale start, YYYY-MM-DD or YYYY-MM-DD HH:MM UTC
  sale_end        sale end, same format
  stock           initial stock, 0 or more
  images          image URLs separated by spaces or |; the first is primary
  barcode_ean     barcode (optional)
  attr:NAME       value of attribute NAME, e.g. attr:short_description
Other columns are reported as ignored. Each seller SKU may appear in one row
only; later rows with the same SKU fail without being sent.

exit status:
  0 when every row is listed or awaiting QC, 1 when a row was rejected or
  failed, 2 when the file cannot be read.
"""

KNOWN_COLUMNS = frozenset(
    {
        "seller_sku",
        "parent_sku",
        "variation",
        "name",
        "description",
        "brand",
        "category",
        "price",
        "currency",
        "sale_price",
        "sale_start",
        "sale_end",
        "stock",
        "images",
        "barcode_ean",
    }
)

# Part of the feed's message for a seller SKU that a product already has.
ALREADY_EXISTS = "already exists"

# Walking every brand or category page costs one request per page, and the
# live catalog has thousands of pages, so the walk stops here.
CATALOG_PAGES_MAX = 200


class Outcome:
    """Row outcomes, as shown in the report."""

    LISTED = "listed"
    AWAITING_QC = "awaiting QC"
    QC_REJECTED = "QC rejected"
    REJECTED = "rejected"
    FAILED = "failed"


@attrs.define
class ProductRowReport:
    """Outcome for one input row."""

    row: int
    seller_sku: str
    outcome: str = Outcome.FAILED
    product_sid: str | None = None
    qc: dict[str, str] = attrs.field(factory=dict)
    reason: str | None = None


@attrs.define
class CreateProductsReport:
    """Outcome of a run, one entry per input row, in file order."""

    rows: list[ProductRowReport] = attrs.field(factory=list)
    shop_id: str | None = None
    feed_ids: tuple[str, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    requests: int = 0
    elapsed: float = 0.0

    def count(self, outcome: str) -> int:
        """Return how many rows ended with `outcome`."""
        return sum(1 for row in self.rows if row.outcome == outcome)

    def format(self) -> str:
        """Render the report as text for a terminal."""
        outcomes = (
            Outcome.LISTED,
            Outcome.AWAITING_QC,
            Outcome.QC_REJECTED,
            Outcome.REJECTED,
            Outcome.FAILED,
        )
        summary = ", ".join(f"{self.count(o)} {o}" for o in outcomes)
        lines = [
            f"Rows: {len(self.rows)} ({summary})",
            f"Shop: {self.shop_id}; feeds: {', '.join(self.feed_ids) or 'none'}",
            f"Requests: {self.requests} in {self.elapsed:.1f} s",
        ]
        if self.ignored_columns:
            lines.append(f"Ignored columns: {', '.join(self.ignored_columns)}")
        lines.append("")
        table = [("row", "seller_sku", "outcome", "product_sid", "qc", "reason")]
        for row in self.rows:
            qc = ", ".join(f"{country}: {status}" for country, status in row.qc.items())
            table.append(
                (
                    str(row.row),
                    row.seller_sku,
                    row.outcome,
                    row.product_sid or "",
                    qc,
                    row.reason or "",
                )
            )
        print_table(table, lines.append)
        return "\n".join(lines)


@attrs.define
class _Draft:
    row: InputRow
    report: ProductRowReport
    brand: str = ""
    category: str = ""
    product: NewProduct | None = None
    existed: bool = False


async def create_products(
    client: JumiaClient,
    rows: Sequence[InputRow],
    *,
    shop_id: str | None = None,
    feed_timeout: float = 600.0,
    qc_wait: float = 0.0,
    progress: Progress | None = None,
) -> CreateProductsReport:
    """Create the products of `rows` and report each row's outcome.

    `shop_id` defaults to the first shop of the token. `qc_wait` is how
    many seconds to keep polling products whose QC is still pending; QC on
    the real API can take days, so the default reports them as awaiting QC.
    A row whose seller SKU an earlier row already names fails without being
    sent. Raises ValueError before any request when `feed_timeout` is not a
    number of seconds above 0.
    """
    check_feed_timeout(feed_timeout)
    started = time.perf_counter()
    requests_before = client.limiter.stats().acquired
    shown = progress or NoProgress()
    shown.add_total(len(rows))
    report = CreateProductsReport()
    drafts = [
        _Draft(
            row=row, report=ProductRowReport(row=row.number, seller_sku=row.seller_sku)
        )
        for row in rows
    ]
    report.rows = [draft.report for draft in drafts]
    columns = {name for row in rows for name in row.cells}
    report.ignored_columns = tuple(
        sorted(
            name
            for name in columns - KNOWN_COLUMNS
            if not name.startswith("attr:") and name != "_invalid"
        )
    )

    try:
        report.shop_id = shop_id or await _first_shop(client)
    except JumiaError as error:
        for draft in drafts:
            draft.report.reason = f"could not read the shops: {error}"
        return _finish(report, client, requests_before, started, shown)

    repeats = earlier_rows(rows)
    for draft in drafts:
        first = repeats.get(draft.row.number)
        if first is not None:
            draft.report.reason = (
                f"seller SKU {draft.report.seller_sku!r} is already in row {first}, "
                "so this row was not sent; give each seller SKU one row"
            )
    readable = [
        draft for draft in drafts if not draft.report.reason and _read_cells(draft)
    ]
    brands, categories = await _resolve_catalog(client, readable)
    rules = await _category_rules(client, readable, categories)
    ready = [draft for draft in readable if _build(draft, brands, categories)]

    submission = await _submit(client, report.shop_id, ready, rules)
    if submission is not None:
        report.feed_ids = submission.feed_ids
        outcomes = await wait_per_sku(client, submission, feed_timeout=feed_timeout)
        await _look_up(client, report.shop_id, ready, outcomes, qc_wait)
    return _finish(report, client, requests_before, started, shown)


def _finish(
    report: CreateProductsReport,
    client: JumiaClient,
    requests_before: int,
    started: float,
    progress: Progress,
) -> CreateProductsReport:
    progress.advance(len(report.rows), stage="done")
    progress.close()
    report.requests = client.limiter.stats().acquired - requests_before
    report.elapsed = time.perf_counter() - started
    return report


async def _first_shop(client: JumiaClient) -> str:
    shops = await client.shops.list()
    if not shops:
        raise ValueError("the token covers no shop; pass --shop-id")
    return shops[0].id


def _read_cells(draft: _Draft) -> bool:
    """Check the cells that need no lookup; record a failure and return False."""
    row = draft.row
    if "_invalid" in row.cells:
        draft.report.reason = f"row is not an object: {row.cells['_invalid']}"
        return False
    try:
        cell(row, "seller_sku")
        draft.brand = cell(row, "brand")
        draft.category = cell(row, "category")
    except RowError as error:
        draft.report.reason = str(error)
        return False
    return True


def _key(text: str) -> str:
    return " / ".join(
        part.strip().lower() for part in text.replace(">", "/").split("/")
    )


async def _resolve_catalog(
    client: JumiaClient, drafts: list[_Draft]
) -> tuple[dict[str, Brand], dict[str, Category]]:
    """Find the brands and categories the rows name, by code or name."""
    wanted_brands = {_key(d.brand) for d in drafts if not d.brand.isdigit()}
    wanted_categories = {_key(d.category) for d in drafts}
    brands: dict[str, Brand] = {}
    categories: dict[str, Category] = {}

    async def walk_brands() -> None:
        seen = 0
        async for brand in client.catalog.iter_brands():
            seen += 1
            for key in (_key(brand.name or ""), brand.code):
                if key in wanted_brands:
                    brands[key] = brand
            if wanted_brands <= brands.keys() or seen > CATALOG_PAGES_MAX * 100:
                return

    async def walk_categories() -> None:
        seen = 0
        async for category in client.catalog.iter_categories():
            seen += 1
            keys = (
                category.code,
                _key(category.name or ""),
                _key(category.complete_path or ""),
            )
            for key in keys:
                if key in wanted_categories:
                    categories[key] = category
            if wanted_categories <= categories.keys() or seen > CATALOG_PAGES_MAX * 100:
                return

    async def guarded(walk: str) -> None:
        try:
            await (walk_brands() if walk == "brands" else walk_categories())
        except JumiaError as error:
            logger.error("Reading %s failed: %s", walk, error)

    jobs = ["categories"] + (["brands"] if wanted_brands else [])
    await asyncio.gather(*(guarded(job) for job in jobs))
    return brands, categories


async def _category_rules(
    client: JumiaClient, drafts: list[_Draft], categories: dict[str, Category]
) -> list[object]:
    chosen = {
        categories[_key(d.category)].code: categories[_key(d.category)]
        for d in drafts
        if _key(d.category) in categories
    }
    if not chosen:
        return []
    try:
        return list(await client.catalog.category_rules(list(chosen.values())))
    except JumiaError as error:
        for draft in drafts:
            draft.report.reason = f"could not read the attribute sets: {error}"
        drafts.clear()
        return []


def _build(
    draft: _Draft, brands: dict[str, Brand], categories: dict[str, Category]
) -> bool:
    """Turn a row into a NewProduct; record the problem and return False if not."""
    if draft.report.reason:
        return False
    row = draft.row
    category = categories.get(_key(draft.category))
    if category is None:
        draft.report.reason = (
            f"category {draft.category!r} was not found in the catalog; use a "
            "category code or the exact name"
        )
        return False
    brand_code: str = draft.brand
    brand_name: str | None = None
    if not draft.brand.isdigit():
        brand = brands.get(_key(draft.brand))
        if brand is None:
            draft.report.reason = (
                f"brand {draft.brand!r} was not found in the catalog; use the "
                "brand code or its exact name"
            )
            return False
        brand_code, brand_name = brand.code, brand.name
    try:
        draft.product = _new_product(row, brand_code, brand_name, category)
    except (RowError, TypeError, ValueError) as error:
        draft.report.reason = str(error)
        return False
    return True


def _new_product(
    row: InputRow, brand_code: str, brand_name: str | None, category: Category
) -> NewProduct:
    seller_sku = cell(row, "seller_sku")
    price = optional_number(row, "price")
    if price is None:
        raise RowError("column 'price' is missing or blank; fill it in")
    stock = optional_int(row, "stock")
    sale_value = optional_number(row, "sale_price")
    sale_start = optional_date(row, "sale_start")
    sale_end = optional_date(row, "sale_end")
    sale = None
    if sale_value is not None or sale_start is not None or sale_end is not None:
        sale = FeedSalePrice(value=sale_value, start_at=sale_start, end_at=sale_end)
    urls = cell(row, "images", required=False).replace("|", " ").split()
    attributes = {
        name.removeprefix("attr:"): value
        for name, value in row.cells.items()
        if name.startswith("attr:") and value
    }
    return NewProduct(
        seller_sku=seller_sku,
        parent_sku=cell(row, "parent_sku", required=False) or seller_sku,
        variation=cell(row, "variation", required=False),
        name=cell(row, "name", required=False),
        description=cell(row, "description", required=False),
        brand_code=brand_code,
        brand_name=brand_name,
        category_code=category.code,
        category_name=category.name,
        price=FeedPrice(currency=cell(row, "currency"), value=price, sale_price=sale),
        stock=stock if stock is not None else 0,
        images=[
            FeedImage(url=url, primary=index == 0) for index, url in enumerate(urls)
        ],
        attributes=attributes,
        barcode_ean=cell(row, "barcode_ean", required=False) or None,
    )


async def _submit(
    client: JumiaClient, shop_id: str, drafts: list[_Draft], rules: list[object]
) -> FeedSubmission | None:
    if not drafts:
        return None
    by_sku = {d.report.seller_sku: d for d in drafts}
    products = [d.product for d in drafts if d.product is not None]
    submission: FeedSubmission | None
    try:
        submission = await client.feeds.create_products(
            shop_id,
            products,
            rules=rules,  # type: ignore[arg-type]
        )
    except BatchWriteError as error:
        submission = error.result if isinstance(error.result, FeedSubmission) else None
        for ids, cause in error.failures:
            for sku in ids:
                if sku in by_sku:
                    by_sku[sku].report.reason = _submit_failure(cause)
    except AmbiguousWriteError as error:
        for draft in drafts:
            draft.report.reason = _submit_failure(error)
        return None
    except JumiaError as error:
        for draft in drafts:
            draft.report.reason = f"feed submission failed: {error}"
        return None

    if submission is None:
        return None
    problems: dict[str, dict[str, None]] = {}
    for issue in submission.rejected:
        text = f"{column_of(issue.field)}: {issue.message}"
        problems.setdefault(issue.seller_sku, {})[text] = None
    for sku, texts in problems.items():
        rejected = by_sku.get(sku)
        if rejected is not None:
            rejected.report.outcome = Outcome.REJECTED
            rejected.report.reason = "; ".join(texts)
    return submission


def _submit_failure(error: JumiaError) -> str:
    if isinstance(error, AmbiguousWriteError):
        return (
            "feed submission outcome unknown (the API may have created the "
            f"product); look the SKU up before submitting again: {error.cause}"
        )
    return f"feed submission failed: {error}"


async def _look_up(
    client: JumiaClient,
    shop_id: str,
    drafts: list[_Draft],
    outcomes: dict[str, SkuOutcome],
    qc_wait: float,
) -> None:
    """Read each created product by seller SKU for its sid and QC status."""
    pending: list[_Draft] = []
    for draft in drafts:
        outcome = outcomes.get(draft.report.seller_sku)
        if outcome is None:
            continue
        if outcome.succeeded:
            pending.append(draft)
        elif ALREADY_EXISTS in outcome.reason.lower():
            # Created by an earlier run: report the product as it is now.
            draft.existed = True
            pending.append(draft)
        else:
            draft.report.outcome = (
                Outcome.REJECTED if outcome.item is not None else Outcome.FAILED
            )
            draft.report.reason = outcome.reason

    deadline = time.monotonic() + qc_wait
    while pending:
        await asyncio.gather(*(_read_product(client, shop_id, d) for d in pending))
        pending = [d for d in pending if d.report.outcome == Outcome.AWAITING_QC]
        if not pending or time.monotonic() >= deadline:
            return
        await asyncio.sleep(min(2.0, max(0.0, deadline - time.monotonic())))


async def _read_product(client: JumiaClient, shop_id: str, draft: _Draft) -> None:
    sku = draft.report.seller_sku
    try:
        page = await client.catalog.products(seller_sku=sku, shop_id=shop_id)
    except JumiaError as error:
        draft.report.outcome = Outcome.FAILED
        draft.report.reason = f"created, but the lookup by seller SKU failed: {error}"
        return
    _apply_lookup(draft, page.products)


def _apply_lookup(draft: _Draft, products: list[ProductSet]) -> None:
    sku = draft.report.seller_sku
    variation = next(
        (
            v
            for product in products
            if (v := product.variation_for_sku(sku)) is not None
        ),
        None,
    )
    if variation is None:
        draft.report.outcome = Outcome.AWAITING_QC
        draft.report.reason = "created, but not listed yet under this seller SKU"
        return
    draft.report.product_sid = variation.id
    statuses: dict[str, str] = {}
    reasons: list[str] = []
    for client_entry in variation.business_clients:
        country = client_entry.country_code or client_entry.code
        qc = client_entry.qc
        status = (qc.status if qc else None) or "UNKNOWN"
        statuses[country] = status
        if qc is not None and status == "REJECTED":
            detail = qc.rejection_reason or "no reason given"
            if qc.rejection_comment:
                detail += f" ({qc.rejection_comment})"
            reasons.append(f"{country}: {detail}")
    draft.report.qc = statuses
    earlier = "created by an earlier run" if draft.existed else None
    if reasons:
        draft.report.outcome = Outcome.QC_REJECTED
        draft.report.reason = "; ".join(reasons)
    elif statuses and all(status == "APPROVED" for status in statuses.values()):
        draft.report.outcome = Outcome.LISTED
        draft.report.reason = earlier
    else:
        draft.report.outcome = Outcome.AWAITING_QC
        draft.report.reason = earlier


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m workflows.create_products",
        description=(
            "Create products from a CSV or JSON file and report each row's "
            "product sid and QC status. Products that already exist under a "
            "row's seller SKU are reported as they are, so a run can be "
            "repeated. Without credentials it runs on the built-in sandbox."
        ),
        epilog=COLUMNS_HELP + "\n" + CREDENTIALS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path, help="CSV (with a header row) or JSON file")
    parser.add_argument(
        "--shop-id", help="shop to create the products in (default: first)"
    )
    parser.add_argument(
        "--feed-timeout",
        type=float,
        default=600.0,
        help="seconds to wait for each feed to finish (default: 600)",
    )
    parser.add_argument(
        "--qc-wait",
        type=float,
        default=None,
        help="seconds to keep polling pending QC (default: 0, or 30 on the sandbox)",
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
    if args.qc_wait is not None and args.qc_wait < 0:
        parser.error(f"--qc-wait {args.qc_wait} must be 0 or more seconds")
    return args


async def _main(args: argparse.Namespace) -> int:
    try:
        rows = read_rows(args.file)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    async with open_target(args, SandboxConfig()) as target:
        qc_wait = args.qc_wait
        if qc_wait is None:
            qc_wait = 30.0 if target.sandbox is not None else 0.0
        progress = terminal_progress(
            "Creating", enabled=False if args.no_progress else None
        )
        report = await create_products(
            target.client,
            rows,
            shop_id=args.shop_id,
            feed_timeout=args.feed_timeout,
            qc_wait=qc_wait,
            progress=progress,
        )
    print(report.format())
    settled = report.count(Outcome.LISTED) + report.count(Outcome.AWAITING_QC)
    return 0 if settled == len(report.rows) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns 1 when a row failed other than by rejection."""
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
