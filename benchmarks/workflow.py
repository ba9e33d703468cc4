"""Workflow: fulfil the pending orders of one Mastershop on the strict sandbox.

`workflows.fulfil_orders` runs with the client's default limiter against a
sandbox process with the rate limit on. The benchmark counts the requests
of each stage against the fewest that the API's batch sizes allow for the
same orders, and compares the wall time with the optimal makespan of that
fewest number of requests. Two runs go side by side on two sandbox
processes seeded alike: one with the API's largest page, the workflow's
default, and one with pages of 100, its fallback when the API rejects that.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import attrs

from jumia_async import JumiaClient
from jumia_async._limits import (
    ORDER_ITEM_IDS_BATCH_MAX,
    ORDER_ITEMS_BATCH_MAX,
    ORDERS_PAGE_SIZE_MAX,
    PACKAGES_BATCH_MAX,
    REQUESTS_PER_MINUTE,
    REQUESTS_PER_SECOND,
    SHIPMENT_PROVIDERS_BATCH_MAX,
)
from jumia_async.sandbox import SandboxConfig, SandboxState
from workflows.fulfil_orders import (
    FulfilmentReport,
    Outcome,
    fulfil_orders,
    sandbox_tracking_code,
)

from ._figures import Series, draw_window_timeline
from ._harness import (
    DEFAULT_MARGIN,
    MINUTE_WINDOW,
    SECOND_WINDOW,
    AccountSnapshot,
    BenchmarkResult,
    Check,
    SandboxProcess,
    Scale,
    Table,
    format_ratio,
    format_seconds,
    optimal_makespan,
    window_max,
)

NAME = "workflow"
TITLE = "Order fulfilment workflow"

LISTED_ORDERS = {Scale.FULL: 1000, Scale.QUICK: 200, Scale.SMOKE: 12}
TARGET_RATIO = 1.05
LISTED_STATUSES = frozenset({"PENDING", "READY_TO_SHIP"})

# Stages in the workflow's order, by the route their requests go to.
STAGES = (
    ("token", "POST /token"),
    ("list orders", "GET /orders"),
    ("read items", "GET /orders/items"),
    ("read providers", "GET /orders/shipment-providers"),
    ("pack", "POST /v2/orders/pack"),
    ("ready to ship", "POST /orders/ready-to-ship"),
    ("print labels", "POST /orders/print-labels"),
)
STAGE_OF_ROUTE = {route: stage for stage, route in STAGES}


@attrs.frozen
class _Variant:
    label: str
    page_size: int


def _variants() -> tuple[_Variant, ...]:
    return (
        _Variant("page size 100 (fallback)", 100),
        _Variant(f"page size {ORDERS_PAGE_SIZE_MAX} (default)", ORDERS_PAGE_SIZE_MAX),
    )


@attrs.frozen
class _Run:
    variant: _Variant
    report: FulfilmentReport
    started: float
    finished: float
    counters: AccountSnapshot
    fewest: dict[str, int]


def _sandbox_config(seed: int, orders: int) -> dict[str, Any]:
    return {"seed": seed, "orders_per_mastershop": orders, "rate_limit": True}


def _listed_count(config: dict[str, Any]) -> int:
    state = SandboxState(SandboxConfig(**config))
    return sum(order.status in LISTED_STATUSES for order in state.accounts[0].orders)


def _config_listing(listed: int) -> dict[str, Any]:
    """Return a sandbox config whose first Mastershop lists `listed` orders.

    The sandbox's seed scenarios (jumia_async/sandbox/_seed.py) make about 84%
    of orders PENDING or READY_TO_SHIP, but the count
    moves in uneven steps, so nearby order totals are tried with a few seeds.
    The closest config is returned when none lists exactly `listed` orders.
    """
    guess = round(listed / 0.84)
    totals = sorted(range(max(1, guess - 25), guess + 26), key=lambda n: abs(n - guess))
    best = _sandbox_config(0, guess)
    best_gap = abs(_listed_count(best) - listed)
    for seed in range(8):
        for total in totals:
            if best_gap == 0:
                return best
            config = _sandbox_config(seed, total)
            gap = abs(_listed_count(config) - listed)
            if gap < best_gap:
                best, best_gap = config, gap
    return best


def _fewest_packages(items: list[dict[str, Any]]) -> tuple[int, dict[str, str]]:
    """Return the fewest packages for one order's items and the provider of each.

    A package takes items that share one offered provider. The cover is
    found by trying provider sets from the smallest up. An item that several
    chosen providers offer goes with the first of them.
    """
    offered = {item["id"]: list(item["offered"]) for item in items}
    providers = sorted({p for choices in offered.values() for p in choices})
    for size in range(1, len(providers) + 1):
        for chosen in combinations(providers, size):
            if all(any(p in chosen for p in c) for c in offered.values()):
                assignment = {
                    item_id: next(p for p in chosen if p in choices)
                    for item_id, choices in offered.items()
                }
                return size, assignment
    raise ValueError("an item is offered no shipment provider")


def _fewest_requests(orders: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Return, per stage, the fewest requests that the API's batch sizes allow."""
    listed = [order for order in orders if order["status"] in LISTED_STATUSES]
    to_pack = 0
    packages = 0
    ready_groups: Counter[tuple[str, str]] = Counter()
    to_label = 0
    for order in listed:
        items = [item for item in order["items"] if not item["fulfilled_by_jumia"]]
        unpacked = [i for i in items if i["status"] == "PENDING" and not i["packed"]]
        packed = [i for i in items if i["status"] == "PENDING" and i["packed"]]
        ready = [i for i in items if i["status"] == "READY_TO_SHIP"]
        if unpacked:
            count, assignment = _fewest_packages(unpacked)
            packages += count
            to_pack += len(unpacked)
            for provider in assignment.values():
                ready_groups[(order["country"], provider)] += 1
        for item in packed:
            ready_groups[(order["country"], item["provider"])] += 1
        to_label += len(unpacked) + len(packed) + len(ready)

    return {
        "token": 1,
        "list orders": max(1, math.ceil(len(listed) / ORDERS_PAGE_SIZE_MAX)),
        "read items": math.ceil(len(listed) / ORDER_ITEMS_BATCH_MAX),
        "read providers": math.ceil(to_pack / SHIPMENT_PROVIDERS_BATCH_MAX),
        "pack": math.ceil(packages / PACKAGES_BATCH_MAX),
        "ready to ship": sum(
            math.ceil(count / ORDER_ITEM_IDS_BATCH_MAX)
            for count in ready_groups.values()
        ),
        "print labels": math.ceil(to_label / ORDER_ITEM_IDS_BATCH_MAX),
    }


