"""Faults that tests inject into the next requests of a route."""

from __future__ import annotations

from typing import Literal

import attrs

# "before": respond with the status and skip the handler.
# "after": run the handler, so a write is applied, then respond with the status.
# "drop": run the handler, then close the connection without a response.
FaultMode = Literal["before", "after", "drop"]
_MODES = ("before", "after", "drop")


@attrs.define
class Fault:
    """A fault armed for the next `remaining` requests to `method` `path`."""

    method: str
    path: str
    mode: FaultMode
    status: int
    remaining: int


class FaultBook:
    """Armed faults, matched by exact method and path, oldest first."""

    def __init__(self) -> None:
        self._faults: dict[tuple[str, str], list[Fault]] = {}

    def inject(
        self, method: str, path: str, *, status: int, mode: FaultMode, times: int
    ) -> Fault:
        """Arm a fault for the next `times` matching requests and return it."""
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
        if not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status, got {status!r}")
        if times < 1:
            raise ValueError(f"times must be >= 1, got {times!r}")
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")

        fault = Fault(method.upper(), path, mode, status, times)
        self._faults.setdefault((fault.method, path), []).append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """Return the oldest armed fault for this request and use up one turn."""
        queue = self._faults.get((method, path))
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining == 0:
            queue.pop(0)
        return fault

    def clear(self) -> None:
        self._faults.clear()

    def pending(self) -> list[Fault]:
        """Return the faults that still have turns left."""
        return [fault for queue in self._faults.values() for fault in queue]
