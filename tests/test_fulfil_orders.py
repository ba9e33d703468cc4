"""The order fulfilment workflow on the sandbox."""

from __future__ import annotations

import base64
import io
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aioresponses import CallbackResult, aioresponses
from pypdf import PdfReader, PdfWriter

from jumia_async import (
    JumiaClient,
    MemoryTokenStore,
    OrderStatus,
    SlidingWindowLimiter,
    UnlimitedLimiter,
)
from jumia_async.sandbox import Sandbox, SandboxConfig, run_sandbox
from workflows.fulfil_orders import (
    DAYS_MAX,
    FulfilmentReport,
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


def one_page_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=288, height=432)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def query_values(url: object, name: str) -> list[str]:
    pairs = parse_qsl(getattr(url, "query_string", ""))
    return [value for key, value in pairs if key == name]


class ReadyOrdersApi:
    """A mocked API whose orders are READY_TO_SHIP in known packages.

    `packages` maps an order number to its packages, each a tracking number
    and the item ids in it. Like the sandbox, print-labels returns one label
    per tracking number with the requested items of that package.
    """

    def __init__(self, packages: dict[str, dict[str, list[str]]]) -> None:
        self.packages = packages
        self.label_requests: list[list[str]] = []
        self.pdf = base64.b64encode(one_page_pdf()).decode()
        self.tracking = {
            item_id: tracking
            for order in packages.values()
            for tracking, item_ids in order.items()
            for item_id in item_ids
        }

    def listing(self, url: object, **kwargs: object) -> CallbackResult:
        orders = [{"id": f"id-{number}", "number": number} for number in self.packages]
        return CallbackResult(payload={"orders": orders, "isLastPage": True})

    def items(self, url: object, **kwargs: object) -> CallbackResult:
        entries = []
        for order_id in query_values(url, "orderId"):
            number = order_id.removeprefix("id-")
            items = [
                {"id": item_id, "status": "READY_TO_SHIP", "trackingNumber": tracking}
                for tracking, item_ids in self.packages[number].items()
                for item_id in item_ids
            ]
            entries.append({"orderId": order_id, "items": items})
        return CallbackResult(payload=entries)

    def labels(self, url: object, **kwargs: Any) -> CallbackResult:
        requested: list[str] = kwargs["json"]["orderItemIds"]
        self.label_requests.append(requested)
        by_tracking: dict[str, list[str]] = {}
        for item_id in requested:
            by_tracking.setdefault(self.tracking[item_id], []).append(item_id)
        labels = [
            {"orderItemIds": item_ids, "trackingNumber": tracking, "label": self.pdf}
            for tracking, item_ids in by_tracking.items()
        ]
        return CallbackResult(payload={"success": {"labels": labels}})

    def install(self, mock: aioresponses) -> None:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern("/orders"), callback=self.listing, repeat=True)
        mock.get(url_pattern("/orders/items"), callback=self.items, repeat=True)
        mock.post(
            url_pattern("/orders/print-labels"), callback=self.labels, repeat=True
        )


def files_under(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.rglob(pattern))


def item_ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{number:03d}" for number in range(count)]


async def run_on(api: ReadyOrdersApi, output_dir: Path) -> FulfilmentReport:
    with aioresponses() as mock:
        api.install(mock)
        async with make_client() as client:
            return await fulfil_orders(client, output_dir=output_dir, **window())


async def test_labels_batched_by_order(tmp_path: Path) -> None:
    # 150 + 60 ids pass 200, so a batch cut at 200 ids would split TB1.
    api = ReadyOrdersApi(
        {
            "A": {"TA": item_ids("a", 150)},
            "B": {"TB1": item_ids("b", 60), "TB2": item_ids("c", 40)},
        }
    )
    report = await run_on(api, tmp_path)

    assert all(len(request) <= 200 for request in api.label_requests)
    for tracking in ("TA", "TB1", "TB2"):
        holding = [
            request
            for request in api.label_requests
            if any(api.tracking[item_id] == tracking for item_id in request)
        ]
        assert len(holding) == 1, tracking
    assert report.with_outcome(Outcome.FAILED) == []
    assert report.items_labelled == 250
    assert report.orders["id-A"].label_files == [tmp_path / "A-TA.pdf"]
    assert sorted(report.orders["id-B"].label_files) == [
        tmp_path / "B-TB1.pdf",
        tmp_path / "B-TB2.pdf",
    ]
    assert report.merged_pdf is not None
    assert len(PdfReader(report.merged_pdf).pages) == 3


