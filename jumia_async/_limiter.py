"""Client-side rate limiting for the requests of one Mastershop.

Jumia allows each Mastershop 4 request starts in any 1-second window and 200 in
any 60-second window, shared by all of its shops, and responds with HTTP 429
beyond that. `SlidingWindowLimiter` keeps a log of recent start times and lets a
request start only when both windows have room, so it never exceeds either
limit, even from a cold start.

aiolimiter's leaky bucket cannot give that guarantee, because it lets a full
burst through at once and then keeps draining at the average rate. Measured
with aiolimiter 1.3.0 on an event loop with a simulated clock and all requests
queued at t=0: `AsyncLimiter(4, 1)` started 7 requests in the first second.
`AsyncLimiter(200, 60)` started 203 in the first second and 399 in the busiest
60 seconds. Nesting `AsyncLimiter(200, 60)` around `AsyncLimiter(4, 1)` still
started 7 in the first second and 243 in the busiest 60 seconds.
"""

from __future__ import annotations

import asyncio
import bisect
import math
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from types import TracebackType
from typing import Protocol

import attrs

from jumia_async._limits import REQUESTS_PER_MINUTE, REQUESTS_PER_SECOND

__all__ = [
    "LimiterStats",
    "RateLimiter",
    "SlidingWindowLimiter",
    "UnlimitedLimiter",
    "shared_limiter",
]

# Window lengths in seconds, before the safety margin is added.
_SECOND_WINDOW = 1.0
_MINUTE_WINDOW = 60.0


@attrs.frozen
class LimiterStats:
    """Snapshot of a limiter's state, taken by `RateLimiter.stats`."""

    # Requests started within the last 1 s plus the safety margin.
    in_last_second: int
    # Requests started within the last 60 s plus the safety margin.
    in_last_minute: int
    # Callers inside acquire() that have not yet got a slot.
    waiting: int
    # Slots handed out since the limiter was created.
    acquired: int
    # Seconds waited, summed over all completed acquire() calls.
    total_wait: float
    # Maximum seconds waited by a single completed acquire() call.
    max_wait: float


class RateLimiter(Protocol):
    """Interface that the client uses to pace the requests it sends."""

    async def acquire(self) -> float:
        """Wait until a request may start, and return the seconds waited."""
        ...

    def stats(self) -> LimiterStats:
        """Return a snapshot of the limiter's counters."""
        ...


class SlidingWindowLimiter:
    """Rate limiter that keeps a log of start times and serves callers in FIFO order.

    A request that starts at time s blocks one of the `per_second` slots until
    s + 1 + safety_margin and one of the `per_minute` slots until
    s + 60 + safety_margin. A caller gets a slot at the earliest time when both
    windows have room and every earlier caller has been served, so requests
    follow the fastest schedule the limits allow.

    Only the caller at the head of the queue sleeps. The others wait on a future
    each and are woken one at a time, so a queued caller uses no CPU until its
    turn comes. A cancelled caller takes no slot and leaves the queue.

    Use each limiter from one event loop only. `shared_limiter` hands out one
    limiter per loop.
    """

    def __init__(
        self,
        *,
        per_second: int = REQUESTS_PER_SECOND,
        per_minute: int = REQUESTS_PER_MINUTE,
        safety_margin: float = 0.025,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """Create a limiter with empty windows.

        `safety_margin` is in seconds and is added to each window length to absorb
        network jitter between this process and the API. `clock` must be monotonic
        and return seconds. The default clock reads the running event loop's
        time(), and `sleep` defaults to asyncio.sleep. Raises ValueError on
        invalid limits or margin.
        """
        self._per_second = _validate_limit("per_second", per_second)
        self._per_minute = _validate_limit("per_minute", per_minute)
        self._margin = _validate_margin(safety_margin)
        self._second_span = _SECOND_WINDOW + self._margin
        self._minute_span = _MINUTE_WINDOW + self._margin
        self._clock = clock
        self._sleep: Callable[[float], Awaitable[None]] = sleep or asyncio.sleep

        # Start times, oldest first. The windows only look at the last
        # per_second and the last per_minute starts. If per_second exceeds
        # per_minute, _delay_at checks only the minute window, which then also
        # keeps every second below per_second.
        self._starts: deque[float] = deque(maxlen=self._per_minute)

        # The caller at the head of the queue has the turn. The others wait
        # here, oldest first. Cancelled futures stay until _pass_turn skips them.
        self._turn_taken = False
        self._turn_queue: deque[asyncio.Future[None]] = deque()

        self._waiting = 0
        self._acquired = 0
        self._total_wait = 0.0
        self._max_wait = 0.0

    def __repr__(self) -> str:
        return (
            f"SlidingWindowLimiter(per_second={self._per_second}, "
            f"per_minute={self._per_minute}, safety_margin={self._margin})"
        )

    async def acquire(self) -> float:
        """Wait for a request slot, record the start, and return the seconds waited.

        Raises CancelledError if the caller is cancelled while waiting, in which
        case no slot is used.
        """
        arrived = self._now()
        self._waiting += 1
        try:
            await self._take_turn()
            try:
                started = await self._wait_for_slot()
            finally:
                self._pass_turn()
        finally:
            self._waiting -= 1

        waited = started - arrived
        self._acquired += 1
        self._total_wait += waited
        self._max_wait = max(self._max_wait, waited)
        return waited

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def stats(self) -> LimiterStats:
        """Return the window counts, queue length and wait totals at this moment."""
        now = self._now()
        return LimiterStats(
            in_last_second=self._count_blocking(now, self._second_span),
            in_last_minute=self._count_blocking(now, self._minute_span),
            waiting=self._waiting,
            acquired=self._acquired,
            total_wait=self._total_wait,
            max_wait=self._max_wait,
        )

    @property
    def last_start(self) -> float | None:
        """The start time most recently recorded, on the limiter's clock.

        Read it right after `acquire()` returns, before any other await, to
        get the start of that call's slot.
        """
        return self._starts[-1] if self._starts else None

    def mark_sent(self, granted_at: float) -> None:
        """Move a start from when its slot was granted to now, when it was sent.

        The API counts a request when it arrives. A request that opens a
        connection after its grant, or waits on a busy event loop, arrives
        later than one granted after it on an open connection, so counting
        it from the send keeps the windows true at the API. Later grants
        wait accordingly. Unknown or already expired starts are ignored.
        """
        sent_at = self._now()
        if sent_at <= granted_at:
            return
        starts = self._starts
        for index in range(len(starts) - 1, -1, -1):
            if starts[index] == granted_at:
                del starts[index]
                bisect.insort(starts, sent_at)
                return

    def next_slot_delay(self) -> float:
        """Return the seconds until a new request could start, or 0.0 if one can now.

        Callers already queued are not counted, so the delay for a new caller may
        be longer.
        """
        return self._delay_at(self._now())

    def _now(self) -> float:
        if self._clock is not None:
            return self._clock()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "SlidingWindowLimiter reads the running event loop's clock, but no "
                "event loop is running. Call it from a coroutine or pass "
                "clock=time.monotonic"
            ) from None
        return loop.time()

    def _delay_at(self, now: float) -> float:
        starts = self._starts
        delay = 0.0
        if len(starts) >= self._per_second:
            delay = starts[-self._per_second] + self._second_span - now
        if len(starts) >= self._per_minute:
            delay = max(delay, starts[-self._per_minute] + self._minute_span - now)
        return max(delay, 0.0)

    def _count_blocking(self, now: float, span: float) -> int:
        count = 0
        for started in reversed(self._starts):
            if started + span <= now:
                break
            count += 1
        return count

    async def _wait_for_slot(self) -> float:
        # Only the turn holder runs this, so no other start can be recorded
        # between the last check and the append.
        now = self._now()
        delay = self._delay_at(now)
        while delay > 0:
            await self._sleep(delay)
            now = self._now()
            delay = self._delay_at(now)
        self._starts.append(now)
        return now

    async def _take_turn(self) -> None:
        # The turn stays taken while the queue is not empty, so a caller that
        # finds it free overtakes no queued caller.
        if not self._turn_taken:
            self._turn_taken = True
            return

        waiter = asyncio.get_running_loop().create_future()
        self._turn_queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            # The turn may have been handed over just before the cancellation
            # arrived, so pass it on to keep the queue moving.
            if waiter.done() and not waiter.cancelled():
                self._pass_turn()
            raise

    def _pass_turn(self) -> None:
        while self._turn_queue:
            waiter = self._turn_queue.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._turn_taken = False


