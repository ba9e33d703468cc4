"""The sandbox's per-Mastershop rate limit and request counters."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from jumia_async.sandbox import (
    AccountCounters,
    ManualClock,
    Sandbox,
    SandboxConfig,
    max_requests_in_window,
    run_sandbox,
)
from jumia_async.sandbox._ratelimit import SlidingWindowLimiter, retry_after_seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(monotonic_start=1000.0)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def access_token(session: aiohttp.ClientSession, sandbox: Sandbox) -> str:
    form = {
        "grant_type": "refresh_token",
        "client_id": sandbox.client_id,
        "refresh_token": sandbox.refresh_token,
    }
    async with session.post(f"{sandbox.url}/token", data=form) as response:
        assert response.status == 200
        token: str = (await response.json())["access_token"]
        return token


async def get_shops(
    session: aiohttp.ClientSession, sandbox: Sandbox, token: str
) -> aiohttp.ClientResponse:
    headers = {"Authorization": f"Bearer {token}"}
    async with session.get(f"{sandbox.url}/shops", headers=headers) as response:
        await response.read()
        return response


def test_limiter_admits_four_per_second() -> None:
    """The fifth arrival inside one second is rejected until the window slides."""
    limiter = SlidingWindowLimiter(per_second=4, per_minute=200)

    assert [limiter.try_acquire(10.0 + i * 0.1) for i in range(4)] == [None] * 4
    assert limiter.try_acquire(10.5) == pytest.approx(0.5)
    assert limiter.try_acquire(10.99) == pytest.approx(0.01)
    assert limiter.try_acquire(11.0) is None


def test_limiter_window_excludes_its_start() -> None:
    """An arrival exactly one second old no longer counts."""
    limiter = SlidingWindowLimiter(per_second=1, per_minute=200)

    assert limiter.try_acquire(5.0) is None
    assert limiter.try_acquire(5.999) is not None
    assert limiter.try_acquire(6.0) is None


def test_limiter_minute_window() -> None:
    """The 201st arrival within 60 s waits until the oldest one leaves."""
    limiter = SlidingWindowLimiter(per_second=4, per_minute=200)
    for i in range(200):
        assert limiter.try_acquire(i * 0.25) is None

    wait = limiter.try_acquire(50.0)
    assert wait == pytest.approx(10.0)
    assert limiter.try_acquire(59.99) is not None
    assert limiter.try_acquire(60.0) is None


def test_limiter_rejections_do_not_count() -> None:
    """Rejected arrivals do not extend the wait."""
    limiter = SlidingWindowLimiter(per_second=1, per_minute=200)
    limiter.try_acquire(0.0)
    for step in range(1, 10):
        assert limiter.try_acquire(step * 0.1) is not None

    assert limiter.try_acquire(1.0) is None


def test_limiter_invalid_limits() -> None:
    with pytest.raises(ValueError, match="per_second=0"):
        SlidingWindowLimiter(per_second=0, per_minute=200)


@pytest.mark.parametrize(
    ("wait", "expected"), [(0.001, 1), (1.0, 1), (1.2, 2), (9.99, 10)]
)
def test_retry_after_rounds_up(wait: float, expected: int) -> None:
    assert retry_after_seconds(wait) == expected


def test_max_requests_in_window() -> None:
    """The helper counts arrivals in half-open windows, unsorted input included."""
    arrivals = [0.0, 0.5, 0.9, 1.0, 1.2, 5.0]

    assert max_requests_in_window(arrivals, 1.0) == 4
    assert max_requests_in_window(reversed(arrivals), 1.0) == 4
    assert max_requests_in_window(arrivals, 0.05) == 1
    assert max_requests_in_window(arrivals, 60.0) == 6
    assert max_requests_in_window([], 1.0) == 0
    with pytest.raises(ValueError, match="window"):
        max_requests_in_window(arrivals, 0)


def test_counters_arrival_log_bounded() -> None:
    counters = AccountCounters.with_arrival_log(3)
    for i in range(5):
        counters.record_admitted("GET /orders", float(i))

    assert counters.admitted == 5
    assert counters.arrivals is not None
    assert list(counters.arrivals) == [2.0, 3.0, 4.0]


def test_counters_without_arrival_log() -> None:
    counters = AccountCounters.with_arrival_log(0)
    counters.record_admitted("GET /orders", 1.0)

    assert counters.arrivals is None
    with pytest.raises(RuntimeError, match="arrival_log_size"):
        counters.max_in_window(1.0)


async def test_fifth_request_in_second_is_429(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """/token and four more calls in one second: the fifth call gets 429."""
    async with run_sandbox(SandboxConfig(), clock=clock) as sandbox:
        token = await access_token(session, sandbox)
        statuses = [(await get_shops(session, sandbox, token)).status for _ in range(4)]
        assert statuses == [200, 200, 200, 429]

        headers = {"Authorization": f"Bearer {token}"}
        async with session.get(f"{sandbox.url}/orders", headers=headers) as response:
            body = await response.json()
        assert response.status == 429
        assert body == {"message": "Too Many Requests", "status": 429}
        assert "Retry-After" not in response.headers

        clock.advance(1.0)
        assert (await get_shops(session, sandbox, token)).status == 200

        counters = sandbox.state.accounts[0].counters
        assert counters.admitted == 5
        assert counters.rejected == 2
        assert counters.routes["POST /token"] == 1
        assert counters.routes["GET /shops"] == 4
        assert counters.rejected_routes["GET /orders"] == 1
        assert counters.max_in_window(1.0) == 4


async def test_retry_after_header_switch(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """With the switch on, a 429 carries Retry-After in whole seconds."""
    config = SandboxConfig(retry_after_header=True)
    async with run_sandbox(config, clock=clock) as sandbox:
        token = await access_token(session, sandbox)
        clock.advance(0.3)
        for _ in range(3):
            await get_shops(session, sandbox, token)
        response = await get_shops(session, sandbox, token)

    assert response.status == 429
    assert response.headers["Retry-After"] == "1"


async def test_minute_limit_retry_after(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """A full minute window gives a Retry-After until the oldest arrival leaves."""
    config = SandboxConfig(requests_per_minute=5, retry_after_header=True)
    async with run_sandbox(config, clock=clock) as sandbox:
        token = await access_token(session, sandbox)
        for _ in range(4):
            clock.advance(1.0)
            assert (await get_shops(session, sandbox, token)).status == 200
        clock.advance(1.0)
        response = await get_shops(session, sandbox, token)
        assert response.status == 429
        assert response.headers["Retry-After"] == "55"

        clock.advance(55.0)
        assert (await get_shops(session, sandbox, token)).status == 200


async def test_token_requests_are_limited(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """/token counts against the Mastershop named by client_id."""
    async with run_sandbox(SandboxConfig(), clock=clock) as sandbox:
        form = {
            "grant_type": "refresh_token",
            "client_id": sandbox.client_id,
            "refresh_token": "wrong",
        }
        statuses = []
        for _ in range(5):
            async with session.post(f"{sandbox.url}/token", data=form) as response:
                statuses.append(response.status)

    assert statuses == [400, 400, 400, 400, 429]


async def test_limits_are_per_mastershop(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """One Mastershop's traffic does not use another's allowance."""
    async with run_sandbox(SandboxConfig(mastershops=2), clock=clock) as sandbox:
        token = await access_token(session, sandbox)
        for _ in range(3):
            await get_shops(session, sandbox, token)
        other_client_id, other_refresh = sandbox.credentials[1]
        form = {
            "grant_type": "refresh_token",
            "client_id": other_client_id,
            "refresh_token": other_refresh,
        }
        async with session.post(f"{sandbox.url}/token", data=form) as response:
            assert response.status == 200

        assert sandbox.state.accounts[1].counters.admitted == 1


async def test_rate_limit_lifted_still_counts(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    """With rate_limit=False every request passes and is still counted."""
    async with run_sandbox(SandboxConfig(rate_limit=False), clock=clock) as sandbox:
        token = await access_token(session, sandbox)
        statuses = {
            (await get_shops(session, sandbox, token)).status for _ in range(10)
        }
        counters = sandbox.state.accounts[0].counters

    assert statuses == {200}
    assert counters.admitted == 11
    assert counters.rejected == 0
    assert counters.max_in_window(1.0) == 11


async def test_unauthenticated_requests_not_counted(
    session: aiohttp.ClientSession, clock: ManualClock
) -> None:
    async with run_sandbox(SandboxConfig(), clock=clock) as sandbox:
        for _ in range(6):
            async with session.get(f"{sandbox.url}/orders") as response:
                assert response.status == 401
        counters = sandbox.state.accounts[0].counters

    assert counters.admitted == 0
    assert counters.rejected == 0
