"""Shared parts of the benchmarks: results, sandbox processes, schedules, limiters.

Every benchmark module exposes `NAME`, `TITLE` and `async run(scale, figures_dir)`
returning a `BenchmarkResult`. Timing figures are ratios of runs made side by
side in the same process and run, because the machine is shared and noisy.
"""

from __future__ import annotations

import asyncio
import enum
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiolimiter
import attrs

from jumia_async import LimiterStats, RateLimiter
from jumia_async._limits import REQUESTS_PER_MINUTE, REQUESTS_PER_SECOND
from jumia_async.sandbox import max_requests_in_window

# The folder that contains the `benchmarks` package, used as the working
# directory of the helper processes so that `python -m benchmarks...` works.
REPO_ROOT = Path(__file__).resolve().parent.parent

SECOND_WINDOW = 1.0
MINUTE_WINDOW = 60.0
# The default safety margin of SlidingWindowLimiter, in seconds.
DEFAULT_MARGIN = 0.025


class Scale(enum.Enum):
    """Size of a benchmark run.

    FULL is the published run, QUICK a reduced run of under two minutes in
    total, and SMOKE a tiny run that only checks that a benchmark works.
    """

    FULL = "full"
    QUICK = "quick"
    SMOKE = "smoke"


@attrs.frozen
class Check:
    """A target and the figure measured against it."""

    description: str
    measured: str
    target: str
    met: bool


