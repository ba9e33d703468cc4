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
