"""Retries, write safety, error mapping and logging, on a mocked API."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import pytest
from aioresponses import CallbackResult, aioresponses

from jumia_async import (
    AmbiguousWriteError,
    APIStatusError,
    AuthenticationError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    RequestTimeoutError,
    ResponseParseError,
    RetryPolicy,
    ServerError,
    TransportError,
    ValidationError,
)

from .helpers import TOKEN_URL, TokenServer, make_client, url_pattern

SHOPS = url_pattern("/shops")
CANCEL = url_pattern("/orders/cancel")


class Sequenced:
    """Return the next reply on each call; the last one repeats."""

    def __init__(self, *replies: CallbackResult | Exception) -> None:
        self.replies = list(replies)
        self.calls = 0

    def __call__(self, url: Any, **kwargs: Any) -> CallbackResult:
        reply = self.replies[min(self.calls, len(self.replies) - 1)]
        self.calls += 1
        if isinstance(reply, Exception):
            raise reply
        return reply


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits that `backoff` requests instead of sleeping."""
    recorded: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr("backoff._async.asyncio.sleep", fake_sleep)
    return recorded


def ok_shops() -> CallbackResult:
    return CallbackResult(payload=[{"id": "s1", "name": "Shop"}])


async def test_429_without_retry_after_backs_off(waits: list[float]) -> None:
    replies = Sequenced(
        CallbackResult(status=429, payload={"message": "Too Many Requests"}),
        CallbackResult(status=429, payload={"message": "Too Many Requests"}),
        ok_shops(),
    )
    policy = RetryPolicy(base_delay=0.5, max_delay=4)
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(SHOPS, callback=replies, repeat=True)
        async with make_client(retry=policy) as client:
            shops = await client.shops.list()

    assert [shop.id for shop in shops] == ["s1"]
    assert replies.calls == 3
    assert len(waits) == 2
    assert 0.25 <= waits[0] <= 0.5
    assert 0.5 <= waits[1] <= 1.0