@attrs.frozen
class Table:
    """A table of figures with a title and one header row."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@attrs.define
class BenchmarkResult:
    """Figures, target checks, notes and figure files of one benchmark run."""

    name: str
    title: str
    tables: list[Table] = attrs.field(factory=list)
    checks: list[Check] = attrs.field(factory=list)
    notes: list[str] = attrs.field(factory=list)
    figures: list[Path] = attrs.field(factory=list)
    seconds: float = 0.0


# Schedules and windows


def optimal_starts(
    count: int,
    *,
    per_second: int = REQUESTS_PER_SECOND,
    per_minute: int = REQUESTS_PER_MINUTE,
    margin: float = 0.0,
) -> list[float]:
    """Return the earliest start times of `count` requests under both windows.

    Request i may start at max(s[i-1], s[i-per_second] + 1, s[i-per_minute] + 60),
    with s[0] = 0. A window ending at t covers the times u with t - w < u <= t,
    as the sandbox counts it, so a start exactly one window after another
    does not share a window with it. `margin` seconds are added to both
    window lengths, as `SlidingWindowLimiter(safety_margin=...)` does.
    """
    second = SECOND_WINDOW + margin
    minute = MINUTE_WINDOW + margin
    starts: list[float] = []
    for index in range(count):
        start = starts[-1] if starts else 0.0
        if index >= per_second:
            start = max(start, starts[index - per_second] + second)
        if index >= per_minute:
            start = max(start, starts[index - per_minute] + minute)
        starts.append(start)
    return starts


def optimal_makespan(count: int, *, margin: float = 0.0) -> float:
    """Return the seconds from the first to the last of `count` optimal starts."""
    starts = optimal_starts(count, margin=margin)
    return starts[-1] if starts else 0.0


def allowed_starts(duration: float) -> int:
    """Return how many requests the two windows allow to start within `duration` s.

    Counts the optimal starts s[i] < duration, so a 60-second run allows 200
    (four a second for 50 seconds, then the minute window is full).
    """
    count = 0
    # The optimal schedule never starts more than per_second requests per
    # second, so this bound always covers the run.
    limit = REQUESTS_PER_SECOND * (int(duration) + 1)
    for start in optimal_starts(limit):
        if start >= duration:
            break
        count += 1
    return count


def window_max(times: Sequence[float], window: float) -> int:
    """Return the most start times inside any window of `window` seconds."""
    return max_requests_in_window(times, window) if times else 0


def trailing_counts(times: Sequence[float], window: float) -> list[int]:
    """Return, for each sorted time t, how many times lie in (t - window, t]."""
    counts: list[int] = []
    first = 0
    for index, current in enumerate(times):
        while current - times[first] >= window:
            first += 1
        counts.append(index - first + 1)
    return counts


# Limiters used by the benchmarks


class RecordingLimiter:
    """Rate limiter wrapper that logs the loop time of each slot it hands out."""

    def __init__(self, inner: RateLimiter) -> None:
        self.inner = inner
        self.starts: list[float] = []

    async def acquire(self) -> float:
        waited = await self.inner.acquire()
        self.starts.append(asyncio.get_running_loop().time())
        return waited

    def stats(self) -> LimiterStats:
        return self.inner.stats()


class NestedAioLimiter:
    """aiolimiter's `AsyncLimiter(200, 60)` around `AsyncLimiter(4, 1)`.

    The baseline for the sliding-window limiter: each acquire takes a slot
    of the minute bucket first, then of the second bucket. Window counts in
    `stats()` are always 0, because aiolimiter keeps no start times.
    """

    def __init__(self) -> None:
        self._second = aiolimiter.AsyncLimiter(REQUESTS_PER_SECOND, SECOND_WINDOW)
        self._minute = aiolimiter.AsyncLimiter(REQUESTS_PER_MINUTE, MINUTE_WINDOW)
        self._waiting = 0
        self._acquired = 0
        self._total_wait = 0.0
        self._max_wait = 0.0

    async def acquire(self) -> float:
        loop = asyncio.get_running_loop()
        arrived = loop.time()
        self._waiting += 1
        try:
            await self._minute.acquire()
            await self._second.acquire()
        finally:
            self._waiting -= 1
        waited = loop.time() - arrived
        self._acquired += 1
        self._total_wait += waited
        self._max_wait = max(self._max_wait, waited)
        return waited

    def stats(self) -> LimiterStats:
        return LimiterStats(
            in_last_second=0,
            in_last_minute=0,
            waiting=self._waiting,
            acquired=self._acquired,
            total_wait=self._total_wait,
            max_wait=self._max_wait,
        )


# Sandbox processes


@attrs.frozen
class AccountSnapshot:
    """The request counters of one Mastershop, as a sandbox process reports them."""

    client_id: str
    admitted: int
    rejected: int
    routes: dict[str, int]
    rejected_routes: dict[str, int]
    # Monotonic arrival times of admitted requests, oldest first, with routes.
    arrivals: list[float]
    arrival_routes: list[str]
    # Monotonic times of the requests that got a 429 response.
    rejected_times: list[float]


@attrs.frozen
class CountersSnapshot:
    """The CPU seconds of a sandbox process and the counters of its Mastershops."""

    cpu_seconds: float
    accounts: list[AccountSnapshot]


class SandboxProcess:
    """A sandbox served by a separate Python process on 127.0.0.1.

    Use it as an async context manager. The process stops when the block
    exits, and it is killed if it is still running 10 seconds after the stop
    command.
    """

    def __init__(self, config: dict[str, Any], *, start_timeout: float = 300.0):
        self._config = config
        self._start_timeout = start_timeout
        self._process: asyncio.subprocess.Process | None = None
        self.url = ""
        self.credentials: list[tuple[str, str]] = []

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def pid(self) -> int:
        """The process id of the sandbox process."""
        return self._require().pid

    async def start(self) -> None:
        """Start the process and wait until it serves, or raise RuntimeError."""
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks._sandbox_server",
            json.dumps(self._config),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=REPO_ROOT,
            env=_child_environment(),
            # Counter replies of large runs are several megabytes on one line.
            limit=1 << 28,
        )
        try:
            async with asyncio.timeout(self._start_timeout):
                ready = await self._read_reply()
        except BaseException:
            await self.stop()
            raise
        self.url = str(ready["url"])
        self.credentials = [(str(c), str(r)) for c, r in ready["credentials"]]

    async def counters(self) -> CountersSnapshot:
        """Return the process's CPU seconds and every Mastershop's counters."""
        document = await self._command("counters")
        accounts = [
            AccountSnapshot(
                client_id=entry["client_id"],
                admitted=entry["admitted"],
                rejected=entry["rejected"],
                routes=entry["routes"],
                rejected_routes=entry["rejected_routes"],
                arrivals=entry["arrivals"],
                arrival_routes=entry["arrival_routes"],
                rejected_times=entry["rejected_times"],
            )
            for entry in document["accounts"]
        ]
        return CountersSnapshot(
            cpu_seconds=float(document["cpu_seconds"]), accounts=accounts
        )

    async def orders(self) -> dict[str, list[dict[str, Any]]]:
        """Return every order with its items, keyed by the Mastershop's client id."""
        document = await self._command("orders")
        return {entry["client_id"]: entry["orders"] for entry in document["accounts"]}

    async def stop(self) -> None:
        """Ask the process to stop, wait for it, and kill it if it hangs."""
        process = self._process
        if process is None:
            return
        self._process = None
        if process.returncode is None and process.stdin is not None:
            try:
                process.stdin.write(b"stop\n")
                await process.stdin.drain()
                process.stdin.close()
            except (BrokenPipeError, ConnectionResetError):
                pass
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()

    async def _command(self, command: str) -> dict[str, Any]:
        process = self._require()
        assert process.stdin is not None
        process.stdin.write(command.encode() + b"\n")
        await process.stdin.drain()
        async with asyncio.timeout(60):
            return await self._read_reply()

    async def _read_reply(self) -> dict[str, Any]:
        process = self._require()
        assert process.stdout is not None
        line = await process.stdout.readline()
        if not line:
            raise RuntimeError(
                f"the sandbox process exited with status {await process.wait()} "
                "before replying; its standard error is above"
            )
        document: dict[str, Any] = json.loads(line)
        if "error" in document:
            raise RuntimeError(f"the sandbox process failed: {document['error']}")
        return document

    def _require(self) -> asyncio.subprocess.Process:
        if self._process is None:
            raise RuntimeError("the sandbox process is not running; call start()")
        return self._process