async def test_package_over_200_items_written_once(tmp_path: Path) -> None:
    api = ReadyOrdersApi({"A": {"TA": item_ids("a", 250)}})
    report = await run_on(api, tmp_path)

    assert [len(request) for request in api.label_requests] == [200, 50]
    assert report.orders["id-A"].label_files == [tmp_path / "A-TA.pdf"]
    assert report.items_labelled == 250
    assert report.merged_pdf is not None
    assert len(PdfReader(report.merged_pdf).pages) == 1


async def test_label_write_failure_isolated(tmp_path: Path) -> None:
    api = ReadyOrdersApi({"A": {"TA": ["a1", "a2"]}, "B": {"TB": ["b1"]}})
    # A folder where the label file goes makes the write fail with OSError.
    (tmp_path / "A-TA.pdf").mkdir()
    report = await run_on(api, tmp_path)

    failed = report.orders["id-A"]
    assert failed.outcome is Outcome.FAILED
    assert failed.stage == "labels"
    assert "A-TA.pdf" in (failed.reason or "")
    assert failed.items_labelled == 0
    assert report.orders["id-B"].outcome is Outcome.FULFILLED
    assert report.orders["id-B"].label_files == [tmp_path / "B-TB.pdf"]
    assert report.merged_pdf is not None
    assert len(PdfReader(report.merged_pdf).pages) == 1
    assert files_under(tmp_path, "*.part") == []


async def test_missing_package_label_printed(tmp_path: Path) -> None:
    api = ReadyOrdersApi({"A": {"T1": ["a1", "a2"], "T2": ["a3"]}})
    (tmp_path / "A-T1.pdf").write_bytes(one_page_pdf())
    report = await run_on(api, tmp_path)

    assert api.label_requests == [["a3"]]
    order = report.orders["id-A"]
    assert order.outcome is Outcome.FULFILLED
    assert order.items_labelled == 1
    assert order.label_files == [tmp_path / "A-T2.pdf"]
    assert report.labels_on_disk == 0


async def test_all_package_labels_on_disk_skipped(tmp_path: Path) -> None:
    api = ReadyOrdersApi({"A": {"T1": ["a1", "a2"], "T2": ["a3"]}})
    for name in ("A-T1.pdf", "A-T2.pdf"):
        (tmp_path / name).write_bytes(one_page_pdf())
    report = await run_on(api, tmp_path)

    assert api.label_requests == []
    assert report.orders["id-A"].outcome is Outcome.SKIPPED
    assert report.orders["id-A"].reason == "already ready to ship and labelled"
    assert report.labels_on_disk == 1
    assert report.merged_pdf is None


async def test_label_names_stay_in_output(tmp_path: Path) -> None:
    output = tmp_path / "a" / "b" / "labels"
    api = ReadyOrdersApi(
        {"../../ESCAPED": {"../T/1": ["a1"]}, ".hidden": {"T": ["b1"]}}
    )
    first = await run_on(api, output)
    second = await run_on(api, output)

    written = files_under(tmp_path, "*.pdf")
    assert written
    for path in written:
        assert path.parent == output, path
        assert not path.name.startswith("."), path
    assert first.with_outcome(Outcome.FAILED) == []
    assert first.items_labelled == 2
    assert len(api.label_requests) == 1
    assert second.with_outcome(Outcome.SKIPPED) == list(second.orders.values())


