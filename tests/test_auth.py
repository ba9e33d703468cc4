"""Token refresh, rotation, persistence and the 401 path, on a mocked API."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aioresponses import CallbackResult, aioresponses

from jumia_async import (
    AuthenticationError,
    JsonFileTokenStore,
    JumiaClient,
    MemoryTokenStore,
    MissingCredentialsError,
    RefreshTokenRejectedError,
    TokenSet,
    TokenStoreError,
    TransportError,
)

from .helpers import (
    BASE_URL,
    CLIENT_ID,
    FIRST_REFRESH_TOKEN,
    TOKEN_URL,
    TokenServer,
    bearer,
    make_client,
    url_pattern,
)


async def test_first_request_refreshes_with_form_fields() -> None:
    tokens = TokenServer()
    seen: list[str] = []

    def shops(url: Any, **kwargs: Any) -> CallbackResult:
        seen.append(bearer(kwargs))
        return CallbackResult(payload=[])

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), callback=shops, repeat=True)
        async with make_client() as client:
            await client.shops.list()

    assert tokens.calls == [
        {
            "grant_type": "refresh_token",
            "client_id": CLIENT_ID,
            "refresh_token": FIRST_REFRESH_TOKEN,
        }
    ]
    assert seen == ["access-token-1"]


async def test_concurrent_requests_share_one_refresh() -> None:
    tokens = TokenServer()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), payload=[], repeat=True)
        async with make_client() as client:
            await asyncio.gather(*(client.shops.list() for _ in range(25)))
            assert client.authenticator.refresh_count == 1
    assert len(tokens.calls) == 1


async def test_rotated_token_saved_before_use() -> None:
    tokens = TokenServer()
    store = MemoryTokenStore()
    stored_when_used: list[str | None] = []

    async def shops(url: Any, **kwargs: Any) -> CallbackResult:
        saved = await store.load(CLIENT_ID)
        stored_when_used.append(saved.refresh_token if saved else None)
        return CallbackResult(payload=[])

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), callback=shops, repeat=True)
        async with make_client(token_store=store) as client:
            await client.shops.list()

    assert stored_when_used == ["refresh-token-1"]


async def test_store_failure_blocks_new_access_token() -> None:
    class BrokenStore(MemoryTokenStore):
        async def save(self, client_id: str, tokens: TokenSet) -> None:
            raise OSError("disk full")

    tokens = TokenServer()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), payload=[], repeat=True)
        async with make_client(token_store=BrokenStore()) as client:
            with pytest.raises(TokenStoreError, match="disk full") as caught:
                await client.shops.list()
        shop_calls = [key for key in mock.requests if key[0] == "GET"]

    assert shop_calls == []
    assert "refresh-token-1" not in str(caught.value)


async def test_unsaved_token_saved_on_next_request() -> None:
    class FlakyStore(MemoryTokenStore):
        failures = 1

        async def save(self, client_id: str, tokens: TokenSet) -> None:
            if self.failures:
                self.failures -= 1
                raise OSError("temporarily read-only")
            await super().save(client_id, tokens)

    tokens = TokenServer()
    store = FlakyStore()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), payload=[], repeat=True)
        async with make_client(token_store=store) as client:
            with pytest.raises(TokenStoreError):
                await client.shops.list()
            await client.shops.list()

    saved = await store.load(CLIENT_ID)
    assert saved is not None
    assert saved.refresh_token == "refresh-token-1"
    assert len(tokens.calls) == 1


async def test_401_refreshes_and_retries_once() -> None:
    tokens = TokenServer()
    seen: list[str] = []

    def shops(url: Any, **kwargs: Any) -> CallbackResult:
        seen.append(bearer(kwargs))
        if len(seen) == 1:
            return CallbackResult(status=401, body="")
        return CallbackResult(payload=[{"id": "shop-1", "name": "One"}])

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), callback=shops, repeat=True)
        async with make_client() as client:
            shops_found = await client.shops.list()

    assert [shop.id for shop in shops_found] == ["shop-1"]
    assert seen == ["access-token-1", "access-token-2"]
    assert len(tokens.calls) == 2


async def test_second_401_raises_authentication_error() -> None:
    tokens = TokenServer()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), status=401, body="", repeat=True)
        async with make_client() as client:
            with pytest.raises(AuthenticationError) as caught:
                await client.shops.list()

    assert caught.value.status == 401
    assert len(tokens.calls) == 2


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"error": "invalid_grant", "error_description": "Token is not active"},
            "not active",
        ),
        (
            {"error": "server_error", "error_description": "Client not found: app"},
            "Client not found",
        ),
        ({"error": "unauthorized_client", "error_description": "no"}, "no"),
    ],
)
async def test_rejected_refresh_token_raises(
    body: dict[str, str], expected: str
) -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, status=400, payload=body, repeat=True)
        async with make_client() as client:
            with pytest.raises(RefreshTokenRejectedError) as caught:
                await client.shops.list()

    message = str(caught.value)
    assert expected in message
    assert "Settings > Applications" in message
    assert FIRST_REFRESH_TOKEN not in message


async def test_stored_token_preferred_then_fallback() -> None:
    tokens = TokenServer()
    store = MemoryTokenStore()
    # The store contains a token the server no longer accepts (for example one
    # saved before the seller generated a new token in Vendor Center).
    await store.save(CLIENT_ID, TokenSet(refresh_token="stale-token"))

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), payload=[], repeat=True)
        async with make_client(token_store=store) as client:
            await client.shops.list()

    presented = [call["refresh_token"] for call in tokens.calls]
    assert presented == ["stale-token", FIRST_REFRESH_TOKEN]
    saved = await store.load(CLIENT_ID)
    assert saved is not None
    assert saved.refresh_token == "refresh-token-1"


async def test_stored_access_token_reused_after_restart() -> None:
    tokens = TokenServer()
    store = MemoryTokenStore()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), payload=[], repeat=True)
        async with make_client(token_store=store) as client:
            await client.shops.list()
        async with make_client(token_store=store, refresh_token=None) as client:
            await client.shops.list()
            assert client.authenticator.refresh_count == 0
    assert len(tokens.calls) == 1


async def test_short_lived_token_refreshed_ahead_of_expiry() -> None:
    tokens = TokenServer(expires_in=1)
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), payload=[], repeat=True)
        async with make_client() as client:
            await client.shops.list()
            await asyncio.sleep(0.6)
            await client.shops.list()
    assert len(tokens.calls) == 2


def test_client_requires_credentials() -> None:
    with pytest.raises(ValueError, match="missing credentials"):
        JumiaClient(client_id=CLIENT_ID, base_url=BASE_URL)
    with pytest.raises(ValueError, match="client_id"):
        JumiaClient(client_id=" ", refresh_token="x", base_url=BASE_URL)
    with pytest.raises(ValueError, match="base_url"):
        JumiaClient(client_id=CLIENT_ID, refresh_token="x", base_url="vendor-api")


def test_token_set_repr_hides_tokens() -> None:
    tokens = TokenSet(refresh_token="secret-refresh", access_token="secret-access")
    assert "secret" not in repr(tokens)
    assert "secret" not in str(tokens)


async def test_json_store_round_trip_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "state" / "tokens.json"
    store = JsonFileTokenStore(path)
    assert await store.load(CLIENT_ID) is None

    first = TokenSet(refresh_token="r1", access_token="a1", expires_at=100.0)
    await store.save(CLIENT_ID, first)
    await store.save("other-client", TokenSet(refresh_token="r9"))
    second = TokenSet(refresh_token="r2", access_token="a2", expires_at=200.0)
    await store.save(CLIENT_ID, second)

    assert await store.load(CLIENT_ID) == second
    other = await store.load("other-client")
    assert other is not None
    assert other.refresh_token == "r9"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["tokens.json"]
    assert json.loads(path.read_text())[CLIENT_ID]["refresh_token"] == "r2"


async def test_json_store_rejects_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        await JsonFileTokenStore(path).load(CLIENT_ID)


async def test_logs_never_contain_tokens(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    tokens = TokenServer()
    calls = 0

    def shops(url: Any, **kwargs: Any) -> CallbackResult:
        nonlocal calls
        calls += 1
        return CallbackResult(status=503 if calls == 1 else 200, payload=[])

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=tokens, repeat=True)
        mock.get(url_pattern("/shops"), callback=shops, repeat=True)
        async with make_client() as client:
            await client.shops.list()

    assert caplog.records
    for record in caplog.records:
        text = record.getMessage()
        assert "access-token" not in text
        assert "refresh-token" not in text
        assert "Bearer" not in text


async def test_unreachable_token_endpoint_bounded() -> None:
    calls = 0

    def refuse(url: Any, **kwargs: Any) -> CallbackResult:
        nonlocal calls
        calls += 1
        raise aiohttp.ClientOSError(111, "Connection refused")

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=refuse, repeat=True)
        async with make_client() as client:
            with pytest.raises(TransportError, match="POST /token failed"):
                await client.shops.list()
    # The refresh is retried by the request that needs it, not on its own.
    assert calls == 4


async def test_empty_store_without_token_raises() -> None:
    with aioresponses() as mock:
        async with make_client(
            refresh_token=None, token_store=MemoryTokenStore()
        ) as client:
            with pytest.raises(MissingCredentialsError, match="refresh") as caught:
                await client.shops.list()
        assert mock.requests == {}
    assert "HTTP" not in str(caught.value)
