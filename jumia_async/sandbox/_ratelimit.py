"""Sliding-window rate limit per Mastershop, and request counters."""

from __future__ import annotations

import math
from collections import Counter, deque
from collections.abc import Iterable

import attrs

_SECOND = 1.0
_MINUTE = 60.0


class SlidingWindowLimiter:
    """Strict sliding-window limit on request arrivals.

    A request is admitted unless admitting it would put more than
    `per_second` admitted arrivals in the trailing second, or more than
    `per_minute` in the trailing minute. A window ending at `now` covers the
    times `t` with `now - window < t <= now`. Rejected requests do not count.
    """

    def __init__(self, per_second: int, per_minute: int) -> None:
        if per_second < 1 or per_minute < 1:
            raise ValueError(
                f"limits must be >= 1, got per_second={per_second!r}, "
                f"per_minute={per_minute!r}"
            )
        self.per_second = per_second
        self.per_minute = per_minute
        # Admitted arrivals of the trailing minute, oldest first.
        self._recent: deque[float] = deque()

    def try_acquire(self, now: float) -> float | None:
        """Admit an arrival at monotonic time `now`.

        Returns None when the arrival is admitted, otherwise the seconds until
        a slot frees in every window that is full.
        """
        recent = self._recent
        while recent and recent[0] <= now - _MINUTE:
            recent.popleft()

        waits: list[float] = []
        if len(recent) >= self.per_second:
            oldest_in_second = recent[-self.per_second]
            if oldest_in_second > now - _SECOND:
                waits.append(oldest_in_second + _SECOND - now)
        if len(recent) >= self.per_minute:
            waits.append(recent[-self.per_minute] + _MINUTE - now)
        if waits:
            return max(waits)

        recent.append(now)
        return None


def retry_after_seconds(wait: float) -> int:
    """Return a Retry-After value: whole seconds, rounded up, at least 1."""
    return max(1, math.ceil(wait))


def max_requests_in_window(arrivals: Iterable[float], window: float) -> int:
    """Return the largest number of arrivals inside any window of `window` seconds.

    A window ending at `t` covers the times `u` with `t - window < u <= t`,
    the same rule that the sandbox's limiter applies. `arrivals` need not be
    sorted.
    """
    if window <= 0:
        raise ValueError(f"window must be > 0 seconds, got {window!r}")
    times = sorted(arrivals)
    best = 0
    start = 0
    for end, arrival in enumerate(times):
        while arrival - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@attrs.define
class AccountCounters:
    """Request counters of one Mastershop.

    Requests that fail authentication are not counted. `routes` and
    `rejected_routes` are keyed by method and route, for example
    `"GET /orders"`. `arrivals` contains the monotonic times of admitted
    requests, newest last, up to the configured size, or is None when the
    log is off.
    """

    admitted: int = 0
    rejected: int = 0
    routes: Counter[str] = attrs.field(factory=Counter)
    rejected_routes: Counter[str] = attrs.field(factory=Counter)
    arrivals: deque[float] | None = attrs.field(default=None, repr=False)

    @classmethod
    def with_arrival_log(cls, size: int) -> AccountCounters:
        """Return counters that keep the last `size` arrival times (none if 0)."""
        return cls(arrivals=deque(maxlen=size) if size > 0 else None)

    def record_admitted(self, route: str, now: float) -> None:
        self.admitted += 1
        self.routes[route] += 1
        if self.arrivals is not None:
            self.arrivals.append(now)

    def record_rejected(self, route: str) -> None:
        self.rejected += 1
        self.rejected_routes[route] += 1

    def max_in_window(self, window: float) -> int:
        """Return the most admitted requests in any window of `window` seconds.

        Raises RuntimeError when the arrival log is off.
        """
        if self.arrivals is None:
            raise RuntimeError(
                "the arrival log is off; set SandboxConfig.arrival_log_size > 0"
            )
        return max_requests_in_window(self.arrivals, window)