async def _run_variant(
    variant: _Variant, config: dict[str, Any], output_dir: Path
) -> _Run:
    async with SandboxProcess(config) as sandbox:
        client_id, refresh_token = sandbox.credentials[0]
        orders = await sandbox.orders()
        fewest = _fewest_requests(orders[client_id])
        now = datetime.now(UTC)
        loop = asyncio.get_running_loop()
        async with JumiaClient(
            client_id=client_id, refresh_token=refresh_token, base_url=sandbox.url
        ) as client:
            started = loop.time()
            report = await fulfil_orders(
                client,
                created_after=now - timedelta(days=30),
                created_before=now + timedelta(minutes=10),
                output_dir=output_dir,
                # Couriers need a tracking code. The workflow's own command
                # makes one up with this function when it runs on the sandbox.
                tracking_code=sandbox_tracking_code,
                page_size=variant.page_size,
            )
            finished = loop.time()
        snapshot = await sandbox.counters()
    return _Run(
        variant=variant,
        report=report,
        started=started,
        finished=finished,
        counters=snapshot.accounts[0],
        fewest=fewest,
    )


def _lost_seconds(arrivals: list[float], routes: list[str]) -> dict[str, float]:
    """Return, per stage, how much later its requests started than the limiter allowed.

    The default limiter lets request i start at max(s[i-1], s[i-4] + 1.025,
    s[i-200] + 60.025), its windows plus its safety margin. A later start is
    time spent waiting for responses, computing, or reaching the sandbox.
    """
    second = SECOND_WINDOW + DEFAULT_MARGIN
    minute = MINUTE_WINDOW + DEFAULT_MARGIN
    lost: dict[str, float] = defaultdict(float)
    for index in range(1, len(arrivals)):
        allowed = arrivals[index - 1]
        if index >= REQUESTS_PER_SECOND:
            allowed = max(allowed, arrivals[index - REQUESTS_PER_SECOND] + second)
        if index >= REQUESTS_PER_MINUTE:
            allowed = max(allowed, arrivals[index - REQUESTS_PER_MINUTE] + minute)
        stage = STAGE_OF_ROUTE.get(routes[index], routes[index])
        lost[stage] += max(0.0, arrivals[index] - allowed)
    return lost


