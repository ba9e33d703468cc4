"""The retry policy: which failures are retried, and how long to wait."""

from __future__ import annotations

import math
import random
from collections.abc import Generator

import attrs

from ._errors import (
    AmbiguousWriteError,
    JumiaError,
    RateLimitedError,
    ServerError,
    TransportError,
)

__all__ = ["RetryPolicy"]


def _positive(name: str, value: float, *, allow_zero: bool) -> None:
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"RetryPolicy.{name}={value!r} is invalid; use a number {bound}"
        )


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Retry rules for failed requests.

    A request is retried on 429 (the API processed nothing), on 5xx and on
    connection failures. A state-changing request is retried on 5xx or a
    dropped connection only if it provably never reached the API; otherwise
    it raises AmbiguousWriteError. Retries stop after `max_attempts`
    attempts or `max_time` seconds, whichever comes first, and the last
    error propagates. NOTE: `max_time` includes time spent queued for the
    rate limiter, so a request queued behind many others gets fewer
    retries; raise `max_time` for large batches.

    Waits grow exponentially from `base_delay` up to `max_delay` seconds,
    with "equal jitter" (half fixed, half random) so that a retry never
    fires at once. A `Retry-After` header on a 429 is honoured exactly.
    `RetryPolicy(base_delay=0)` turns waits off, for tests.
    """

    max_attempts: int = 5
    max_time: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: bool = True

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValueError(
                f"RetryPolicy.max_attempts={self.max_attempts!r} is invalid; "
                "use a whole number >= 1 (1 disables retries)"
            )
        _positive("max_time", self.max_time, allow_zero=False)
        _positive("base_delay", self.base_delay, allow_zero=True)
        _positive("max_delay", self.max_delay, allow_zero=True)

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """Return a policy that makes one attempt and never retries."""
        return cls(max_attempts=1)

    def is_retryable(self, error: Exception) -> bool:
        """Return whether `error` may be retried under this policy."""
        if isinstance(error, AmbiguousWriteError):
            return False
        return isinstance(error, RateLimitedError | ServerError | TransportError)

    def delay(self, attempt: int, error: JumiaError | None = None) -> float:
        """Return the wait in seconds before retry number `attempt` (from 1)."""
        if isinstance(error, RateLimitedError) and error.retry_after is not None:
            return float(error.retry_after)
        ceiling: float = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        if not self.jitter:
            return ceiling
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def waits(self) -> Generator[float, JumiaError | None, None]:
        """Yield the waits in the form the `backoff` package drives.

        `backoff` sends each failure into the generator, so a 429's
        `Retry-After` can set the next wait.
        """
        attempt = 0
        error = yield 0.0
        while True:
            attempt += 1
            error = yield self.delay(attempt, error)
