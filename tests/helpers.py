"""Builders shared by the mocked-API tests."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from aioresponses import CallbackResult

from jumia_async import JumiaClient, RetryPolicy, TokenStore, UnlimitedLimiter

BASE_URL = "http://api.test"
CLIENT_ID = "3f1c2a9e-5b7d-4c1e-9a2b-0d4e6f8a1b2c"
FIRST_REFRESH_TOKEN = "refresh-token-0"

TOKEN_URL = f"{BASE_URL}/token"


def url_pattern(path: str) -> re.Pattern[str]:
    """Match `path` on the test host with any query string."""
    return re.compile(re.escape(BASE_URL + path) + r"(\?.*)?$")


def make_client(
    *,
    token_store: TokenStore | None = None,
    refresh_token: str | None = FIRST_REFRESH_TOKEN,
    retry: RetryPolicy | None = None,
    **kwargs: Any,
) -> JumiaClient:
    """Build a client for the mocked host with no waits and no rate limit."""
    return JumiaClient(
        client_id=CLIENT_ID,
        refresh_token=refresh_token,
        base_url=BASE_URL,
        token_store=token_store,
        limiter=kwargs.pop("limiter", UnlimitedLimiter()),
        retry=retry or RetryPolicy(base_delay=0, max_attempts=4),
        **kwargs,
    )


class TokenServer:
    """A /token callback that rotates refresh tokens like the real API."""

    def __init__(self, expires_in: int = 43200) -> None:
        self.expires_in = expires_in
        self.valid_refresh_tokens = {FIRST_REFRESH_TOKEN}
        self.calls: list[dict[str, str]] = []
        self._counter = itertools.count(1)

    def __call__(self, url: Any, **kwargs: Any) -> CallbackResult:
        form = dict(kwargs.get("data") or {})
        self.calls.append(form)
        presented = form.get("refresh_token", "")
        if presented not in self.valid_refresh_tokens:
            return CallbackResult(
                status=400,
                payload={
                    "error": "invalid_grant",
                    "error_description": "Token is not active",
                },
            )
        self.valid_refresh_tokens.discard(presented)
        number = next(self._counter)
        new_refresh = f"refresh-token-{number}"
        self.valid_refresh_tokens.add(new_refresh)
        return CallbackResult(
            status=200,
            payload={
                "access_token": f"access-token-{number}",
                "expires_in": self.expires_in,
                "refresh_token": new_refresh,
                "refresh_expires_in": 31536000,
                "token_type": "Bearer",
            },
        )


def bearer(kwargs: dict[str, Any]) -> str:
    """Return the bearer token a mocked request carried."""
    headers = kwargs.get("headers") or {}
    value: str = headers.get("Authorization", "")
    return value.removeprefix("Bearer ")


Responder = Callable[..., CallbackResult]
