"""Memory: iterate many orders with `client.orders.iter` and watch the peak.

The sandbox runs in its own process with the rate limit off. Each
measurement runs in a new Python process (`python -m benchmarks.memory`,
reading its request as JSON on standard input), so earlier work of the
benchmark process does not blur the RSS figures. One run per size traces
allocations with tracemalloc; another, without tracing, measures the
resident set size and the time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
import tracemalloc
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from jumia_async import JumiaClient, Order, UnlimitedLimiter

from ._harness import (
    BenchmarkResult,
    Check,
    SandboxProcess,
    Scale,
    Table,
    format_mib,
    peak_resident_bytes,
    resident_bytes,
    run_python_worker,
)

NAME = "memory"
TITLE = "Memory while iterating orders"

ORDER_COUNTS = {
    Scale.FULL: (10_000, 100_000),
    Scale.QUICK: (2_000, 10_000),
    Scale.SMOKE: (100, 300),
}
PAGE_SIZE = 100
TARGET_BYTES = 50 * (1 << 20)
WORKER_TIMEOUT = 300.0


async def _iterate(request: dict[str, Any]) -> dict[str, Any]:
    """Iterate the requested number of orders and return the measurements."""
    trace = bool(request["trace"])
    limit = int(request["orders"])
    now = datetime.now(UTC)
    if trace:
        tracemalloc.start()
    async with JumiaClient(
        client_id=request["client_id"],
        refresh_token=request["refresh_token"],
        base_url=request["url"],
        limiter=UnlimitedLimiter(),
    ) as client:
        # The first page opens the connection and fetches the token, so the
        # baseline below includes them.
        await client.orders.list(
            created_after=now - timedelta(days=30),
            created_before=now + timedelta(minutes=10),
            size=1,
        )
        traced_start = tracemalloc.get_traced_memory()[0] if trace else 0
        if trace:
            tracemalloc.reset_peak()
        rss_start = resident_bytes()
        cpu_start = time.process_time()
        wall_start = time.perf_counter()

        count = 0
        items = 0
        orders = cast(
            AsyncGenerator[Order, None],
            client.orders.iter(
                created_after=now - timedelta(days=30),
                created_before=now + timedelta(minutes=10),
                size=PAGE_SIZE,
            ),
        )
        async with contextlib.aclosing(orders):
            async for order in orders:
                count += 1
                items += order.total_items or 0
                if count >= limit:
                    break

        wall = time.perf_counter() - wall_start
        cpu = time.process_time() - cpu_start
        traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
        rss_end = resident_bytes()
        rss_peak = peak_resident_bytes()
    if trace:
        tracemalloc.stop()
    return {
        "orders": count,
        "items": items,
        "seconds": wall,
        "cpu_seconds": cpu,
        "traced_growth": traced_peak - traced_start,
        "rss_start": rss_start,
        "rss_end": rss_end,
        "rss_peak_growth": rss_peak - rss_start,
    }


def _worker_main() -> int:
    request = json.loads(sys.stdin.read())
    result = asyncio.run(_iterate(request))
    print(json.dumps(result))
    return 0


async def run(scale: Scale, figures_dir: Path) -> BenchmarkResult:
    """Iterate each order count in new processes and report memory growth."""
    counts = ORDER_COUNTS[scale]
    config = {
        "orders_per_mastershop": max(counts),
        "rate_limit": False,
        "arrival_log_size": 0,
        # Every worker redeems the starting refresh token.
        "revoke_rotated_refresh_tokens": False,
    }
    traced: dict[int, dict[str, Any]] = {}
    untraced: dict[int, dict[str, Any]] = {}
    async with SandboxProcess(config) as sandbox:
        client_id, refresh_token = sandbox.credentials[0]
        for count in counts:
            for trace, results in ((True, traced), (False, untraced)):
                request = {
                    "url": sandbox.url,
                    "client_id": client_id,
                    "refresh_token": refresh_token,
                    "orders": count,
                    "trace": trace,
                }
                results[count] = await run_python_worker(
                    "benchmarks.memory", request, time_limit=WORKER_TIMEOUT
                )

    result = BenchmarkResult(name=NAME, title=TITLE)
    rows = []
    for count in counts:
        plain, with_trace = untraced[count], traced[count]
        rows.append(
            (
                f"{plain['orders']:,}",
                str(plain["orders"] // PAGE_SIZE),
                format_mib(with_trace["traced_growth"]),
                format_mib(plain["rss_peak_growth"]),
                format_mib(plain["rss_end"] - plain["rss_start"]),
                format_mib(plain["rss_start"]),
                f"{plain['seconds']:.1f} s",
                f"{plain['cpu_seconds'] / plain['orders'] * 1e6:.0f}",
            )
        )
    result.tables.append(
        Table(
            title=f"`client.orders.iter(size={PAGE_SIZE})` over one Mastershop",
            header=(
                "orders",
                "pages",
                "tracemalloc peak growth",
                "RSS peak growth",
                "RSS growth at the end",
                "RSS before iterating",
                "time",
                "client CPU µs per order",
            ),
            rows=tuple(rows),
        )
    )
    largest = max(counts)
    result.checks.append(
        Check(
            description=f"{NAME}: tracemalloc peak growth, {largest:,} orders",
            measured=format_mib(traced[largest]["traced_growth"]),
            target=f"< {format_mib(TARGET_BYTES)}",
            met=traced[largest]["traced_growth"] < TARGET_BYTES,
        )
    )
    result.checks.append(
        Check(
            description=f"{NAME}: RSS peak growth, {largest:,} orders",
            measured=format_mib(untraced[largest]["rss_peak_growth"]),
            target=f"< {format_mib(TARGET_BYTES)}",
            met=untraced[largest]["rss_peak_growth"] < TARGET_BYTES,
        )
    )
    result.notes.append(
        "Growth is measured from just before iterating (client open, token "
        "fetched, one page read) to the end. The tracemalloc figure is the "
        "peak of traced Python allocations in a run with tracing on. The RSS "
        "figures come from /proc/self/status (VmHWM) and /proc/self/statm in a "
        "run without tracing. The loop keeps only a count, so a flat peak means "
        "that the iterator holds one page at a time."
    )
    return result


if __name__ == "__main__":
    sys.exit(_worker_main())
