"""Hostile or malformed responses and inputs: every failure is a JumiaError."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aioresponses import CallbackResult, aioresponses

from jumia_async import (
    AmbiguousWriteError,
    JumiaClient,
    MemoryTokenStore,
    PackageRequest,
    PaginationError,
    ResponseParseError,
    RetryPolicy,
    ServerError,
    TokenSet,
    TransportError,
)

from .helpers import (
    BASE_URL,
    CLIENT_ID,
    TOKEN_URL,
    TokenServer,
    make_client,
    url_pattern,
)

DEEP_JSON = "[" * 100_000 + "]" * 100_000


async def test_non_utf8_error_body_on_write() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.put(
            url_pattern("/orders/cancel"), status=502, body=b"\xff\xfe bad", repeat=True
        )
        async with make_client() as client:
            with pytest.raises(AmbiguousWriteError) as caught:
                await client.orders.cancel(["i1"])
    assert isinstance(caught.value.cause, ServerError)


async def test_non_utf8_success_body_is_parse_error() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern("/shops"), status=200, body=b"\xff\xfe", repeat=True)
        async with make_client() as client:
            with pytest.raises(ResponseParseError, match="not JSON"):
                await client.shops.list()


@pytest.mark.parametrize("status", [200, 503])
async def test_deeply_nested_body(status: int) -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern("/shops"), status=status, body=DEEP_JSON, repeat=True)
        async with make_client(retry=RetryPolicy.disabled()) as client:
            with pytest.raises((ResponseParseError, ServerError)):
                await client.shops.list()


async def test_token_body_not_in_parse_error() -> None:
    body = '{"access_token": "secret-access-123", "refresh_token": "secret-refresh-9"'
    with aioresponses() as mock:
        mock.post(TOKEN_URL, status=200, body=body, repeat=True)
        async with make_client() as client:
            with pytest.raises(ResponseParseError) as caught:
                await client.shops.list()
    error = caught.value
    assert "secret" not in str(error)
    assert "secret" not in error.text
    assert error.__cause__ is None


async def test_response_error_not_chained() -> None:
    def broken(url: Any, **kwargs: Any) -> CallbackResult:
        raise aiohttp.ClientResponseError(
            request_info=aiohttp.RequestInfo(
                url=url,
                method="GET",
                headers={"Authorization": "Bearer secret-bearer"},  # type: ignore[arg-type]
                real_url=url,
            ),
            history=(),
            message="malformed",
        )

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern("/shops"), callback=broken, repeat=True)
        async with make_client(retry=RetryPolicy.disabled()) as client:
            with pytest.raises(TransportError) as caught:
                await client.shops.list()
    assert caught.value.__cause__ is None
    assert "secret-bearer" not in repr(caught.value)


@pytest.mark.parametrize("payload", ["a string", [1, 2], 42])
async def test_orders_page_must_be_object(payload: Any) -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern("/orders"), payload=payload, repeat=True)
        async with make_client() as client:
            with pytest.raises(ResponseParseError, match="expected a JSON object"):
                await client.orders.list()


async def test_rejected_token_rereads_store() -> None:
    class RotatedElsewhere(MemoryTokenStore):
        """Another client rotates the token between this client's reads."""

        loads = 0

        async def load(self, client_id: str) -> TokenSet | None:
            self.loads += 1
            token = "stale-token" if self.loads == 1 else "rotated-elsewhere"
            return TokenSet(refresh_token=token)

    tokens = TokenServer()
    tokens.valid_refresh_tokens = {"rotated-elsewhere"}
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), payload=[], repeat=True)
        async with make_client(
            token_store=RotatedElsewhere(), refresh_token=None
        ) as client:
            await client.shops.list()
    presented = [call["refresh_token"] for call in tokens.calls]
    assert presented == ["stale-token", "rotated-elsewhere"]


def test_base_url_spelling_normalized() -> None:
    client = JumiaClient(
        client_id=CLIENT_ID, refresh_token="r", base_url="HTTP://API.Test/"
    )
    assert client.base_url == "http://api.test"
    assert BASE_URL == "http://api.test"


def test_package_request_rejects_single_string() -> None:
    with pytest.raises(TypeError, match="wrap it in a list"):
        PackageRequest(order_item_ids="item-123", shipment_provider_id="p1")


async def test_sort_must_be_text() -> None:
    async with make_client() as client:
        with pytest.raises(ValueError, match="sort=1 is invalid"):
            await client.orders.list(sort=1)  # type: ignore[arg-type]


async def test_brand_pages_loop_detected() -> None:
    pages = {1: ["A"], 2: ["B"], 3: ["A"], 4: ["B"]}
    calls = 0

    def brands(url: Any, **kwargs: Any) -> CallbackResult:
        nonlocal calls
        calls += 1
        page = int(url.query.get("page", "1"))
        codes = pages.get(page, ["A"])
        return CallbackResult(
            payload={
                "brands": [{"code": code, "name": code} for code in codes],
                "page": {"current": page, "totalOfPages": 1000},
            }
        )

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern("/catalog/brands"), callback=brands, repeat=True)
        async with make_client() as client:

            async def walk() -> None:
                async for _ in client.catalog.iter_brands():
                    pass

            with pytest.raises(PaginationError, match="pages 1 and 3"):
                await asyncio.wait_for(walk(), 10)
    assert calls == 3


async def test_empty_pages_stop_walk() -> None:
    calls = 0

    def brands(url: Any, **kwargs: Any) -> CallbackResult:
        nonlocal calls
        calls += 1
        return CallbackResult(
            payload={"brands": [], "page": {"current": calls, "totalOfPages": 4000}}
        )

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern("/catalog/brands"), callback=brands, repeat=True)
        async with make_client() as client:

            async def walk() -> None:
                async for _ in client.catalog.iter_brands():
                    pass

            with pytest.raises(PaginationError, match="20 empty pages in a row"):
                await walk()
    assert calls == 20
