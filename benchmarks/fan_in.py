"""Fan-in: thousands of tasks awaiting one SlidingWindowLimiter at once.

The limiter runs on a real event loop with both limits scaled up by
`RATE_SCALE` (4,000 a second and 200,000 a minute), so that 10,000 waiters
are served in a few seconds instead of 50 minutes. The scale changes how
many waiters are released per second, not how the queue works. A ticker
task measures event-loop lag: how much later than requested each of its short
sleeps ends.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import attrs

from jumia_async import SlidingWindowLimiter
from jumia_async._limits import REQUESTS_PER_MINUTE, REQUESTS_PER_SECOND

from ._harness import BenchmarkResult, Check, Scale, Table

NAME = "fan_in"
TITLE = "Fan-in of waiting tasks"

TASK_COUNTS = {Scale.FULL: 10_000, Scale.QUICK: 2_000, Scale.SMOKE: 200}
RATE_SCALE = 1000
TICK_SECONDS = 0.005
# A loop that runs no more than this many iterations to let new tasks reach
# the limiter's queue. Each iteration starts every ready task once.
MAX_SETTLE_ITERATIONS = 100


@attrs.frozen
class _LagSummary:
    samples: int
    median_ms: float
    p99_ms: float
    max_ms: float


def _summarize(lags: list[float]) -> _LagSummary:
    if not lags:
        return _LagSummary(0, 0.0, 0.0, 0.0)
    ordered = sorted(lags)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return _LagSummary(
        samples=len(ordered),
        median_ms=statistics.median(ordered) * 1000,
        p99_ms=p99 * 1000,
        max_ms=ordered[-1] * 1000,
    )


def _scaled_limiter() -> SlidingWindowLimiter:
    return SlidingWindowLimiter(
        per_second=REQUESTS_PER_SECOND * RATE_SCALE,
        per_minute=REQUESTS_PER_MINUTE * RATE_SCALE,
    )


async def _settle(condition: Callable[[], bool]) -> bool:
    """Run loop iterations until `condition()` holds; return whether it did."""
    for _ in range(MAX_SETTLE_ITERATIONS):
        if condition():
            return True
        await asyncio.sleep(0)
    return condition()


async def _bytes_per_waiter(count: int) -> tuple[float, float]:
    """Return traced bytes per task waiting in the limiter, and per bare waiting task.

    The limiter's windows are filled first, so no waiter is served while the
    memory is read. Every waiter is then cancelled, which takes no slot.
    """
    loop = asyncio.get_running_loop()
    limiter = _scaled_limiter()
    for _ in range(REQUESTS_PER_SECOND * RATE_SCALE):
        await limiter.acquire()

    bare_started = 0

    async def wait_for_future(future: asyncio.Future[None]) -> None:
        nonlocal bare_started
        bare_started += 1
        await future

    def limiter_ready() -> bool:
        return limiter.stats().waiting == count

    def bare_ready() -> bool:
        return bare_started == count

    results = []
    for make_waiter, ready in (
        (limiter.acquire, limiter_ready),
        (lambda: wait_for_future(loop.create_future()), bare_ready),
    ):
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        tasks = [asyncio.create_task(make_waiter()) for _ in range(count)]
        if not await _settle(ready):
            raise RuntimeError("the waiting tasks did not all start")
        results.append((tracemalloc.get_traced_memory()[0] - before) / count)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        tasks.clear()
        # Callbacks of the finished tasks run in the next loop iteration and
        # hold references until then.
        await asyncio.sleep(0)
    if limiter.stats().waiting != 0:
        raise RuntimeError("cancelled waiters are still counted as waiting")
    return results[0], results[1]


@attrs.frozen
class _ServeResult:
    in_order: int
    seconds: float
    cpu_seconds: float
    startup: _LagSummary
    waiting: _LagSummary


async def _serve_all(count: int) -> _ServeResult:
    """Start `count` waiters at once, serve them all, and measure order and lag."""
    loop = asyncio.get_running_loop()
    limiter = _scaled_limiter()
    served: list[int] = []
    # (time the sleep was requested, time it ended, lag) of each tick.
    ticks: list[tuple[float, float, float]] = []
    stop = asyncio.Event()

    async def waiter(index: int) -> None:
        await limiter.acquire()
        served.append(index)

    async def ticker() -> None:
        while not stop.is_set():
            requested = loop.time()
            await asyncio.sleep(TICK_SECONDS)
            ended = loop.time()
            ticks.append((requested, ended, ended - requested - TICK_SECONDS))

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(10 * TICK_SECONDS)
    started = loop.time()
    cpu_started = time.process_time()
    tasks = [asyncio.create_task(waiter(index)) for index in range(count)]
    if not await _settle(lambda: limiter.stats().waiting + len(served) == count):
        raise RuntimeError("the waiters did not reach the limiter's queue")
    queued = loop.time()
    await asyncio.gather(*tasks)
    finished = loop.time()
    cpu = time.process_time() - cpu_started
    stop.set()
    await ticking

    in_order = sum(1 for position, index in enumerate(served) if position == index)
    return _ServeResult(
        in_order=in_order,
        seconds=finished - started,
        cpu_seconds=cpu,
        startup=_summarize(
            [
                lag
                for requested, end, lag in ticks
                if requested < queued and end > started
            ]
        ),
        waiting=_summarize(
            [
                lag
                for requested, end, lag in ticks
                if requested >= queued and end <= finished
            ]
        ),
    )


async def run(scale: Scale, figures_dir: Path) -> BenchmarkResult:
    """Measure memory per waiter, then serve every waiter and report order and lag."""
    count = TASK_COUNTS[scale]
    started_tracing = not tracemalloc.is_tracing()
    if started_tracing:
        tracemalloc.start()
    try:
        limiter_bytes, bare_bytes = await _bytes_per_waiter(count)
    finally:
        if started_tracing:
            tracemalloc.stop()
    served = await _serve_all(count)

    result = BenchmarkResult(name=NAME, title=TITLE)
    per_second = REQUESTS_PER_SECOND * RATE_SCALE
    result.tables.append(
        Table(
            title=f"{count:,} tasks calling `acquire()` at once, limits scaled "
            f"by {RATE_SCALE} ({per_second:,} a second)",
            header=("figure", "value"),
            rows=(
                ("served in arrival order", f"{served.in_order:,} of {count:,}"),
                ("time to serve all", f"{served.seconds:.2f} s"),
                (
                    "CPU per waiter, from start to served",
                    f"{served.cpu_seconds / count * 1e6:.0f} µs",
                ),
                ("traced bytes per waiting task", f"{limiter_bytes:,.0f}"),
                (
                    "traced bytes per task awaiting a bare future",
                    f"{bare_bytes:,.0f}",
                ),
                (
                    "loop lag while tasks start (max)",
                    f"{served.startup.max_ms:.1f} ms (ticks: {served.startup.samples})",
                ),
                (
                    "loop lag while tasks wait (median / p99 / max)",
                    f"{served.waiting.median_ms:.2f} / {served.waiting.p99_ms:.2f} / "
                    f"{served.waiting.max_ms:.2f} ms (ticks: {served.waiting.samples})",
                ),
            ),
        )
    )
    result.checks.append(
        Check(
            description=f"{NAME}: waiters served in arrival order",
            measured=f"{served.in_order:,} of {count:,}",
            target="all",
            met=served.in_order == count,
        )
    )
    result.notes.append(
        f"Lag is how much later than requested a ticker's {TICK_SECONDS * 1000:.0f} ms "
        "sleeps end. 'While tasks start' covers creating the tasks and their "
        "first step into `acquire()`, which the event loop runs without a "
        "break. 'While tasks wait' covers the rest, until the last waiter is "
        f"served; the scaled limit releases {per_second:,} waiters at each "
        "1-second step, one per loop iteration. Bytes per task come from "
        "tracemalloc with every task waiting: the task, its coroutine and its "
        "future, next to a task that awaits a bare future for comparison."
    )
    return result
