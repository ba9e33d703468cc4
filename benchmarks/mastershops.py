"""Many Mastershops: one client process drives M Mastershops at their full rate.

Each Mastershop gets its own `JumiaClient` with its own default limiter and
session, and `WORKERS_PER_CLIENT` tasks that call `client.shops.list()` in a
loop, so that the limiter, not the response time, sets the pace. The
Mastershops are split over one or more sandbox processes with the rate limit
on. Each Mastershop sends for a fixed time. The requests that the sandbox
admitted in that time are counted against what the two windows allow.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from pathlib import Path

import attrs

from jumia_async import JumiaClient, JumiaError, SlidingWindowLimiter
from jumia_async._limits import REQUESTS_PER_SECOND

from ._harness import (
    BenchmarkResult,
    Check,
    CountersSnapshot,
    RecordingLimiter,
    SandboxProcess,
    Scale,
    Table,
    allowed_starts,
)

NAME = "mastershops"
TITLE = "Many Mastershops from one process"

MASTERSHOP_COUNTS = {
    Scale.FULL: (10, 100, 500),
    Scale.QUICK: (10, 100),
    Scale.SMOKE: (2,),
}
DURATIONS = {Scale.FULL: 60.0, Scale.QUICK: 8.0, Scale.SMOKE: 1.0}
WORKERS_PER_CLIENT = 4
# With a staggered start, Mastershop i of M starts i / M of this many seconds
# after the first, so that their 1-second bursts do not line up.
STAGGER_SECONDS = 1.025
# The first window step: requests after it reuse the connections that the
# first requests opened.
STARTUP_SECONDS = 2.0
# Mastershops per sandbox process. Runs with more use several processes.
MASTERSHOPS_PER_SANDBOX = 250
TARGET_SHARE = 0.95
TARGET_MASTERSHOPS = 100


@attrs.frozen
class _Outcome:
    mastershops: int
    staggered: bool
    sandboxes: int
    duration: float
    achieved: int
    allowed: int
    rejected: int
    # 429 responses within STARTUP_SECONDS of a Mastershop's first request.
    rejected_at_start: int
    # Maximum delay from a limiter start to the sandbox's arrival, over the
    # first 4 requests of each Mastershop.
    first_delay: float
    failures: int
    client_cpu: float
    wall: float
    sandbox_cpu: list[float]


@attrs.frozen
class _Driven:
    """One Mastershop's client and the window of the run in which it sends."""

    client: JumiaClient
    limiter: RecordingLimiter
    sandbox: int
    account: int
    start: float
    end: float


async def _worker(driven: _Driven, failures: list[int]) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, driven.start - loop.time()))
    # At most 4 requests a second can start, so this bound is never reached
    # by a client that the limiter paces.
    for _ in range(int((driven.end - driven.start) * 8) + 8):
        if loop.time() >= driven.end:
            return
        try:
            await driven.client.shops.list()
        except JumiaError:
            failures[0] += 1


def _rejected_at_start(snapshots: list[CountersSnapshot], driven: list[_Driven]) -> int:
    total = 0
    for entry in driven:
        times = snapshots[entry.sandbox].accounts[entry.account].rejected_times
        total += sum(1 for t in times if t < entry.start + STARTUP_SECONDS)
    return total


def _first_requests_delay(
    snapshots: list[CountersSnapshot], driven: list[_Driven]
) -> float:
    """Return the maximum delay from a limiter's start to the sandbox's arrival.

    Only the first `REQUESTS_PER_SECOND` requests of each Mastershop count:
    the windows are empty then, so the sandbox admits all of them and the
    n-th arrival belongs to the n-th start.
    """
    delays = [
        arrival - start
        for entry in driven
        for start, arrival in zip(
            entry.limiter.starts[:REQUESTS_PER_SECOND],
            snapshots[entry.sandbox].accounts[entry.account].arrivals,
            strict=False,
        )
    ]
    return max(delays, default=0.0)


def _admitted_in_windows(
    snapshots: list[CountersSnapshot], driven: list[_Driven]
) -> int:
    total = 0
    for entry in driven:
        arrivals = snapshots[entry.sandbox].accounts[entry.account].arrivals
        total += sum(1 for t in arrivals if entry.start <= t < entry.end)
    return total


