"""Limiter starts count from when a request was sent, not when it was granted."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from jumia_async import (
    JumiaClient,
    RetryPolicy,
    SlidingWindowLimiter,
    send_time_trace,
)
from jumia_async.sandbox import SandboxConfig, run_sandbox


class StepClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_mark_sent_delays_later_grants() -> None:
    clock = StepClock()
    limiter = SlidingWindowLimiter(safety_margin=0.0, clock=clock, sleep=clock.sleep)
    granted = []
    for _ in range(4):
        await limiter.acquire()
        granted.append(limiter.last_start)
    assert granted == [0.0, 0.0, 0.0, 0.0]

    # One request spent 0.3 s opening its connection: the other three still
    # leave the window at 1.0.
    clock.now = 0.3
    limiter.mark_sent(0.0)
    await limiter.acquire()
    assert limiter.last_start == 1.0

    # All four of the next requests were sent 0.3 s after their grant, so
    # the next start waits a full second after those sends.
    for _ in range(3):
        await limiter.acquire()
    clock.now = 1.3
    for _ in range(4):
        limiter.mark_sent(1.0)
    await limiter.acquire()
    assert limiter.last_start == 2.3


async def test_mark_sent_ignores_unknown_start() -> None:
    clock = StepClock()
    limiter = SlidingWindowLimiter(safety_margin=0.0, clock=clock, sleep=clock.sleep)
    await limiter.acquire()
    clock.now = 0.2
    limiter.mark_sent(-5.0)
    assert limiter.last_start == 0.0


class SlowConnector(aiohttp.TCPConnector):
    """Opens each new connection 0.15 s late, like a handshake to a far host."""

    # The signature is aiohttp's own, timeout included.
    async def _create_connection(self, req: Any, traces: Any, timeout: Any) -> Any:  # noqa: ASYNC109
        await asyncio.sleep(0.15)
        return await super()._create_connection(req, traces, timeout)


async def burst_through_slow_connections(*, traced: bool) -> int:
    """Send 12 concurrent reads and return how many got 429 from the sandbox."""
    config = SandboxConfig(orders_per_shop=1)
    traces = [send_time_trace()] if traced else []
    async with (
        run_sandbox(config) as sandbox,
        aiohttp.ClientSession(
            connector=SlowConnector(), trace_configs=traces
        ) as session,
        JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            session=session,
            limiter=SlidingWindowLimiter(),
            retry=RetryPolicy(max_attempts=5, base_delay=0.1),
        ) as client,
    ):
        await asyncio.gather(*(client.shops.list() for _ in range(12)))
        counters = sandbox.state.account(sandbox.client_id).counters
        assert counters.max_in_window(1.0) <= 4
        return counters.rejected


async def test_slow_connections_cause_no_429() -> None:
    assert await burst_through_slow_connections(traced=True) == 0


async def test_untraced_session_can_overrun() -> None:
    # Without the trace the limiter counts grants, and the requests that
    # opened connections late meet the next ones at the API.
    assert await burst_through_slow_connections(traced=False) > 0