def _wall_rows(run: _Run) -> tuple[str, ...]:
    """Split the wall time into parts that add up to it."""
    used = len(run.counters.arrivals)
    fewest = sum(run.fewest.values())
    arrivals = run.counters.arrivals
    makespan = arrivals[-1] - arrivals[0] if arrivals else 0.0
    wall = run.finished - run.started
    optimal_fewest = optimal_makespan(fewest)
    optimal_used = optimal_makespan(used)
    with_margin = optimal_makespan(used, margin=DEFAULT_MARGIN)
    return (
        run.variant.label,
        format_seconds(optimal_fewest),
        format_seconds(optimal_used - optimal_fewest),
        format_seconds(with_margin - optimal_used),
        format_seconds(makespan - with_margin),
        format_seconds(wall - makespan),
        format_seconds(wall),
    )


def _stage_rows(run: _Run) -> list[tuple[str, ...]]:
    routes = run.counters.routes
    arrivals, arrival_routes = run.counters.arrivals, run.counters.arrival_routes
    lost = _lost_seconds(arrivals, arrival_routes)
    first = arrivals[0] if arrivals else run.started
    rows: list[tuple[str, ...]] = []
    for stage, route in STAGES:
        times = [t for t, r in zip(arrivals, arrival_routes, strict=True) if r == route]
        span = f"{times[0] - first:.1f} to {times[-1] - first:.1f} s" if times else "-"
        rows.append(
            (
                run.variant.label,
                stage,
                str(routes.get(route, 0)),
                str(run.fewest[stage]),
                span,
                f"{lost[stage]:.2f} s",
            )
        )
    return rows


def _summary_row(run: _Run) -> tuple[str, ...]:
    used = run.counters.admitted + run.counters.rejected
    fewest = sum(run.fewest.values())
    arrivals = run.counters.arrivals
    makespan = arrivals[-1] - arrivals[0] if arrivals else 0.0
    wall = run.finished - run.started
    report = run.report
    return (
        run.variant.label,
        str(len(report.orders)),
        str(len(report.with_outcome(Outcome.FULFILLED))),
        str(len(report.with_outcome(Outcome.SKIPPED))),
        str(len(report.with_outcome(Outcome.FAILED))),
        str(used),
        str(fewest),
        format_ratio(used / fewest),
        format_seconds(wall),
        format_seconds(optimal_makespan(fewest)),
        format_ratio(wall / optimal_makespan(fewest)),
        format_seconds(makespan),
        format_seconds(optimal_makespan(len(arrivals))),
        str(run.counters.rejected),
        f"{window_max(arrivals, SECOND_WINDOW)} / "
        f"{window_max(arrivals, MINUTE_WINDOW)}",
    )


def _checks(run: _Run) -> list[Check]:
    used = run.counters.admitted + run.counters.rejected
    fewest = sum(run.fewest.values())
    wall = run.finished - run.started
    label = run.variant.label
    return [
        Check(
            description=f"{NAME}: requests ÷ fewest, {label}",
            measured=format_ratio(used / fewest),
            target=f"≤ {TARGET_RATIO}",
            met=used / fewest <= TARGET_RATIO,
        ),
        Check(
            description=f"{NAME}: wall time ÷ optimal makespan, {label}",
            measured=format_ratio(wall / optimal_makespan(fewest)),
            target=f"≤ {TARGET_RATIO}",
            met=wall / optimal_makespan(fewest) <= TARGET_RATIO,
        ),
        Check(
            description=f"{NAME}: failed orders, {label}",
            measured=str(len(run.report.with_outcome(Outcome.FAILED))),
            target="0",
            met=not run.report.with_outcome(Outcome.FAILED),
        ),
        Check(
            description=f"{NAME}: 429 responses, {label}",
            measured=str(run.counters.rejected),
            target="0",
            met=run.counters.rejected == 0,
        ),
    ]