async def _run_count(mastershops: int, duration: float, staggered: bool) -> _Outcome:
    sandboxes = math.ceil(mastershops / MASTERSHOPS_PER_SANDBOX)
    shares = [
        mastershops // sandboxes + (1 if index < mastershops % sandboxes else 0)
        for index in range(sandboxes)
    ]
    async with contextlib.AsyncExitStack() as stack:
        processes = [
            await stack.enter_async_context(
                SandboxProcess(
                    {
                        "seed": index,
                        "mastershops": share,
                        "shops_per_mastershop": 2,
                        "orders_per_shop": 0,
                        "rate_limit": True,
                    }
                )
            )
            for index, share in enumerate(shares)
        ]
        clients = []
        for sandbox, process in enumerate(processes):
            for account, (client_id, refresh_token) in enumerate(process.credentials):
                # The default limiter, wrapped to log when it lets each
                # request start.
                limiter = RecordingLimiter(SlidingWindowLimiter())
                client = await stack.enter_async_context(
                    JumiaClient(
                        client_id=client_id,
                        refresh_token=refresh_token,
                        base_url=process.url,
                        limiter=limiter,
                    )
                )
                clients.append((sandbox, account, client, limiter))
        before = [await process.counters() for process in processes]

        loop = asyncio.get_running_loop()
        started = loop.time() + 0.1
        driven = []
        for position, (sandbox, account, client, limiter) in enumerate(clients):
            offset = position * STAGGER_SECONDS / mastershops if staggered else 0.0
            driven.append(
                _Driven(
                    client=client,
                    limiter=limiter,
                    sandbox=sandbox,
                    account=account,
                    start=started + offset,
                    end=started + offset + duration,
                )
            )
        failures = [0]
        cpu_started = time.process_time()
        workers = [
            asyncio.create_task(_worker(entry, failures))
            for entry in driven
            for _ in range(WORKERS_PER_CLIENT)
        ]
        await asyncio.sleep(max(0.0, max(e.end for e in driven) - loop.time()))
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        wall = loop.time() - started
        cpu = time.process_time() - cpu_started
        after = [await process.counters() for process in processes]

    rejected = sum(
        a.rejected - b.rejected
        for start, end in zip(before, after, strict=True)
        for b, a in zip(start.accounts, end.accounts, strict=True)
    )
    return _Outcome(
        mastershops=mastershops,
        staggered=staggered,
        sandboxes=sandboxes,
        duration=duration,
        achieved=_admitted_in_windows(after, driven),
        allowed=mastershops * allowed_starts(duration),
        rejected=rejected,
        rejected_at_start=_rejected_at_start(after, driven),
        first_delay=_first_requests_delay(after, driven),
        failures=failures[0],
        client_cpu=cpu,
        wall=wall,
        sandbox_cpu=[
            (end.cpu_seconds - start.cpu_seconds) / wall
            for start, end in zip(before, after, strict=True)
        ],
    )


def _row(outcome: _Outcome) -> tuple[str, ...]:
    sent = outcome.achieved + outcome.rejected
    share = outcome.achieved / outcome.allowed
    return (
        str(outcome.mastershops),
        "staggered" if outcome.staggered else "aligned",
        str(outcome.sandboxes),
        f"{outcome.achieved:,}",
        f"{outcome.allowed:,}",
        f"{share:.1%}",
        f"{outcome.achieved / outcome.duration:,.0f}",
        str(outcome.rejected),
        str(outcome.rejected_at_start),
        f"{outcome.first_delay * 1000:.0f} ms",
        str(outcome.failures),
        f"{outcome.client_cpu / max(sent, 1) * 1e6:.0f}",
        f"{outcome.client_cpu / outcome.wall:.0%}",
        " + ".join(f"{load:.0%}" for load in outcome.sandbox_cpu),
    )


