"""Tests for SlidingWindowLimiter, UnlimitedLimiter and shared_limiter.

Most tests run on a VirtualClock: an event loop whose time() is a fake clock
that jumps to the next timer deadline whenever every task is waiting. Tasks
interleave as they would on a real clock, but no test waits in real time.
"""

from __future__ import annotations

import asyncio
import gc
import math
import random
import selectors
import time
import weakref
from collections.abc import Coroutine, Iterator, Sequence
from typing import Any, TypeVar

import pytest

from jumia_async._limiter import (
    LimiterStats,
    RateLimiter,
    SlidingWindowLimiter,
    UnlimitedLimiter,
    shared_limiter,
)

T = TypeVar("T")

MARGIN = 0.025


class _JumpingSelector(selectors.DefaultSelector):
    """Selector that advances a VirtualClock instead of blocking."""

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__()
        self._clock = clock

    def select(
        self, timeout: float | None = None
    ) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None:
            raise RuntimeError("deadlock: every task waits and no timer is pending")
        events = super().select(0)
        if not events and timeout > 0:
            self._clock.advance(timeout)
        return events


class _VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self, clock: VirtualClock) -> None:
        self._virtual_clock = clock
        super().__init__(_JumpingSelector(clock))

    def time(self) -> float:
        return self._virtual_clock.now


class VirtualClock:
    """Fake monotonic clock, starting at 0.0, with an event loop that runs on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleepers = 0
        self.max_sleepers = 0
        self.loop = _VirtualTimeLoop(self)

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        target = self.now + seconds
        # A real clock always moves on, so never stall on a delay below one ulp.
        self.now = target if target > self.now else math.nextafter(self.now, math.inf)

    async def sleep(self, delay: float) -> None:
        """Sleep on the loop's timers and track how many tasks sleep at once."""
        self.sleepers += 1
        self.max_sleepers = max(self.max_sleepers, self.sleepers)
        try:
            await asyncio.sleep(delay)
        finally:
            self.sleepers -= 1

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.loop.close()


