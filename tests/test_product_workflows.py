"""The product workflows on the sandbox: create products, sync stock and price."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from jumia_async import JumiaClient, UnlimitedLimiter
from jumia_async.sandbox import Sandbox, SandboxConfig, run_sandbox
from workflows._product_rows import read_rows
from workflows.create_products import Outcome, create_products
from workflows.sync_stock_price import sync_stock_price

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "workflows" / "examples"


@asynccontextmanager
async def sandbox_client(
    config: SandboxConfig | None = None,
) -> AsyncIterator[tuple[Sandbox, JumiaClient]]:
    async with (
        run_sandbox(config or SandboxConfig(rate_limit=False)) as sandbox,
        JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            limiter=UnlimitedLimiter(),
        ) as client,
    ):
        yield sandbox, client


async def test_example_products_report_every_row() -> None:
    rows = read_rows(EXAMPLES / "products.csv")
    async with sandbox_client() as (_, client):
        report = await create_products(client, rows, qc_wait=10)

    by_sku = {row.seller_sku: row for row in report.rows}
    assert [row.row for row in report.rows] == [row.number for row in rows]
    for sku in ("CHG-20W-BLK", "CHG-20W-WHT", "PB-10K"):
        assert by_sku[sku].outcome == Outcome.LISTED, by_sku[sku]
        assert by_sku[sku].product_sid
        assert by_sku[sku].qc == {"GH": "APPROVED"}
    rejected_qc = by_sku["CASE-REJECT-01"]
    assert rejected_qc.outcome == Outcome.QC_REJECTED
    assert rejected_qc.product_sid
    assert "Wrong Category" in (rejected_qc.reason or "")
    assert by_sku["HP-NO-WEIGHT"].outcome == Outcome.REJECTED
    assert "product_weight" in (by_sku["HP-NO-WEIGHT"].reason or "")
    assert "start_at" in (by_sku["CHG-SALE-NODATE"].reason or "")
    assert "leaf" in (by_sku["TAB-NOCAT"].reason or "")
    # Rejected by the feed itself, not by the checks before sending.
    assert by_sku["CABLE-3GHS"].outcome == Outcome.REJECTED
    assert "must be equal or more than" in (by_sku["CABLE-3GHS"].reason or "")
    assert len(report.feed_ids) == 1


async def test_unreadable_rows_stay_in_report(tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    path.write_text(
        json.dumps(
            [
                "not an object",
                {"seller_sku": "NO-BRAND", "category": "Chargers"},
                {
                    "seller_sku": "BAD-PRICE",
                    "brand": "Generic",
                    "category": "Chargers",
                    "price": "cheap",
                    "currency": "GHS",
                },
                {
                    "seller_sku": "NO-SUCH-BRAND",
                    "brand": "Brand That Does Not Exist",
                    "category": "Chargers",
                    "price": 10,
                    "currency": "GHS",
                },
                {
                    "seller_sku": "NO-SUCH-CATEGORY",
                    "brand": "Generic",
                    "category": "Spaceships",
                    "price": 10,
                    "currency": "GHS",
                },
            ]
        )
    )
    rows = read_rows(path)
    async with sandbox_client() as (sandbox, client):
        report = await create_products(client, rows)
        routes = sandbox.state.account(sandbox.client_id).counters.routes

    assert len(report.rows) == 5
    assert all(row.outcome == Outcome.FAILED for row in report.rows)
    reasons = [row.reason or "" for row in report.rows]
    assert "not an object" in reasons[0]
    assert "'brand' is missing" in reasons[1]
    assert "'cheap', not a number" in reasons[2]
    assert "brand 'Brand That Does Not Exist' was not found" in reasons[3]
    assert "category 'Spaceships' was not found" in reasons[4]
    assert routes["POST /feeds/products/create"] == 0


async def test_ambiguous_create_reported_not_resent() -> None:
    rows = read_rows(EXAMPLES / "products.csv")
    async with sandbox_client() as (sandbox, client):
        sandbox.state.inject_fault(
            "POST", "/feeds/products/create", status=502, mode="after"
        )
        report = await create_products(client, rows)
        routes = sandbox.state.account(sandbox.client_id).counters.routes

    assert routes["POST /feeds/products/create"] == 1
    sent = [row for row in report.rows if "outcome unknown" in (row.reason or "")]
    assert {row.seller_sku for row in sent} >= {"CHG-20W-BLK", "PB-10K"}
    assert all(row.outcome == Outcome.FAILED for row in sent)


async def test_example_sync_reports_changes() -> None:
    rows = read_rows(EXAMPLES / "stock_prices.csv")
    async with sandbox_client() as (_, client):
        report = await sync_stock_price(client, rows)
        page = await client.catalog.products(seller_sku="SBP-GH-e473719b-001")
        stock = await client.catalog.stock(
            product_sids=[page.products[0].variations[0].id]
        )

    by_sku = {row.seller_sku: row for row in report.rows}
    assert len(report.rows) == len(rows)
    first = by_sku["SBP-GH-e473719b-001"]
    assert first.ok
    assert (first.stock or "").endswith("-> 15")
    assert "-> 1799 GHS" in (first.price or "")
    assert stock.products[0].global_stock == 15
    assert "sale cleared" in (by_sku["SBP-GH-e473719b-003-2"].price or "")
    assert "must be equal or more than" in by_sku["SBP-KE-2c71392a-002"].refused[0]
    assert "use 0 or more" in by_sku["SBP-GH-e473719b-004"].refused[0]
    assert by_sku["SKU-DOES-NOT-EXIST"].refused == [
        "seller SKU not found in the catalog"
    ]


async def test_stock_refused_before_qc_approval(tmp_path: Path) -> None:
    created = tmp_path / "one.csv"
    source = (EXAMPLES / "products.csv").read_text().splitlines()
    created.write_text("\n".join(source[:2]) + "\n")
    sync = tmp_path / "sync.csv"
    sync.write_text("seller_sku,stock,price,currency\nCHG-20W-BLK,3,110,GHS\n")

    config = SandboxConfig(rate_limit=False, qc_queue_seconds=600)
    async with sandbox_client(config) as (_, client):
        created_report = await create_products(client, read_rows(created))
        sync_report = await sync_stock_price(client, read_rows(sync))

    assert created_report.rows[0].outcome == Outcome.AWAITING_QC
    refusals = sync_report.rows[0].refused
    assert len(refusals) == 2
    assert refusals[0].startswith("stock refused:")
    assert refusals[1].startswith("price refused:")
    assert "approved" in refusals[0].lower()


@pytest.mark.parametrize(
    ("module", "example", "expected"),
    [
        ("workflows.create_products", "products.csv", "3 listed"),
        ("workflows.sync_stock_price", "stock_prices.csv", "5 applied"),
    ],
)
def test_commands_run_on_sandbox(module: str, example: str, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUMIA_")}
    completed = subprocess.run(
        [sys.executable, "-m", module, str(EXAMPLES / example), "--no-progress"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert expected in completed.stdout, completed.stdout + completed.stderr
    assert "Rows: " in completed.stdout
    assert "Traceback" not in completed.stderr


def test_help_documents_columns() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "workflows.create_products", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "attr:NAME" in completed.stdout
    assert "JUMIA_CLIENT_ID" in completed.stdout


async def test_create_twice_reports_existing_products() -> None:
    rows = read_rows(EXAMPLES / "products.csv")
    async with sandbox_client() as (_, client):
        first = await create_products(client, rows, qc_wait=10)
        second = await create_products(client, rows, qc_wait=10)

    before = {row.seller_sku: row for row in first.rows}
    after = {row.seller_sku: row for row in second.rows}
    for sku in ("CHG-20W-BLK", "CHG-20W-WHT", "PB-10K"):
        assert after[sku].outcome == Outcome.LISTED
        assert after[sku].product_sid == before[sku].product_sid
        assert after[sku].reason == "created by an earlier run"
    assert after["CASE-REJECT-01"].outcome == Outcome.QC_REJECTED


async def test_sync_twice_sends_nothing_new() -> None:
    rows = read_rows(EXAMPLES / "stock_prices.csv")
    async with sandbox_client() as (sandbox, client):
        await sync_stock_price(client, rows)
        routes = sandbox.state.account(sandbox.client_id).counters.routes
        feeds_before = routes["POST /feeds/products/stock"]
        second = await sync_stock_price(client, rows)
        feeds_after = routes["POST /feeds/products/stock"]

    first_row = {row.seller_sku: row for row in second.rows}["SBP-GH-e473719b-001"]
    assert first_row.stock == "15 (unchanged, not sent)"
    assert first_row.price == "1799 GHS (unchanged, not sent)"
    assert feeds_after == feeds_before


async def test_issue_fields_named_by_column(tmp_path: Path) -> None:
    source = (EXAMPLES / "products.csv").read_text().splitlines()
    sale_row = next(line for line in source if line.startswith("CHG-SALE-NODATE"))
    path = tmp_path / "one.csv"
    path.write_text(source[0] + ",sku\n" + sale_row + ",extra\n")
    async with sandbox_client() as (_, client):
        report = await create_products(client, read_rows(path))

    reason = report.rows[0].reason or ""
    assert reason.startswith("sale_start: ")
    assert "sale_end: " in reason
    assert reason.count("sale_start: ") == 1
    assert report.ignored_columns == ("sku",)
    assert "Ignored columns: sku" in report.format()


async def variation_stock(client: JumiaClient, seller_sku: str) -> int | None:
    page = await client.catalog.products(seller_sku=seller_sku)
    variation = page.products[0].variation_for_sku(seller_sku)
    assert variation is not None
    stock = await client.catalog.stock(product_sids=[variation.id])
    return stock.products[0].global_stock


async def test_sync_refuses_bad_rows_before_sending(tmp_path: Path) -> None:
    path = tmp_path / "sync.csv"
    path.write_text(
        "seller_sku,stock,price,currency,sale_price,sale_start,sale_end\n"
        "SBP-GH-e473719b-001,15,,,,,\n"
        "SBP-GH-e473719b-001,20,,,,,\n"
        "SBP-GH-e473719b-002,7,1500.505,GHS,,,\n"
        "SBP-GH-e473719b-003,,100,GHS,150,2090-01-01,2090-02-01\n"
    )
    async with sandbox_client() as (sandbox, client):
        stock_before = await variation_stock(client, "SBP-GH-e473719b-002")
        report = await sync_stock_price(client, read_rows(path))
        stock_after = await variation_stock(client, "SBP-GH-e473719b-002")
        routes = sandbox.state.account(sandbox.client_id).counters.routes

    assert [row.row for row in report.rows] == [2, 3, 4, 5]
    applied, repeated, decimals, sale = report.rows
    assert applied.ok
    assert (applied.stock or "").endswith("-> 15")
    assert len(repeated.refused) == 1
    assert "already in row 2" in repeated.refused[0]
    assert repeated.stock is None
    assert len(decimals.refused) == 1
    assert "price" in decimals.refused[0]
    assert "more than 2 decimal places" in decimals.refused[0]
    assert decimals.stock is None
    assert stock_after == stock_before
    assert len(sale.refused) == 1
    assert "sale_price" in sale.refused[0]
    assert "not below the price" in sale.refused[0]
    assert routes["POST /feeds/products/stock"] == 1
    assert routes["POST /feeds/products/price"] == 0


def test_sync_command_reports_repeated_sku(tmp_path: Path) -> None:
    path = tmp_path / "sync.csv"
    path.write_text(
        "seller_sku,stock\nSBP-GH-e473719b-001,15\nSBP-GH-e473719b-001,20\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUMIA_")}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "workflows.sync_stock_price",
            str(path),
            "--no-progress",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    assert "1 applied" in completed.stdout
    assert "already in row 2" in completed.stdout


async def create_in_shops(
    client: JumiaClient, tmp_path: Path, prices: dict[str, str]
) -> None:
    """Create the first example product in each shop, at the shop's price.

    `prices` maps a shop id to the `price,currency` cells for that shop.
    """
    header, first = (EXAMPLES / "products.csv").read_text().splitlines()[:2]
    path = tmp_path / "one.csv"
    for shop_id, price in prices.items():
        row = first.replace(",120,GHS,", f",{price},")
        path.write_text(f"{header}\n{row}\n")
        report = await create_products(
            client, read_rows(path), shop_id=shop_id, qc_wait=10
        )
        assert report.rows[0].outcome == Outcome.LISTED, report.rows[0]


async def test_sync_sku_in_two_shops_refused(tmp_path: Path) -> None:
    sync = tmp_path / "sync.csv"
    sync.write_text("seller_sku,stock\nCHG-20W-BLK,77\n")
    async with sandbox_client() as (sandbox, client):
        # The sandbox's first two shops sell in Ghana and in Nigeria.
        shop_ids = [shop.id for shop in (await client.shops.list())[:2]]
        prices = dict(zip(shop_ids, ("120,GHS", "2500,NGN"), strict=True))
        await create_in_shops(client, tmp_path, prices)
        routes = sandbox.state.account(sandbox.client_id).counters.routes
        unscoped = await sync_stock_price(client, read_rows(sync))
        stock_feeds = routes["POST /feeds/products/stock"]
        scoped = await sync_stock_price(client, read_rows(sync), shop_id=shop_ids[1])
        stocks = {}
        for shop_id in shop_ids:
            page = await client.catalog.products(
                seller_sku="CHG-20W-BLK", shop_id=shop_id
            )
            variation = page.products[0].variation_for_sku("CHG-20W-BLK")
            assert variation is not None
            levels = await client.catalog.stock(product_sids=[variation.id])
            stocks[shop_id] = levels.products[0].global_stock

    refusal = unscoped.rows[0].refused
    assert len(refusal) == 1
    assert "2 shops" in refusal[0]
    for shop_id in shop_ids:
        assert shop_id in refusal[0]
    assert "--shop-id" in refusal[0]
    assert stock_feeds == 0
    assert scoped.rows[0].ok, scoped.rows[0].refused
    assert stocks == {shop_ids[0]: 25, shop_ids[1]: 77}


async def test_create_refuses_repeated_sku(tmp_path: Path) -> None:
    header, first = (EXAMPLES / "products.csv").read_text().splitlines()[:2]
    path = tmp_path / "products.csv"
    path.write_text(f"{header}\n{first}\n{first.replace(',120,GHS,', ',135,GHS,')}\n")
    async with sandbox_client() as (sandbox, client):
        report = await create_products(client, read_rows(path), qc_wait=10)
        routes = sandbox.state.account(sandbox.client_id).counters.routes
        page = await client.catalog.products(seller_sku="CHG-20W-BLK")

    first_row, repeated = report.rows
    assert first_row.outcome == Outcome.LISTED
    assert repeated.outcome == Outcome.FAILED
    assert repeated.product_sid is None
    assert "already in row 2" in (repeated.reason or "")
    assert routes["POST /feeds/products/create"] == 1
    assert len(page.products) == 1
    price = page.products[0].variations[0].global_price
    assert price is not None
    assert price.value == 120
