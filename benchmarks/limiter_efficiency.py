"""Limiter efficiency: N concurrent reads through the client against the strict sandbox.

Each case is one Mastershop of one sandbox process with the rate limit on.
The client sends N `client.shops.list()` calls at once, paced by either the
default `SlidingWindowLimiter` or aiolimiter's `AsyncLimiter(200, 60)`
around `AsyncLimiter(4, 1)`. Every case runs at the same time as the others
on its own Mastershop, so all figures come from one run.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import attrs

from jumia_async import JumiaClient, RateLimiter, SlidingWindowLimiter

from ._figures import Series, draw_window_timeline
from ._harness import (
    MINUTE_WINDOW,
    SECOND_WINDOW,
    AccountSnapshot,
    BenchmarkResult,
    Check,
    NestedAioLimiter,
    RecordingLimiter,
    SandboxProcess,
    Scale,
    Table,
    format_ratio,
    format_seconds,
    optimal_makespan,
    window_max,
)

NAME = "limiter"
TITLE = "Limiter efficiency"

REQUEST_COUNTS = {
    Scale.FULL: (10, 50, 200, 400),
    Scale.QUICK: (10, 50),
    Scale.SMOKE: (6,),
}
TARGET_RATIO = 1.05

SLIDING = "SlidingWindowLimiter"
AIOLIMITER = "aiolimiter 4/1 s in 200/60 s"


@attrs.frozen
class _Case:
    requests: int
    limiter_name: str
    mastershop: int


@attrs.frozen
class _Outcome:
    case: _Case
    sent: list[float]
    failures: int
    first_error: str | None
    counters: AccountSnapshot


async def _run_case(
    sandbox: SandboxProcess, case: _Case
) -> tuple[list[float], int, str | None]:
    client_id, refresh_token = sandbox.credentials[case.mastershop]
    inner: RateLimiter = (
        SlidingWindowLimiter() if case.limiter_name == SLIDING else NestedAioLimiter()
    )
    recording = RecordingLimiter(inner)
    async with JumiaClient(
        client_id=client_id,
        refresh_token=refresh_token,
        base_url=sandbox.url,
        limiter=recording,
    ) as client:
        outcomes = await asyncio.gather(
            *(client.shops.list() for _ in range(case.requests)),
            return_exceptions=True,
        )
    errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    first_error = f"{type(errors[0]).__name__}: {errors[0]}" if errors else None
    return recording.starts, len(errors), first_error


def _row(outcome: _Outcome) -> tuple[str, ...]:
    counters = outcome.counters
    arrivals = counters.arrivals
    makespan = arrivals[-1] - arrivals[0] if arrivals else 0.0
    optimal = optimal_makespan(counters.admitted)
    ratio = format_ratio(makespan / optimal) if optimal > 0 else "n/a"
    sent = sorted(outcome.sent)
    return (
        str(outcome.case.requests),
        outcome.case.limiter_name,
        str(len(sent)),
        str(counters.admitted),
        str(counters.rejected),
        str(outcome.failures),
        format_seconds(makespan),
        format_seconds(optimal),
        ratio,
        f"{window_max(sent, SECOND_WINDOW)} / {window_max(arrivals, SECOND_WINDOW)}",
        f"{window_max(sent, MINUTE_WINDOW)} / {window_max(arrivals, MINUTE_WINDOW)}",
    )


def _checks(outcome: _Outcome) -> list[Check]:
    counters = outcome.counters
    arrivals = counters.arrivals
    makespan = arrivals[-1] - arrivals[0] if arrivals else 0.0
    optimal = optimal_makespan(counters.admitted)
    n = outcome.case.requests
    checks = [
        Check(
            description=f"{NAME}: 429 responses, N={n}",
            measured=str(counters.rejected),
            target="0",
            met=counters.rejected == 0 and outcome.failures == 0,
        )
    ]
    if optimal > 0:
        ratio = makespan / optimal
        checks.insert(
            0,
            Check(
                description=f"{NAME}: makespan ÷ optimal, N={n}",
                measured=format_ratio(ratio),
                target=f"≤ {TARGET_RATIO}",
                met=ratio <= TARGET_RATIO,
            ),
        )
    return checks


async def run(scale: Scale, figures_dir: Path) -> BenchmarkResult:
    """Run every request count with both limiters at once and report the figures."""
    counts = REQUEST_COUNTS[scale]
    cases = [
        _Case(requests=n, limiter_name=name, mastershop=2 * position + offset)
        for position, n in enumerate(counts)
        for offset, name in enumerate((SLIDING, AIOLIMITER))
    ]
    config = {
        "mastershops": len(cases),
        "shops_per_mastershop": 3,
        "orders_per_shop": 0,
        "rate_limit": True,
    }
    async with SandboxProcess(config) as sandbox:
        sent = await asyncio.gather(*(_run_case(sandbox, case) for case in cases))
        snapshot = await sandbox.counters()

    outcomes = [
        _Outcome(
            case=case,
            sent=starts,
            failures=failures,
            first_error=first_error,
            counters=snapshot.accounts[case.mastershop],
        )
        for case, (starts, failures, first_error) in zip(cases, sent, strict=True)
    ]
    result = BenchmarkResult(name=NAME, title=TITLE)
    result.tables.append(
        Table(
            title="N concurrent `client.shops.list()` calls against the strict sandbox",
            header=(
                "N",
                "limiter",
                "sent",
                "admitted",
                "429",
                "failed calls",
                "makespan",
                "optimal",
                "ratio",
                "max in 1 s (sent / admitted)",
                "max in 60 s (sent / admitted)",
            ),
            rows=tuple(_row(outcome) for outcome in outcomes),
        )
    )
    for outcome in outcomes:
        if outcome.case.limiter_name == SLIDING:
            result.checks.extend(_checks(outcome))
        if outcome.first_error is not None:
            result.notes.append(
                f"{outcome.case.limiter_name}, N={outcome.case.requests}: "
                f"failed calls: {outcome.failures}, the first with "
                f"{outcome.first_error}"
            )
    result.notes.insert(
        0,
        "Makespan is the time from the first to the last admitted request start "
        "in the sandbox's arrival log, including the one POST /token. Optimal is "
        "the makespan of the earliest schedule that the two windows allow for "
        "the same number of admitted requests: request i starts at "
        "max(s[i-4] + 1, s[i-200] + 60). 'Sent' counts the client's attempts, "
        "429 responses included, at the time the limiter let them start. The "
        "sandbox admits at most 4 and 200 per window by construction, so the "
        "sent column shows what a limiter would have sent the real API.",
    )
    figure = _draw(figures_dir, outcomes)
    if figure is not None:
        result.figures.append(figure)
    return result


def _draw(figures_dir: Path, outcomes: list[_Outcome]) -> Path | None:
    largest = max(outcome.case.requests for outcome in outcomes)
    sliding, baseline = (
        next(
            o
            for o in outcomes
            if o.case.requests == largest and o.case.limiter_name == n
        )
        for n in (SLIDING, AIOLIMITER)
    )
    return draw_window_timeline(
        figures_dir / "limiter_timeline.png",
        f"{largest} concurrent reads: request starts against the 1 s and 60 s windows",
        events=[
            Series(f"{SLIDING}, admitted", sliding.counters.arrivals),
            Series(f"{AIOLIMITER}, admitted", baseline.counters.arrivals),
            Series(f"{AIOLIMITER}, sent", baseline.sent),
        ],
        counted=[
            Series(f"{SLIDING}, admitted", sliding.counters.arrivals),
            Series(f"{AIOLIMITER}, admitted", baseline.counters.arrivals),
            Series(f"{AIOLIMITER}, sent (429 included)", baseline.sent, dashed=True),
        ],
    )