async def run(scale: Scale, figures_dir: Path) -> BenchmarkResult:
    """Run the workflow with both page sizes side by side and report the figures."""
    config = _config_listing(LISTED_ORDERS[scale])
    listed = _listed_count(config)
    with tempfile.TemporaryDirectory(prefix="jumia-bench-labels-") as labels:
        runs = await asyncio.gather(
            *(
                _run_variant(variant, config, Path(labels) / str(position))
                for position, variant in enumerate(_variants())
            )
        )

    result = BenchmarkResult(name=NAME, title=TITLE)
    result.tables.append(
        Table(
            title=f"Fulfilling {listed} listed orders ("
            f"{config['orders_per_mastershop']} seeded)",
            header=(
                "run",
                "orders",
                "fulfilled",
                "skipped",
                "failed",
                "requests",
                "fewest",
                "ratio",
                "wall time",
                "optimal for fewest",
                "ratio",
                "request makespan",
                "optimal for used",
                "429",
                "max in 1 s / 60 s",
            ),
            rows=tuple(_summary_row(run) for run in runs),
        )
    )
    result.tables.append(
        Table(
            title="Requests per stage",
            header=(
                "run",
                "stage",
                "requests",
                "fewest",
                "starts (from the first request)",
                "starts later than the limiter allowed",
            ),
            rows=tuple(row for run in runs for row in _stage_rows(run)),
        )
    )
    for run_ in runs:
        result.checks.extend(_checks(run_))
    result.notes.append(
        "Orders are those listed as PENDING or READY_TO_SHIP. 'Fewest' counts, "
        f"per stage: one token request, orders pages of {ORDERS_PAGE_SIZE_MAX}, "
        f"item reads of {ORDER_ITEMS_BATCH_MAX} orders, provider reads of "
        f"{SHIPMENT_PROVIDERS_BATCH_MAX} unpacked items, pack calls of "
        f"{PACKAGES_BATCH_MAX} packages (each order's fewest packages, one per "
        f"provider needed), ready-to-ship calls of {ORDER_ITEM_IDS_BATCH_MAX} "
        "items of one country and provider, and label calls of "
        f"{ORDER_ITEM_IDS_BATCH_MAX} items. Items fulfilled by Jumia need no "
        "work. Wall time runs from the call of `fulfil_orders` to its return; "
        "the optimal makespan is that of the fewest requests at 4 per second "
        "and 200 per minute. 'Starts later than the limiter allowed' adds up, "
        "for the requests of a stage, how long each reached the sandbox after "
        "the earliest time that the two windows plus the limiter's 25 ms margin "
        "allowed: time spent waiting for the previous stage's responses, "
        "computing, or in transit. 'Before the first and after the last start' "
        "is mostly the last responses, writing the label files and merging them "
        "into one PDF."
    )
    result.tables.append(
        Table(
            title="Where the wall time goes (the parts add up to the wall time)",
            header=(
                "run",
                "optimal for fewest",
                "extra requests",
                "limiter margin",
                "starts later than the limiter allowed",
                "before the first and after the last start",
                "wall time",
            ),
            rows=tuple(_wall_rows(run_) for run_ in runs),
        )
    )
    figure = _draw(figures_dir, runs[0])
    if figure is not None:
        result.figures.append(figure)
    return result


def _draw(figures_dir: Path, run: _Run) -> Path | None:
    arrivals, routes = run.counters.arrivals, run.counters.arrival_routes
    events = [
        Series(stage, [t for t, r in zip(arrivals, routes, strict=True) if r == route])
        for stage, route in STAGES
    ]
    return draw_window_timeline(
        figures_dir / "workflow_timeline.png",
        f"fulfil_orders, {run.variant.label}: request starts by stage",
        events=events,
        counted=[Series("all requests", arrivals)],
    )