def _saturation_note(outcomes: list[_Outcome], duration: float) -> str:
    allowed_rate = allowed_starts(duration) / duration
    parts = [
        f"Each Mastershop may start {allowed_starts(duration)} requests in "
        f"{duration:g} s ({allowed_rate:.2f} a second on average), counting the "
        "optimal schedule's starts before the end of its run."
    ]
    for staggered in (False, True):
        runs = sorted(
            (o for o in outcomes if o.staggered is staggered),
            key=lambda o: o.mastershops,
        )
        start = "a staggered" if staggered else "an aligned"
        short = [o for o in runs if o.achieved / o.allowed < TARGET_SHARE]
        if short:
            share = f"fell below {TARGET_SHARE:.0%} of the allowed rate at "
            share += f"{short[0].mastershops} Mastershops"
        else:
            share = f"kept at least {TARGET_SHARE:.0%} of the allowed rate up "
            share += f"to {runs[-1].mastershops} Mastershops"
        rejected = [o for o in runs if o.rejected]
        if rejected:
            first = rejected[0]
            limit = f"got its first 429 responses at {first.mastershops} "
            limit += f"Mastershops ({first.rejected}, {first.rejected_at_start} "
            limit += f"of them in the first {STARTUP_SECONDS:g} s)"
        else:
            limit = "got no 429 response"
        parts.append(f"With {start} start the process {share}, and {limit}.")
    largest = max((o for o in outcomes if o.staggered), key=lambda o: o.mastershops)
    cpu_per_request = largest.client_cpu / max(largest.achieved + largest.rejected, 1)
    one_core_rate = 1 / cpu_per_request
    parts.append(
        f"The client process used {largest.client_cpu / largest.wall:.0%} of a "
        f"core with {largest.mastershops} Mastershops (staggered). At that CPU "
        f"per request, one fully available core would sustain about "
        f"{one_core_rate:,.0f} requests a second, or "
        f"{one_core_rate / allowed_rate:,.0f} Mastershops at their average "
        "allowed rate. This is an estimate, because on this machine the sandbox "
        "processes use the other core and part of this one."
    )
    return " ".join(parts)


async def run(scale: Scale, figures_dir: Path) -> BenchmarkResult:
    """Drive each Mastershop count for the run's duration and report the figures."""
    duration = DURATIONS[scale]
    outcomes = [
        await _run_count(count, duration, staggered)
        for count in MASTERSHOP_COUNTS[scale]
        for staggered in (False, True)
    ]
    result = BenchmarkResult(name=NAME, title=TITLE)
    result.tables.append(
        Table(
            title=f"{WORKERS_PER_CLIENT} looping tasks per Mastershop for "
            f"{duration:g} s",
            header=(
                "Mastershops",
                "start",
                "sandbox processes",
                "admitted in the run",
                "allowed",
                "share",
                "requests a second",
                "429",
                f"429 in the first {STARTUP_SECONDS:g} s",
                "first 4 requests: max delay to the sandbox",
                "failed calls",
                "client CPU µs per request",
                "client CPU load",
                "sandbox CPU load",
            ),
            rows=tuple(_row(outcome) for outcome in outcomes),
        )
    )
    for outcome in outcomes:
        start = "staggered" if outcome.staggered else "aligned"
        if outcome.mastershops == TARGET_MASTERSHOPS:
            share = outcome.achieved / outcome.allowed
            result.checks.append(
                Check(
                    description=f"{NAME}: share of the allowed rate, "
                    f"M={outcome.mastershops}, {start}",
                    measured=f"{share:.1%}",
                    target=f"≥ {TARGET_SHARE:.0%}",
                    met=share >= TARGET_SHARE,
                )
            )
        result.checks.append(
            Check(
                description=f"{NAME}: 429 responses, M={outcome.mastershops}, {start}",
                measured=str(outcome.rejected),
                target="0",
                met=outcome.rejected == 0,
            )
        )
    result.notes.append(
        "Allowed is M times the number of starts that the optimal schedule "
        "(4 per second, 200 per 60 seconds) fits into the run. Admitted counts "
        "the sandbox's arrival log between the start and the end of the run, "
        "including each client's first POST /token. CPU load is CPU seconds "
        "divided by wall seconds, so 100% is one core busy. The machine has "
        "2 cores, shared by the client and the sandbox processes. Runs with "
        f"more than {MASTERSHOPS_PER_SANDBOX} Mastershops split them over "
        "several sandbox processes, and the sandbox load column shows each "
        "process's share of a core. 'First 4 requests: max delay' is the "
        "maximum time from the limiter letting one of a Mastershop's first 4 "
        "requests start to the sandbox logging its arrival; those requests "
        "open the client's connections."
    )
    result.notes.append(_saturation_note(outcomes, duration))
    return result