class UnlimitedLimiter:
    """Rate limiter that never waits, for tests and for servers without a rate limit.

    It records no start times, so the window counts in its stats are always 0.
    """

    def __init__(self) -> None:
        """Create a limiter with a zero count of acquired slots."""
        self._acquired = 0

    def __repr__(self) -> str:
        return "UnlimitedLimiter()"

    async def acquire(self) -> float:
        """Count the slot and return 0.0 without waiting or yielding."""
        self._acquired += 1
        return 0.0

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def stats(self) -> LimiterStats:
        """Return the count of acquired slots, with zero window counts and waits."""
        return LimiterStats(
            in_last_second=0,
            in_last_minute=0,
            waiting=0,
            acquired=self._acquired,
            total_wait=0.0,
            max_wait=0.0,
        )


# Limiters by event loop, then by key. The loops are weak keys, so a limiter is
# dropped once its loop is garbage collected and is never handed to another
# loop. Each loop's entry is read and written only from the thread that runs
# that loop.
_SHARED_LIMITERS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[Hashable, RateLimiter]
] = weakref.WeakKeyDictionary()


def shared_limiter(
    key: Hashable, factory: Callable[[], RateLimiter] | None = None
) -> RateLimiter:
    """Return the limiter for `key` in the running event loop, creating it if new.

    Use one key per set of Mastershop credentials, so that every client and task
    in the process that sends requests for that Mastershop shares one limiter.
    `factory` builds the limiter only when the key is new in this loop and
    defaults to `SlidingWindowLimiter()`. Raises RuntimeError when no event loop
    is running.

    NOTE: a limiter that references its loop, for example through
    `clock=loop.time`, keeps that loop alive for as long as the process runs.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            "shared_limiter() keeps one limiter per event loop, but no event loop "
            "is running. Call it from a coroutine"
        ) from None

    limiters = _SHARED_LIMITERS.get(loop)
    if limiters is None:
        limiters = {}
        _SHARED_LIMITERS[loop] = limiters

    limiter = limiters.get(key)
    if limiter is None:
        limiter = factory() if factory is not None else SlidingWindowLimiter()
        limiters[key] = limiter
    return limiter


def _validate_limit(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"invalid {name}={value!r}: expected a positive int, the maximum "
            f"number of requests that may start in one window "
            f"(Jumia allows per_second={REQUESTS_PER_SECOND}, "
            f"per_minute={REQUESTS_PER_MINUTE})"
        )
    return value


def _validate_margin(value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(
            f"invalid safety_margin={value!r}: expected a finite number of "
            f"seconds >= 0, such as the default 0.025"
        )
    return float(value)
