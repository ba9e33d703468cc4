"""Clocks that the sandbox reads, so that tests can move time by hand."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Source of time for token expiry, timestamps and the rate limiter."""

    def time(self) -> float:
        """Return the wall-clock time in seconds since the Unix epoch."""
        ...

    def monotonic(self) -> float:
        """Return a monotonic time in seconds, for measuring intervals."""
        ...


class SystemClock:
    """Clock that reads the operating system's clocks."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """Clock that moves only when `advance` is called.

    Both readings start from the given values and move together.
    """

    def __init__(
        self, start: float | None = None, monotonic_start: float = 0.0
    ) -> None:
        self._wall = time.time() if start is None else start
        self._monotonic = monotonic_start

    def time(self) -> float:
        return self._wall

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        """Move both readings forward by `seconds`."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {seconds!r}")
        self._wall += seconds
        self._monotonic += seconds
