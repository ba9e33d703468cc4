"""Self Authorization: access tokens from a rotating refresh token.

`POST /token` with `grant_type=refresh_token` returns an access token and a
new refresh token, and revokes the refresh token it was given. One refresh
runs at a time per client: concurrent requests that find the access token
stale wait for the same refresh. The new pair is saved to the token store
before its access token is handed out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from ._errors import (
    APIStatusError,
    MissingCredentialsError,
    RefreshTokenRejectedError,
    ResponseParseError,
    TokenStoreError,
)
from ._tokens import TokenSet, TokenStore
from ._transport import Transport

__all__ = ["Authenticator"]

logger = logging.getLogger("jumia_async")

TOKEN_PATH = "/token"

# OAuth error codes, and a phrase in the description, that mean the refresh
# token can never work again (expired, rotated away, or its application was
# deleted in Vendor Center).
_DEFINITIVE_ERRORS = frozenset(
    {"invalid_grant", "unauthorized_client", "invalid_client"}
)
_CLIENT_NOT_FOUND = "client not found"


def _is_rejection(error: APIStatusError) -> bool:
    if error.status not in (400, 401):
        return False
    body = error.body if isinstance(error.body, dict) else {}
    code = str(body.get("error", "")).lower()
    description = str(body.get("error_description", "")).lower()
    return code in _DEFINITIVE_ERRORS or _CLIENT_NOT_FOUND in description


class Authenticator:
    """Keeps a valid access token for one client id.

    `refresh_margin` is how many seconds before expiry a token counts as
    stale; for short-lived tokens it shrinks to half their lifetime.
    """

    def __init__(
        self,
        *,
        client_id: str,
        refresh_token: str | None,
        store: TokenStore,
        transport: Transport,
        refresh_margin: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = client_id
        self._initial_refresh_token = refresh_token
        self._store = store
        self._transport = transport
        self._margin = refresh_margin
        self._clock = clock
        self._lock = asyncio.Lock()
        self._tokens: TokenSet | None = None
        self._refresh_at = 0.0
        self._rejected_access_token: str | None = None
        self._unsaved: TokenSet | None = None
        self._pending_refresh_at: float | None = None
        self.refresh_count = 0

    def __repr__(self) -> str:
        return f"Authenticator(client_id={self.client_id!r})"

    async def access_token(self) -> str:
        """Return a fresh access token, refreshing it when it is stale."""
        token = self._current()
        if token is not None:
            return token
        async with self._lock:
            token = self._current()
            if token is not None:
                return token
            return await self._obtain()

    def invalidate(self, access_token: str) -> None:
        """Mark `access_token` as refused, so the next call refreshes.

        Only the current token is dropped: if another request already
        refreshed it, nothing changes.
        """
        self._rejected_access_token = access_token
        if self._tokens is not None and self._tokens.access_token == access_token:
            self._refresh_at = 0.0

    def _current(self) -> str | None:
        tokens = self._tokens
        if self._unsaved is not None or tokens is None or tokens.access_token is None:
            return None
        if self._clock() >= self._refresh_at:
            return None
        return tokens.access_token

    async def _obtain(self) -> str:
        unsaved = self._unsaved
        if unsaved is not None:
            await self._save(unsaved)
            return self._adopt(unsaved)

        stored = await self._store.load(self.client_id)
        if stored is not None and self._usable(stored):
            assert stored.access_token is not None
            self._tokens = stored
            self._refresh_at = (stored.expires_at or 0.0) - self._margin
            return stored.access_token

        candidates: list[str] = []
        for source in (self._tokens, stored):
            if source is not None and source.refresh_token not in candidates:
                candidates.append(source.refresh_token)
        initial = self._initial_refresh_token
        if initial and initial not in candidates:
            candidates.append(initial)
        if not candidates:
            raise MissingCredentialsError(
                f"no refresh token for client {self.client_id!r}: none was passed "
                "as refresh_token and the token store holds none; pass the token "
                "generated in Vendor Center (the workflows' --refresh-token)"
            )

        rejection: APIStatusError | None = None
        tried: set[str] = set()
        while candidates:
            refresh_token = candidates.pop(0)
            tried.add(refresh_token)
            try:
                fresh = await self._refresh(refresh_token)
            except APIStatusError as error:
                if not _is_rejection(error):
                    raise
                rejection = error
                if not candidates:
                    # Another client with the same store may have rotated the
                    # token meanwhile: its newer token is worth one try.
                    latest = await self._store.load(self.client_id)
                    if latest is not None and latest.refresh_token not in tried:
                        candidates.append(latest.refresh_token)
                continue
            await self._save(fresh)
            return self._adopt(fresh)

        assert rejection is not None
        raise RefreshTokenRejectedError(
            f"the refresh token for client {self.client_id!r} was rejected "
            f"({rejection.message}); check the Client ID, then generate a new "
            "token in Vendor Center under Settings > Applications and pass it "
            "as refresh_token",
            method="POST",
            path=TOKEN_PATH,
            status=rejection.status,
            body=rejection.body,
        ) from rejection

    def _usable(self, tokens: TokenSet) -> bool:
        if tokens.access_token is None or tokens.expires_at is None:
            return False
        if tokens.access_token == self._rejected_access_token:
            return False
        return self._clock() < tokens.expires_at - self._margin

    async def _refresh(self, refresh_token: str) -> TokenSet:
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "refresh_token": refresh_token,
        }
        started = self._clock()
        # One attempt: the refresh runs inside the attempt of the request
        # that needs the token, and that request's retries cover both.
        # NOTE: if the API rotates the token but the response is lost, the
        # old refresh token is already revoked, and only a new token from
        # Vendor Center helps; no client can avoid that.
        payload = await self._transport.request(
            "POST", TOKEN_PATH, form=form, authorize=False, retry=False
        )
        self.refresh_count += 1
        tokens = self._parse(payload, refresh_token, started)
        logger.info("Refreshed the access token for client %s", self.client_id)
        return tokens

    def _parse(self, payload: Any, used_refresh_token: str, started: float) -> TokenSet:
        errors = []
        if not isinstance(payload, dict):
            errors.append(f"expected an object, got {type(payload).__name__} @ $")
            payload = {}
        access = payload.get("access_token")
        if not isinstance(access, str) or not access:
            errors.append("missing or empty access_token @ $.access_token")
        expires_in = payload.get("expires_in")
        if not isinstance(expires_in, int | float) or isinstance(expires_in, bool):
            errors.append("missing or non-numeric expires_in @ $.expires_in")
        if errors:
            raise ResponseParseError(method="POST", path=TOKEN_PATH, errors=errors)
        assert isinstance(access, str)
        assert isinstance(expires_in, int | float)
        refresh = payload.get("refresh_token")
        refresh_in = payload.get("refresh_expires_in")
        lifetime = float(expires_in)
        self._pending_refresh_at = started + lifetime - min(self._margin, lifetime / 2)
        return TokenSet(
            # A response without a refresh token leaves the old one valid.
            refresh_token=refresh
            if isinstance(refresh, str) and refresh
            else used_refresh_token,
            access_token=access,
            expires_at=started + lifetime,
            refresh_expires_at=(
                started + float(refresh_in)
                if isinstance(refresh_in, int | float) and refresh_in > 0
                else None
            ),
        )

    async def _save(self, tokens: TokenSet) -> None:
        self._unsaved = tokens
        try:
            await self._store.save(self.client_id, tokens)
        except Exception as exc:
            raise TokenStoreError(
                f"could not save the rotated refresh token for client "
                f"{self.client_id!r} ({type(exc).__name__}: {exc}); the token "
                "is kept in memory and saving is tried again on the next "
                "request. Fix the token store before the process exits."
            ) from exc
        self._unsaved = None

    def _adopt(self, tokens: TokenSet) -> str:
        assert tokens.access_token is not None
        self._tokens = tokens
        if self._pending_refresh_at is not None:
            self._refresh_at = self._pending_refresh_at
        else:
            self._refresh_at = (tokens.expires_at or 0.0) - self._margin
        self._pending_refresh_at = None
        return tokens.access_token
