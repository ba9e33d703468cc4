"""The order fulfilment workflow on the sandbox."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from aioresponses import CallbackResult, aioresponses
from pypdf import PdfReader

from jumia_async import (
    JumiaClient,
    MemoryTokenStore,
    OrderStatus,
    SlidingWindowLimiter,
    UnlimitedLimiter,
)
from jumia_async.sandbox import Sandbox, SandboxConfig, run_sandbox
from workflows.fulfil_orders import (
    Outcome,
    TrackingCodeFile,
    fulfil_orders,
    sandbox_tracking_code,
)

from .helpers import TOKEN_URL, TokenServer, make_client, url_pattern

REPO = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def sandbox_client(
    config: SandboxConfig, *, limited: bool = False
) -> AsyncIterator[tuple[Sandbox, JumiaClient]]:
    async with (
        run_sandbox(config) as sandbox,
        JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            limiter=SlidingWindowLimiter() if limited else UnlimitedLimiter(),
        ) as client,
    ):
        yield sandbox, client


def window() -> dict[str, datetime]:
    now = datetime.now(UTC)
    return {"created_after": now - timedelta(days=7), "created_before": now}


def item_states(sandbox: Sandbox) -> dict[str, tuple[str, bool]]:
    account = sandbox.state.account(sandbox.client_id)
    return {
        item.id: (item.status, bool(item.tracking_number))
        for order in account.orders
        for item in order.items
    }


def seller_items(sandbox: Sandbox) -> list[object]:
    account = sandbox.state.account(sandbox.client_id)
    return [
        item
        for order in account.orders
        for item in order.items
        if not item.fulfilled_by_jumia
    ]


async def test_run_fulfils_every_pending_order(tmp_path: Path) -> None:
    config = SandboxConfig(orders_per_mastershop=30, seed=7)
    async with sandbox_client(config, limited=True) as (sandbox, client):
        account = sandbox.state.account(sandbox.client_id)
        pending_before = {
            item.id
            for order in account.orders
            for item in order.items
            if item.status == "PENDING" and not item.fulfilled_by_jumia
        }
        report = await fulfil_orders(
            client, tracking_code=sandbox_tracking_code, output_dir=tmp_path, **window()
        )
        states = item_states(sandbox)
        counters = account.counters

    assert report.with_outcome(Outcome.FAILED) == []
    assert report.listing_error is None
    assert report.items_packed > 0
    for item_id in pending_before:
        assert states[item_id] == ("READY_TO_SHIP", True), item_id
    assert counters.rejected == 0
    assert report.merged_pdf is not None
    merged = PdfReader(report.merged_pdf)
    label_files = [
        path for order in report.orders.values() for path in order.label_files
    ]
    assert len(label_files) >= len(report.with_outcome(Outcome.FULFILLED))
    assert len(merged.pages) == len(label_files)
    for path in label_files:
        assert path.read_bytes().startswith(b"%PDF")
    assert report.requests == counters.admitted


async def test_second_run_skips_done_orders(tmp_path: Path) -> None:
    config = SandboxConfig(orders_per_mastershop=12, rate_limit=False)
    async with sandbox_client(config) as (_, client):
        first = await fulfil_orders(
            client, tracking_code=sandbox_tracking_code, output_dir=tmp_path, **window()
        )
        second = await fulfil_orders(
            client, tracking_code=sandbox_tracking_code, output_dir=tmp_path, **window()
        )

    assert first.with_outcome(Outcome.FULFILLED)
    assert second.with_outcome(Outcome.FULFILLED) == []
    assert second.items_packed == 0
    assert second.items_ready == 0
    assert second.items_labelled == 0
    assert second.merged_pdf is None
    assert {o.order_id for o in second.with_outcome(Outcome.SKIPPED)} >= {
        o.order_id for o in first.with_outcome(Outcome.FULFILLED)
    }


async def test_ambiguous_pack_read_back_not_resent(tmp_path: Path) -> None:
    config = SandboxConfig(orders_per_mastershop=10, rate_limit=False)
    async with sandbox_client(config) as (sandbox, client):
        # The pack is applied, then the response is lost as a 502.
        sandbox.state.inject_fault("POST", "/v2/orders/pack", status=502, mode="after")
        report = await fulfil_orders(
            client, tracking_code=sandbox_tracking_code, output_dir=tmp_path, **window()
        )
        routes = sandbox.state.account(sandbox.client_id).counters.routes
        states = item_states(sandbox)

    assert report.with_outcome(Outcome.FAILED) == []
    assert routes["POST /v2/orders/pack"] == 1
    # One read of the items for the run, one to read the state back.
    assert routes["GET /orders/items"] == 2
    assert all(status != "PENDING" or packed for status, packed in states.values())


async def test_pack_failed_before_apply_is_resent(tmp_path: Path) -> None:
    config = SandboxConfig(orders_per_mastershop=10, rate_limit=False)
    async with sandbox_client(config) as (sandbox, client):
        sandbox.state.inject_fault("POST", "/v2/orders/pack", status=503, mode="before")
        report = await fulfil_orders(
            client, tracking_code=sandbox_tracking_code, output_dir=tmp_path, **window()
        )
        routes = sandbox.state.account(sandbox.client_id).counters.routes

    assert report.with_outcome(Outcome.FAILED) == []
    assert report.items_packed > 0
    # Sent, found unapplied by the read-back, sent again.
    assert routes["POST /v2/orders/pack"] == 2


async def test_unreadable_order_isolated(tmp_path: Path) -> None:
    config = SandboxConfig(orders_per_mastershop=10, rate_limit=False)
    async with sandbox_client(config) as (sandbox, client):
        account = sandbox.state.account(sandbox.client_id)
        pending = [
            order
            for order in account.orders
            if any(item.status == "PENDING" for item in order.items)
        ]
        bad = pending[0]
        sandbox.state.poison_orders(bad.id)
        report = await fulfil_orders(
            client, tracking_code=sandbox_tracking_code, output_dir=tmp_path, **window()
        )

    failed = report.with_outcome(Outcome.FAILED)
    assert [order.order_id for order in failed] == [bad.id]
    assert failed[0].stage == "items"
    assert "422" in (failed[0].reason or "")
    assert len(report.with_outcome(Outcome.FULFILLED)) >= len(pending) - 1


async def test_refused_ready_to_ship_isolated(tmp_path: Path) -> None:
    config = SandboxConfig(orders_per_mastershop=10, rate_limit=False)
    async with sandbox_client(config) as (sandbox, client):
        sandbox.state.inject_fault(
            "POST", "/orders/ready-to-ship", status=500, mode="after"
        )
        report = await fulfil_orders(
            client, tracking_code=sandbox_tracking_code, output_dir=tmp_path, **window()
        )
        states = item_states(sandbox)

    # The read-back finds the batch applied; nothing fails or is resent.
    assert report.with_outcome(Outcome.FAILED) == []
    assert all(status != "PENDING" for status, _ in states.values() if _)


async def test_missing_role_reports_each_order(tmp_path: Path) -> None:
    config = SandboxConfig(orders_per_mastershop=6, rate_limit=False)
    async with sandbox_client(config) as (sandbox, client):
        sandbox.state.set_order_manager_role(sandbox.client_id, False)
        report = await fulfil_orders(
            client, tracking_code=sandbox_tracking_code, output_dir=tmp_path, **window()
        )

    failed = report.with_outcome(Outcome.FAILED)
    assert failed
    assert all(order.stage in ("pack", "ready_to_ship", "labels") for order in failed)
    assert all("403" in (order.reason or "") for order in failed)
    assert "Failed:" in report.format()


async def test_filters_by_country(tmp_path: Path) -> None:
    config = SandboxConfig(orders_per_mastershop=30, rate_limit=False)
    async with sandbox_client(config) as (sandbox, client):
        report = await fulfil_orders(
            client, output_dir=tmp_path, country="GH", **window()
        )
        account = sandbox.state.account(sandbox.client_id)
        countries = {order.id: order.shop.country.code for order in account.orders}

    assert report.orders
    assert {countries[order_id] for order_id in report.orders} == {"GH"}


async def test_logs_of_run_contain_no_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = MemoryTokenStore()
    config = SandboxConfig(orders_per_mastershop=8, rate_limit=False)
    async with run_sandbox(config) as sandbox:
        sandbox.state.inject_fault("GET", "/orders/items", status=503, mode="before")
        async with JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            token_store=store,
            limiter=UnlimitedLimiter(),
        ) as client:
            await fulfil_orders(
                client,
                tracking_code=sandbox_tracking_code,
                output_dir=tmp_path,
                **window(),
            )
    saved = await store.load(sandbox.client_id)
    assert saved is not None
    assert saved.access_token is not None

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "GET /orders" in text
    assert "Retrying" in text
    for secret in (sandbox.refresh_token, saved.refresh_token, saved.access_token):
        assert secret not in text
    assert "Bearer" not in text


def test_command_runs_on_sandbox(tmp_path: Path) -> None:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("JUMIA_")
    }
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "workflows.fulfil_orders",
            "--no-progress",
            "--sandbox-orders",
            "8",
            "--output",
            str(tmp_path / "labels"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "Orders: " in completed.stdout
    assert "0 failed" in completed.stdout
    assert "answered 429" in completed.stdout
    assert ", 0 answered 429" in completed.stdout
    assert list((tmp_path / "labels").glob("labels-*.pdf"))


def test_status_enum_values_match_sandbox() -> None:
    assert OrderStatus.READY_TO_SHIP == "READY_TO_SHIP"


async def test_page_size_falls_back_to_100(tmp_path: Path) -> None:
    sizes: list[str] = []

    def orders(url: object, **kwargs: object) -> CallbackResult:
        size = dict(parse_qsl(getattr(url, "query_string", ""))).get("size", "")
        sizes.append(size)
        if size == "300":
            return CallbackResult(
                status=400, payload={"message": "size", "status": 400}
            )
        page = {"orders": [{"id": "o1", "number": "1"}], "isLastPage": True}
        return CallbackResult(payload=page)

    items = [
        {
            "orderId": "o1",
            "items": [{"id": "i1", "status": "PENDING", "isFulfilledByJumia": True}],
        }
    ]
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern("/orders"), callback=orders, repeat=True)
        mock.get(url_pattern("/orders/items"), payload=items, repeat=True)
        async with make_client() as client:
            report = await fulfil_orders(
                client,
                tracking_code=sandbox_tracking_code,
                output_dir=tmp_path,
                **window(),
            )

    assert sizes == ["300", "100"]
    assert report.listing_error is None
    assert list(report.orders) == ["o1"]
    assert report.orders["o1"].outcome is Outcome.SKIPPED


def provider_needs_code(sandbox: Sandbox) -> dict[str, bool]:
    """Map unpacked pending orders to whether a provider of the shop needs a code."""
    account = sandbox.state.account(sandbox.client_id)
    needs: dict[str, bool] = {}
    for order in account.orders:
        items = [
            i for i in order.items if i.status == "PENDING" and not i.fulfilled_by_jumia
        ]
        if items and not any(i.tracking_number for i in items):
            needs[order.id] = any(
                p.tracking_code_required for p in order.shop.providers
            )
    return needs


async def test_no_made_up_tracking_codes(tmp_path: Path) -> None:
    config = SandboxConfig(orders_per_mastershop=40, rate_limit=False)
    async with sandbox_client(config) as (sandbox, client):
        needs = provider_needs_code(sandbox)
        report = await fulfil_orders(client, output_dir=tmp_path, **window())

    assert any(needs.values())
    failed = {o.order_id: o for o in report.with_outcome(Outcome.FAILED)}
    for order_id, needs_code in needs.items():
        if needs_code and order_id in failed:
            assert "requires a tracking code" in (failed[order_id].reason or "")
    assert set(failed) <= {order_id for order_id, code in needs.items() if code}
    assert report.with_outcome(Outcome.FULFILLED)


async def test_tracking_codes_from_file(tmp_path: Path) -> None:
    config = SandboxConfig(orders_per_mastershop=40, rate_limit=False)
    codes = tmp_path / "codes.csv"
    async with sandbox_client(config) as (sandbox, client):
        account = sandbox.state.account(sandbox.client_id)
        lines = ["order_number,tracking_code"]
        lines += [f"{order.number},CARRIER-{order.number}" for order in account.orders]
        codes.write_text("\n".join(lines) + "\n")
        report = await fulfil_orders(
            client,
            output_dir=tmp_path / "labels",
            tracking_code=TrackingCodeFile(codes),
            **window(),
        )
        tracking = {
            item.tracking_number
            for order in account.orders
            for item in order.items
            if item.tracking_number
        }

    assert report.with_outcome(Outcome.FAILED) == []
    assert any(code.startswith("CARRIER-") for code in tracking)


def test_tracking_code_file_needs_columns(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("order,code\n1,A\n")
    with pytest.raises(ValueError, match="order_number and tracking_code"):
        TrackingCodeFile(path)


async def test_order_missing_from_items_reply(tmp_path: Path) -> None:
    listing = {
        "orders": [{"id": "o1", "number": "1"}, {"id": "o2"}],
        "isLastPage": True,
    }
    items = [{"orderId": "o1", "items": [{"id": "i1", "status": "READY_TO_SHIP"}]}]
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern("/orders"), payload=listing, repeat=True)
        mock.get(url_pattern("/orders/items"), payload=items, repeat=True)
        mock.post(url_pattern("/orders/print-labels"), payload={}, repeat=True)
        async with make_client() as client:
            report = await fulfil_orders(client, output_dir=tmp_path, **window())

    assert report.orders["o2"].outcome is Outcome.FAILED
    assert report.orders["o2"].reason == "GET /orders/items returned no entry"
    assert report.orders["o1"].outcome is not Outcome.FAILED