def _child_environment() -> dict[str, str]:
    environment = dict(os.environ)
    path = environment.get("PYTHONPATH")
    root = str(REPO_ROOT)
    environment["PYTHONPATH"] = f"{root}{os.pathsep}{path}" if path else root
    return environment


async def run_python_worker(
    module: str, request: dict[str, Any], *, time_limit: float
) -> dict[str, Any]:
    """Run `python -m module` with `request` as JSON on standard input.

    Returns the JSON object that the worker prints as its last line of
    standard output. Raises RuntimeError if the worker fails and TimeoutError
    (after killing it) if it runs longer than `time_limit` seconds.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
        env=_child_environment(),
    )
    try:
        async with asyncio.timeout(time_limit):
            output, _ = await process.communicate(json.dumps(request).encode())
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        raise
    if process.returncode != 0:
        raise RuntimeError(
            f"python -m {module} exited with status {process.returncode}; "
            "its standard error is above"
        )
    lines = output.decode().strip().splitlines()
    if not lines:
        raise RuntimeError(f"python -m {module} printed no result")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# Process measurements


def resident_bytes() -> int:
    """Return the resident set size of this process, read from /proc."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def peak_resident_bytes() -> int:
    """Return the peak resident set size of this process (VmHWM), from /proc."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/self/status has no VmHWM line")


class CpuTimer:
    """Process CPU seconds and wall seconds between `start` and `stop`."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.wall = 0.0
        self._cpu_start = 0.0
        self._wall_start = 0.0

    def start(self) -> None:
        self._cpu_start = time.process_time()
        self._wall_start = time.perf_counter()

    def stop(self) -> None:
        self.cpu += time.process_time() - self._cpu_start
        self.wall += time.perf_counter() - self._wall_start


# Formatting


def format_ratio(value: float) -> str:
    return f"{value:.3f}"


def format_seconds(value: float) -> str:
    return f"{value:.2f} s"


def format_mib(value: float) -> str:
    return f"{value / (1 << 20):.1f} MiB"