async def test_window_over_three_months_reported(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        async with make_client() as client:
            report = await fulfil_orders(
                client,
                output_dir=tmp_path,
                created_after=now - timedelta(days=100),
                created_before=now,
            )

    assert report.orders == {}
    assert "3 months" in (report.listing_error or "")
    assert "Listing stopped early" in report.format()


async def test_max_days_always_within_three_months() -> None:
    start = datetime(2023, 1, 1, tzinfo=UTC)
    async with make_client() as client:
        for day in range(2 * 366):
            for hour in (0, 23):
                now = start + timedelta(days=day, hours=hour, minutes=59)
                window = {
                    "created_after": now - timedelta(days=DAYS_MAX),
                    "created_before": now,
                }
                # Raises ValueError when the range is over three months.
                client.orders.iter(**window)


def test_command_rejects_days_over_max() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "workflows.fulfil_orders", "--days", "90"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "at most 89" in completed.stderr
    assert "Traceback" not in completed.stderr


class ReadBackApi:
    """A mocked API whose first pack and first ready-to-ship fail with 502.

    The failed write is not applied, so the read-back finds the item unchanged and
    the workflow sends it again. The second reply also names ids that were
    never sent.
    """

    def __init__(self, *, packed: bool) -> None:
        self.packed = packed
        self.ready = False
        self.pack_calls = 0
        self.ready_calls = 0
        self.pdf = base64.b64encode(one_page_pdf()).decode()

    def listing(self, url: object, **kwargs: object) -> CallbackResult:
        orders = [{"id": "o1", "number": "1"}]
        return CallbackResult(payload={"orders": orders, "isLastPage": True})

    def items(self, url: object, **kwargs: object) -> CallbackResult:
        item: dict[str, object] = {"id": "i1", "status": "PENDING"}
        if self.packed:
            item["trackingNumber"] = "T1"
        if self.ready:
            item["status"] = "READY_TO_SHIP"
        return CallbackResult(payload=[{"orderId": "o1", "items": [item]}])

    def providers(self, url: object, **kwargs: object) -> CallbackResult:
        provider = {"id": "p1", "name": "Carrier", "trackingCodeRequired": False}
        entry = {"id": "i1", "shipmentProviders": [provider]}
        return CallbackResult(payload={"orderItems": [entry]})

    def pack(self, url: object, **kwargs: object) -> CallbackResult:
        self.pack_calls += 1
        if self.pack_calls == 1:
            return CallbackResult(status=502, payload={"message": "Bad Gateway"})
        self.packed = True
        return CallbackResult(
            payload={
                "success": {
                    "packages": [
                        {"orderItems": ["i1", "ghost"], "trackingNumber": "T1"}
                    ]
                },
                "error": {"packages": [{"orderItems": "ghost-2", "error": "unknown"}]},
            }
        )

    def ready_to_ship(self, url: object, **kwargs: object) -> CallbackResult:
        self.ready_calls += 1
        if self.ready_calls == 1:
            return CallbackResult(status=502, payload={"message": "Bad Gateway"})
        self.ready = True
        return CallbackResult(
            payload={
                "success": {
                    "packages": [
                        {"orderItems": ["i1", "ghost"], "trackingNumber": "T1"}
                    ]
                },
                "error": {
                    "orderItems": [{"id": "ghost-2", "response": {"message": "no"}}]
                },
            }
        )

    def labels(self, url: object, **kwargs: Any) -> CallbackResult:
        label = {"orderItemIds": ["i1"], "trackingNumber": "T1", "label": self.pdf}
        return CallbackResult(payload={"success": {"labels": [label]}})

    def install(self, mock: aioresponses) -> None:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern("/orders"), callback=self.listing, repeat=True)
        mock.get(url_pattern("/orders/items"), callback=self.items, repeat=True)
        mock.get(
            url_pattern("/orders/shipment-providers"),
            callback=self.providers,
            repeat=True,
        )
        mock.post(url_pattern("/v2/orders/pack"), callback=self.pack, repeat=True)
        mock.post(
            url_pattern("/orders/ready-to-ship"),
            callback=self.ready_to_ship,
            repeat=True,
        )
        mock.post(
            url_pattern("/orders/print-labels"), callback=self.labels, repeat=True
        )


@pytest.mark.parametrize("packed", [False, True], ids=["pack", "ready_to_ship"])
async def test_read_back_ignores_unknown_ids(tmp_path: Path, packed: bool) -> None:
    api = ReadBackApi(packed=packed)
    with aioresponses() as mock:
        api.install(mock)
        async with make_client() as client:
            report = await fulfil_orders(client, output_dir=tmp_path, **window())

    order = report.orders["o1"]
    assert api.pack_calls == (0 if packed else 2)
    assert api.ready_calls == 2
    assert order.outcome is Outcome.FULFILLED, order.reason
    assert order.items_packed == (0 if packed else 1)
    assert order.items_ready == 1
    assert order.label_files == [tmp_path / "1-T1.pdf"]