class ManualClock:
    """Fake clock whose sleep() moves its time forward at once.

    It models only one sleeping task at a time, which is how the limiter uses it.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> Iterator[VirtualClock]:
    virtual_clock = VirtualClock()
    yield virtual_clock
    virtual_clock.close()


def make_limiter(
    clock: VirtualClock | ManualClock,
    *,
    per_second: int = 4,
    per_minute: int = 200,
    margin: float = MARGIN,
) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(
        per_second=per_second,
        per_minute=per_minute,
        safety_margin=margin,
        clock=clock.time,
        sleep=clock.sleep,
    )


def fastest_schedule(
    arrivals: Sequence[float],
    *,
    per_second: int = 4,
    per_minute: int = 200,
    margin: float = MARGIN,
) -> list[float]:
    """Compute the earliest FIFO start times that keep both windows within limits."""
    starts: list[float] = []
    for index, arrival in enumerate(arrivals):
        start = arrival
        if index >= 1:
            start = max(start, starts[index - 1])
        if index >= per_second:
            start = max(start, starts[index - per_second] + 1 + margin)
        if index >= per_minute:
            start = max(start, starts[index - per_minute] + 60 + margin)
        starts.append(start)
    return starts


def max_starts_in_window(starts: Sequence[float], span: float) -> int:
    """Count by brute force the most starts inside any window [t, t + span).

    The busiest window can always be slid right until it begins at a start, so
    only windows that begin at a start time need counting.
    """
    ordered = sorted(starts)
    busiest = 0
    for first_index, first in enumerate(ordered):
        count = 0
        for started in ordered[first_index:]:
            if started >= first + span:
                break
            count += 1
        busiest = max(busiest, count)
    return busiest


class Recorder:
    """Arrival and start times of requests sent through one limiter."""

    def __init__(self, limiter: RateLimiter, clock: VirtualClock | ManualClock) -> None:
        self.limiter = limiter
        self.clock = clock
        self.arrivals: list[float] = []
        self.starts: list[float] = []
        # Request indexes in the order in which acquire() returned.
        self.order: list[int] = []
        self.waits: list[float] = []

    async def request(self, index: int) -> None:
        self.arrivals[index] = self.clock.time()
        waited = await self.limiter.acquire()
        self.starts[index] = self.clock.time()
        self.order.append(index)
        self.waits[index] = waited

    def spawn(self, index: int) -> asyncio.Task[None]:
        self.arrivals.append(math.nan)
        self.starts.append(math.nan)
        self.waits.append(math.nan)
        return asyncio.create_task(self.request(index))

    async def send_at_once(self, count: int) -> None:
        tasks = [self.spawn(index) for index in range(count)]
        await asyncio.gather(*tasks)

    async def send_at(self, arrivals: Sequence[float]) -> None:
        tasks = []
        for index, arrival in enumerate(arrivals):
            await asyncio.sleep(max(arrival - self.clock.time(), 0.0))
            tasks.append(self.spawn(index))
        await asyncio.gather(*tasks)


# Schedule and window limits


@pytest.mark.parametrize("count", [10, 250, 450])
def test_cold_start_follows_fastest_schedule(clock: VirtualClock, count: int) -> None:
    limiter = make_limiter(clock)
    recorder = Recorder(limiter, clock)

    clock.run(recorder.send_at_once(count))

    expected = fastest_schedule([0.0] * count)
    assert recorder.starts == pytest.approx(expected, abs=1e-9)
    assert recorder.order == list(range(count))
    assert max_starts_in_window(recorder.starts, 1 + MARGIN) <= 4
    assert max_starts_in_window(recorder.starts, 60 + MARGIN) <= 200


def test_schedule_batches_and_minute_window(clock: VirtualClock) -> None:
    limiter = make_limiter(clock)
    recorder = Recorder(limiter, clock)

    clock.run(recorder.send_at_once(250))

    starts = recorder.starts
    assert starts[:4] == [0.0] * 4
    assert starts[4:8] == pytest.approx([1 + MARGIN] * 4)
    # Request 200 is the first one that the minute window holds back.
    assert starts[199] == pytest.approx(49 * (1 + MARGIN))
    assert starts[200] == pytest.approx(60 + MARGIN)


def test_default_clock_and_sleep_use_running_loop(clock: VirtualClock) -> None:
    async def scenario() -> Recorder:
        recorder = Recorder(SlidingWindowLimiter(), clock)
        await recorder.send_at_once(10)
        return recorder

    recorder = clock.run(scenario())

    assert recorder.starts == pytest.approx(fastest_schedule([0.0] * 10), abs=1e-9)


async def test_injected_clock_and_sleep_replace_loop_timers() -> None:
    manual = ManualClock()
    limiter = make_limiter(manual)
    recorder = Recorder(limiter, manual)

    await recorder.send_at_once(10)

    assert recorder.starts == pytest.approx(fastest_schedule([0.0] * 10))
    # One sleep per batch of four: the head of the queue sleeps, the rest follow.
    assert manual.sleeps == pytest.approx([1 + MARGIN, 1 + MARGIN])


class EarlyWakeClock(ManualClock):
    """ManualClock whose sleep() returns 0.01 s early from delays above 0.1 s."""

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.now += delay - 0.01 if delay > 0.1 else delay
        await asyncio.sleep(0)


async def test_early_wakeup_sleeps_again() -> None:
    early = EarlyWakeClock()
    limiter = make_limiter(early)
    recorder = Recorder(limiter, early)

    await recorder.send_at_once(10)

    assert recorder.starts == pytest.approx(fastest_schedule([0.0] * 10))
    assert early.sleeps == pytest.approx([1 + MARGIN, 0.01, 1 + MARGIN, 0.01])


def test_slot_frees_exactly_at_window_end(clock: VirtualClock) -> None:
    limiter = make_limiter(clock, per_second=1, per_minute=100, margin=0.0)

    async def scenario() -> list[float]:
        first = await limiter.acquire()
        await asyncio.sleep(1.0)
        delay_at_end = limiter.next_slot_delay()
        second = await limiter.acquire()
        return [first, delay_at_end, second]

    assert clock.run(scenario()) == [0.0, 0.0, 0.0]


def test_memory_holds_at_most_per_minute_starts(clock: VirtualClock) -> None:
    limiter = make_limiter(clock)
    recorder = Recorder(limiter, clock)

    clock.run(recorder.send_at_once(450))

    # Reads private state: without maxlen the log would keep every start.
    assert len(limiter._starts) == 200


# FIFO order and cancellation


@pytest.mark.parametrize("late_timer_first", [True, False])
def test_late_caller_never_overtakes_queue(
    clock: VirtualClock, late_timer_first: bool
) -> None:
    limiter = make_limiter(clock, per_second=1, per_minute=100, margin=0.0)
    recorder = Recorder(limiter, clock)

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        tasks = []
        # Two timers fall due at t=1.0: the one that wakes the queued caller
        # and the one that brings the late caller. Both orders are checked.
        if late_timer_first:
            loop.call_at(1.0, lambda: tasks.append(recorder.spawn(2)))
        tasks.append(recorder.spawn(0))
        tasks.append(recorder.spawn(1))
        await asyncio.sleep(0)
        if not late_timer_first:
            loop.call_at(1.0, lambda: tasks.append(recorder.spawn(2)))
        await asyncio.sleep(1.0)
        await asyncio.gather(*tasks)

    clock.run(scenario())

    assert recorder.arrivals == [0.0, 0.0, 1.0]
    assert recorder.order == [0, 1, 2]
    assert recorder.starts == [0.0, 1.0, 2.0]


def test_cancelled_queued_caller_takes_no_slot(clock: VirtualClock) -> None:
    limiter = make_limiter(clock)
    recorder = Recorder(limiter, clock)

    async def scenario() -> list[asyncio.Task[None]]:
        tasks = [recorder.spawn(index) for index in range(7)]
        await asyncio.sleep(0.5)
        # Caller 4 sleeps at the head of the queue, and caller 5 waits behind it.
        tasks[5].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return tasks

    tasks = clock.run(scenario())

    assert tasks[5].cancelled()
    assert recorder.order == [0, 1, 2, 3, 4, 6]
    assert recorder.starts[6] == pytest.approx(1 + MARGIN)
    assert limiter.stats().acquired == 6
    assert limiter.stats().waiting == 0


def test_cancelled_head_caller_passes_turn(clock: VirtualClock) -> None:
    limiter = make_limiter(clock)
    recorder = Recorder(limiter, clock)

    async def scenario() -> list[asyncio.Task[None]]:
        tasks = [recorder.spawn(index) for index in range(6)]
        await asyncio.sleep(0.5)
        # Caller 4 sleeps at the head of the queue.
        tasks[4].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return tasks

    tasks = clock.run(scenario())

    assert tasks[4].cancelled()
    assert recorder.order == [0, 1, 2, 3, 5]
    assert recorder.starts[5] == pytest.approx(1 + MARGIN)
    assert limiter.stats().acquired == 5
    assert clock.sleepers == 0


def test_caller_cancelled_after_handover_passes_turn(clock: VirtualClock) -> None:
    limiter = make_limiter(clock, per_second=1, per_minute=100, margin=0.0)
    starts: dict[str, float] = {}
    second_task: list[asyncio.Task[None]] = []

    async def first_request() -> None:
        await limiter.acquire()
        starts["first"] = clock.time()
        # acquire() has just handed the turn to the second caller, which has
        # not run yet.
        second_task[0].cancel()

    async def request(name: str) -> None:
        await limiter.acquire()
        starts[name] = clock.time()

    async def scenario() -> asyncio.Task[None]:
        await limiter.acquire()
        first = asyncio.create_task(first_request())
        second = asyncio.create_task(request("second"))
        second_task.append(second)
        third = asyncio.create_task(request("third"))
        await asyncio.gather(first, second, third, return_exceptions=True)
        return second

    second = clock.run(scenario())

    assert second.cancelled()
    assert starts == {"first": 1.0, "third": 2.0}
    assert limiter.stats().acquired == 3
    assert limiter.stats().waiting == 0


def test_limiter_usable_after_all_waiters_cancelled(clock: VirtualClock) -> None:
    limiter = make_limiter(clock)

    async def scenario() -> float:
        for _ in range(4):
            await limiter.acquire()
        tasks = [asyncio.create_task(limiter.acquire()) for _ in range(20)]
        await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert limiter.stats().waiting == 0
        await limiter.acquire()
        return clock.time()

    assert clock.run(scenario()) == pytest.approx(1 + MARGIN)
    assert limiter.stats().acquired == 5


def test_timeout_around_acquire_takes_no_slot(clock: VirtualClock) -> None:
    limiter = make_limiter(clock)

    async def scenario() -> None:
        for _ in range(4):
            await limiter.acquire()
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await limiter.acquire()

    clock.run(scenario())

    assert limiter.stats().acquired == 4
    assert limiter.stats().waiting == 0


# Random arrivals


def random_arrivals(seed: int, count: int) -> list[float]:
    """Generate arrival times: bursts faster than the limits, then quiet spells."""
    rng = random.Random(seed)
    arrivals: list[float] = []
    now = 0.0
    while len(arrivals) < count:
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 300)):
                now += rng.choice((0.0, rng.uniform(0.0, 0.3)))
                arrivals.append(now)
        else:
            for _ in range(rng.randint(1, 20)):
                now += rng.expovariate(1 / 5.0)
                arrivals.append(now)
    return arrivals[:count]


@pytest.mark.parametrize(
    ("seed", "per_second", "per_minute", "margin"),
    [
        (1, 4, 200, MARGIN),
        (2, 4, 200, MARGIN),
        (3, 4, 200, 0.0),
        (4, 2, 5, 0.0),
        (5, 3, 50, 0.5),
    ],
)
def test_random_arrivals_stay_within_windows(
    clock: VirtualClock, seed: int, per_second: int, per_minute: int, margin: float
) -> None:
    limiter = make_limiter(
        clock, per_second=per_second, per_minute=per_minute, margin=margin
    )
    recorder = Recorder(limiter, clock)
    arrivals = random_arrivals(seed, 3000)

    clock.run(recorder.send_at(arrivals))

    starts = recorder.starts
    # Equality, not <=, also shows that the arrivals reached both limits.
    assert max_starts_in_window(starts, 1 + margin) == per_second
    assert max_starts_in_window(starts, 60 + margin) == per_minute
    assert recorder.order == list(range(len(arrivals)))
    expected = fastest_schedule(
        recorder.arrivals,
        per_second=per_second,
        per_minute=per_minute,
        margin=margin,
    )
    assert starts == pytest.approx(expected, abs=1e-6)
    assert recorder.waits == pytest.approx(
        [
            start - arrival
            for start, arrival in zip(starts, recorder.arrivals, strict=True)
        ],
        abs=1e-9,
    )


def test_ten_thousand_waiters_in_arrival_order(clock: VirtualClock) -> None:
    limiter = make_limiter(clock)
    recorder = Recorder(limiter, clock)

    began = time.perf_counter()
    clock.run(recorder.send_at_once(10_000))
    elapsed = time.perf_counter() - began

    assert recorder.order == list(range(10_000))
    assert recorder.starts == pytest.approx(fastest_schedule([0.0] * 10_000))
    assert clock.max_sleepers == 1
    # Measured on one development machine: 0.2 s for this limiter, and 41 s
    # for a variant that wakes every queued caller each time a slot frees.
    assert elapsed < 20.0


# Stats and next_slot_delay


def test_stats_while_queue_drains(clock: VirtualClock) -> None:
    limiter = make_limiter(clock)
    recorder = Recorder(limiter, clock)
    snapshots: list[LimiterStats] = []

    async def scenario() -> None:
        sending = asyncio.create_task(recorder.send_at_once(10))
        await asyncio.sleep(0.5)
        snapshots.append(limiter.stats())
        await sending
        snapshots.append(limiter.stats())

    clock.run(scenario())

    assert snapshots[0] == LimiterStats(
        in_last_second=4,
        in_last_minute=4,
        waiting=6,
        acquired=4,
        total_wait=0.0,
        max_wait=0.0,
    )
    done = snapshots[1]
    assert clock.time() == pytest.approx(2 * (1 + MARGIN))
    # The batch at 1.025 stops counting at exactly 2.05.
    assert done.in_last_second == 2
    assert done.in_last_minute == 10
    assert done.waiting == 0
    assert done.acquired == 10
    assert done.total_wait == pytest.approx(4 * (1 + MARGIN) + 2 * 2 * (1 + MARGIN))
    assert done.max_wait == pytest.approx(2 * (1 + MARGIN))


def test_stats_window_counts_expire(clock: VirtualClock) -> None:
    limiter = make_limiter(clock, margin=0.5)

    async def scenario() -> list[LimiterStats]:
        await limiter.acquire()
        snapshots = []
        for delay in (1.4, 0.1, 58.9, 0.1):
            await asyncio.sleep(delay)
            snapshots.append(limiter.stats())
        return snapshots

    snapshots = clock.run(scenario())

    window_counts = [(s.in_last_second, s.in_last_minute) for s in snapshots]
    assert window_counts == [(1, 1), (0, 1), (0, 1), (0, 0)]


async def test_next_slot_delay_reflects_both_windows() -> None:
    manual = ManualClock()
    limiter = make_limiter(manual, per_second=2, per_minute=3, margin=0.5)

    await limiter.acquire()
    await limiter.acquire()
    assert limiter.next_slot_delay() == 1.5
    manual.now = 1.0
    assert limiter.next_slot_delay() == 0.5
    assert limiter.next_slot_delay() == 0.5
    manual.now = 1.5
    assert limiter.next_slot_delay() == 0.0

    await limiter.acquire()
    assert limiter.next_slot_delay() == 59.0
    manual.now = 60.5
    assert limiter.next_slot_delay() == 0.0
    assert limiter.stats().acquired == 3


async def test_async_with_acquires_slot() -> None:
    manual = ManualClock()
    limiter = make_limiter(manual)

    for _ in range(5):
        async with limiter:
            pass

    assert limiter.stats().acquired == 5
    assert manual.sleeps == pytest.approx([1 + MARGIN])


def test_default_clock_needs_running_loop() -> None:
    limiter = SlidingWindowLimiter()

    with pytest.raises(RuntimeError, match="no event loop is running"):
        limiter.stats()


# Argument validation


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "4", None])
@pytest.mark.parametrize("name", ["per_second", "per_minute"])
def test_invalid_limit_rejected(name: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"invalid {name}=") as raised:
        SlidingWindowLimiter(**{name: value})  # type: ignore[arg-type]

    assert "expected a positive int" in str(raised.value)
    assert repr(value) in str(raised.value)


@pytest.mark.parametrize("value", [-0.001, math.nan, math.inf, "0.1", True, None])
def test_invalid_margin_rejected(value: object) -> None:
    with pytest.raises(ValueError, match="invalid safety_margin=") as raised:
        SlidingWindowLimiter(safety_margin=value)  # type: ignore[arg-type]

    assert "expected a finite number of seconds >= 0" in str(raised.value)


def test_zero_margin_and_int_margin_accepted() -> None:
    assert "safety_margin=0.0" in repr(SlidingWindowLimiter(safety_margin=0))
    assert "safety_margin=2.0" in repr(SlidingWindowLimiter(safety_margin=2))


def test_per_second_above_per_minute_applies_minute_window(
    clock: VirtualClock,
) -> None:
    limiter = make_limiter(clock, per_second=10, per_minute=3, margin=0.0)
    recorder = Recorder(limiter, clock)

    clock.run(recorder.send_at_once(7))

    assert recorder.starts == [0.0, 0.0, 0.0, 60.0, 60.0, 60.0, 120.0]


# UnlimitedLimiter


async def test_unlimited_limiter_counts_without_waiting() -> None:
    limiter = UnlimitedLimiter()

    waits = [await limiter.acquire() for _ in range(1000)]
    async with limiter:
        pass

    assert waits == [0.0] * 1000
    assert limiter.stats() == LimiterStats(
        in_last_second=0,
        in_last_minute=0,
        waiting=0,
        acquired=1001,
        total_wait=0.0,
        max_wait=0.0,
    )


# shared_limiter


async def test_shared_limiter_same_key_same_limiter() -> None:
    first = shared_limiter(("shared-limiter-test", "shop-a"))
    again = shared_limiter(("shared-limiter-test", "shop-a"))
    other = shared_limiter(("shared-limiter-test", "shop-b"))

    assert first is again
    assert first is not other
    assert isinstance(first, SlidingWindowLimiter)


async def test_shared_limiter_factory_only_for_new_key() -> None:
    built: list[RateLimiter] = []

    def factory() -> RateLimiter:
        limiter = UnlimitedLimiter()
        built.append(limiter)
        return limiter

    first = shared_limiter("factory-test", factory)
    again = shared_limiter("factory-test", factory)

    assert built == [first]
    assert again is first


def test_shared_limiter_one_per_loop() -> None:
    async def get() -> RateLimiter:
        return shared_limiter("per-loop-test")

    first_clock = VirtualClock()
    second_clock = VirtualClock()
    try:
        first = first_clock.run(get())
        second = second_clock.run(get())
        first_again = first_clock.run(get())
    finally:
        first_clock.close()
        second_clock.close()

    assert first is not second
    assert first is first_again


def test_shared_limiter_dropped_with_its_loop() -> None:
    async def use() -> weakref.ref[RateLimiter]:
        limiter = shared_limiter("gc-test")
        # Six callers make four start and two queue, so the limiter has
        # created futures on this loop.
        await asyncio.gather(*(limiter.acquire() for _ in range(6)))
        return weakref.ref(limiter)

    virtual_clock = VirtualClock()
    limiter_ref = virtual_clock.run(use())
    virtual_clock.close()
    del virtual_clock
    gc.collect()

    assert limiter_ref() is None


def test_shared_limiter_needs_running_loop() -> None:
    with pytest.raises(RuntimeError, match="no event loop is running"):
        shared_limiter("no-loop-test")