async def test_429_honours_retry_after(waits: list[float]) -> None:
    replies = Sequenced(
        CallbackResult(status=429, headers={"Retry-After": "3"}, payload={}),
        ok_shops(),
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(SHOPS, callback=replies, repeat=True)
        async with make_client(retry=RetryPolicy(base_delay=0.1)) as client:
            await client.shops.list()

    assert waits == [3.0]


async def test_429_on_write_is_retried(waits: list[float]) -> None:
    replies = Sequenced(
        CallbackResult(status=429, payload={"message": "Too Many Requests"}),
        CallbackResult(payload={"success": {"orderItems": [{"id": "i1"}]}}),
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.put(CANCEL, callback=replies, repeat=True)
        async with make_client() as client:
            result = await client.orders.cancel(["i1"])

    assert [item.id for item in result.items] == ["i1"]
    assert replies.calls == 2


async def test_retries_stop_at_max_attempts(waits: list[float]) -> None:
    replies = Sequenced(CallbackResult(status=503, payload={"message": "down"}))
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(SHOPS, callback=replies, repeat=True)
        async with make_client(
            retry=RetryPolicy(base_delay=0, max_attempts=3)
        ) as client:
            with pytest.raises(ServerError) as caught:
                await client.shops.list()

    assert replies.calls == 3
    assert caught.value.status == 503
    assert caught.value.message == "down"


async def test_read_retried_after_disconnect(waits: list[float]) -> None:
    replies = Sequenced(aiohttp.ServerDisconnectedError(), ok_shops())
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(SHOPS, callback=replies, repeat=True)
        async with make_client() as client:
            await client.shops.list()
    assert replies.calls == 2


@pytest.mark.parametrize(
    "failure",
    [
        CallbackResult(status=500, payload={"message": "boom"}),
        CallbackResult(status=502, body="<html>bad gateway</html>"),
        aiohttp.ServerDisconnectedError(),
        TimeoutError(),
    ],
    ids=["500", "502", "disconnect", "timeout"],
)
async def test_ambiguous_write_not_resent(
    waits: list[float], failure: CallbackResult | Exception
) -> None:
    replies = Sequenced(failure, CallbackResult(payload={}))
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.put(CANCEL, callback=replies, repeat=True)
        async with make_client() as client:
            with pytest.raises(AmbiguousWriteError) as caught:
                await client.orders.cancel(["item-1", "item-2"])

    assert replies.calls == 1
    assert caught.value.ids == ("item-1", "item-2")
    assert caught.value.method == "PUT"
    assert "Read the state back" in str(caught.value)
    assert waits == []


async def test_write_retried_when_never_connected(waits: list[float]) -> None:
    replies = Sequenced(aiohttp.ConnectionTimeoutError(), CallbackResult(payload={}))
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.put(CANCEL, callback=replies, repeat=True)
        async with make_client() as client:
            await client.orders.cancel(["item-1"])
    assert replies.calls == 2


async def test_read_timeout_raises_after_retries(waits: list[float]) -> None:
    replies = Sequenced(TimeoutError())
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(SHOPS, callback=replies, repeat=True)
        async with make_client(
            retry=RetryPolicy(base_delay=0, max_attempts=2)
        ) as client:
            with pytest.raises(RequestTimeoutError, match="GET /shops timed out"):
                await client.shops.list()
    assert replies.calls == 2


@pytest.mark.parametrize(
    ("status", "body", "error_type", "message"),
    [
        (
            400,
            {"message": "invalid status value", "status": 400},
            ValidationError,
            "invalid status value",
        ),
        (422, {"code": "E1", "message": "bad product"}, ValidationError, "bad product"),
        (
            403,
            {
                "timestamp": "2026-01-01",
                "status": 403,
                "error": "Forbidden",
                "path": "/shops",
            },
            ForbiddenError,
            "Forbidden",
        ),
        (404, "", NotFoundError, "no error body"),
        (401, {"message": "expired", "status": 401}, AuthenticationError, "expired"),
        (
            409,
            {"timestamp": "t", "status": 409, "error": "Conflict", "message": "dup"},
            ValidationError,
            "dup",
        ),
        (418, {"message": "teapot", "status": 418}, APIStatusError, "teapot"),
    ],
)
async def test_status_maps_to_error(
    status: int, body: Any, error_type: type[Exception], message: str
) -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        if isinstance(body, dict):
            mock.get(SHOPS, status=status, payload=body, repeat=True)
        else:
            mock.get(SHOPS, status=status, body=body, repeat=True)
        async with make_client() as client:
            with pytest.raises(error_type) as caught:
                await client.shops.list()

    error = caught.value
    assert type(error) is error_type
    assert isinstance(error, APIStatusError)
    assert error.status == status
    assert error.method == "GET"
    assert error.path == "/shops"
    assert message in str(error)


async def test_rate_limited_error_carries_retry_after() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(
            SHOPS, status=429, headers={"Retry-After": "7"}, payload={}, repeat=True
        )
        async with make_client(retry=RetryPolicy.disabled()) as client:
            with pytest.raises(RateLimitedError) as caught:
                await client.shops.list()
    assert caught.value.retry_after == 7.0


async def test_non_json_success_raises_parse_error() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(SHOPS, status=200, body="<html>maintenance</html>", repeat=True)
        async with make_client() as client:
            with pytest.raises(ResponseParseError, match="not JSON"):
                await client.shops.list()


async def test_transport_error_names_request(waits: list[float]) -> None:
    replies = Sequenced(aiohttp.ClientOSError(104, "Connection reset by peer"))
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(SHOPS, callback=replies, repeat=True)
        async with make_client(
            retry=RetryPolicy(base_delay=0, max_attempts=2)
        ) as client:
            with pytest.raises(TransportError, match="GET /shops failed"):
                await client.shops.list()


async def test_one_warning_per_retry(
    waits: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="jumia_async")
    replies = Sequenced(
        CallbackResult(status=503, payload={"message": "busy"}),
        CallbackResult(status=503, payload={"message": "busy"}),
        ok_shops(),
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(SHOPS, callback=replies, repeat=True)
        async with make_client() as client:
            await client.shops.list()

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "GET /shops" in warnings[0].getMessage()
    assert "attempt 1 of 4" in warnings[0].getMessage()
    assert "attempt 2 of 4" in warnings[1].getMessage()
    assert "HTTP 503" in warnings[0].getMessage()


def test_retry_policy_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="max_attempts=0"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="base_delay=-1"):
        RetryPolicy(base_delay=-1)
    with pytest.raises(ValueError, match="max_time=0"):
        RetryPolicy(max_time=0)
