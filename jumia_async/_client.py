"""JumiaClient: owns the session, the authentication and the limiter."""

from __future__ import annotations

from types import TracebackType
from typing import Self, TypeVar
from urllib.parse import urlsplit

import aiohttp

from ._auth import Authenticator
from ._limiter import RateLimiter, shared_limiter
from ._resources.catalog import CatalogResource
from ._resources.consignment import ConsignmentResource
from ._resources.feeds import FeedsResource
from ._resources.orders import OrdersResource
from ._resources.shops import ShopsResource
from ._retry import RetryPolicy
from ._tokens import MemoryTokenStore, TokenStore
from ._transport import Transport, send_time_trace
from ._version import __version__

__all__ = ["PRODUCTION_URL", "STAGING_URL", "JumiaClient"]

PRODUCTION_URL = "https://vendor-api.jumia.com"
STAGING_URL = "https://vendor-api-staging.jumia.com"

T = TypeVar("T")

DEFAULT_TIMEOUT = aiohttp.ClientTimeout(total=60, connect=15)


def _check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"base_url={base_url!r} is not an http(s) URL; use for example "
            f"{PRODUCTION_URL!r}"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"base_url={base_url!r} must not contain a query or fragment")
    # Scheme and host are case-insensitive; one spelling keeps one limiter.
    normalized = parts._replace(
        scheme=parts.scheme.lower(), netloc=parts.netloc.lower()
    )
    return normalized.geturl().rstrip("/")


class JumiaClient:
    """Asynchronous client for one Vendor Center application (client id).

    Use it as an async context manager::

        async with JumiaClient(client_id=..., refresh_token=...) as client:
            shops = await client.shops.list()

    Every client that talks to the same base URL with the same client id in
    one event loop shares one rate limiter, so several clients, tasks and
    shops of one Mastershop stay within its limit together. Pass `limiter`
    to share one explicitly (for example between two applications of the
    same Mastershop) or to lift it in tests.

    `token_store` keeps rotated refresh tokens; without one, they live in
    memory and are lost at exit, so pass a `JsonFileTokenStore` (or your own
    store) for anything long-lived. When the store holds a newer token than
    `refresh_token`, the stored one is used.

    A `session` passed in is used as is and left open; otherwise the client
    opens one with `timeout` and closes it on exit.
    """

    def __init__(
        self,
        *,
        client_id: str,
        refresh_token: str | None = None,
        base_url: str = PRODUCTION_URL,
        token_store: TokenStore | None = None,
        session: aiohttp.ClientSession | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        refresh_margin: float = 300.0,
    ) -> None:
        if not isinstance(client_id, str) or not client_id.strip():
            raise ValueError(
                f"client_id={client_id!r} is invalid; pass the Client ID shown in "
                "Vendor Center under Settings > Applications"
            )
        if refresh_token is not None and (
            not isinstance(refresh_token, str) or not refresh_token.strip()
        ):
            raise ValueError(
                "refresh_token is empty; pass the token generated in Vendor Center "
                "or None to read it from token_store"
            )
        if refresh_token is None and token_store is None:
            raise ValueError(
                "missing credentials: pass refresh_token, or a token_store "
                "that contains a token for this client id"
            )
        self.client_id = client_id.strip()
        self.base_url = _check_base_url(base_url)
        self._refresh_token = refresh_token.strip() if refresh_token else None
        self._store: TokenStore = token_store or MemoryTokenStore()
        self._session = session
        self._owns_session = session is None
        self._limiter = limiter
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        self._refresh_margin = refresh_margin
        self._transport: Transport | None = None
        self._auth: Authenticator | None = None
        self._shops: ShopsResource | None = None
        self._orders: OrdersResource | None = None
        self._catalog: CatalogResource | None = None
        self._feeds: FeedsResource | None = None
        self._consignment: ConsignmentResource | None = None

    def __repr__(self) -> str:
        return f"JumiaClient(client_id={self.client_id!r}, base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def open(self) -> None:
        """Open the session and bind the limiter; `async with` calls this."""
        if self._transport is not None:
            return
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, trace_configs=[send_time_trace()]
            )
            # NOTE: aiohttp resends a GET or PUT by itself, outside the
            # limiter and the write rules, when a reused connection drops.
            # `_retry_connection` is private (aiohttp 3.10 and later) and
            # turns that off; a session passed in keeps aiohttp's default.
            if hasattr(self._session, "_retry_connection"):
                self._session._retry_connection = False
        limiter = self._limiter or shared_limiter((self.base_url, self.client_id))
        self._limiter = limiter
        transport = Transport(
            session=self._session,
            base_url=self.base_url,
            limiter=limiter,
            retry=self._retry,
            user_agent=f"jumia_async/{__version__}",
        )
        self._auth = Authenticator(
            client_id=self.client_id,
            refresh_token=self._refresh_token,
            store=self._store,
            transport=transport,
            refresh_margin=self._refresh_margin,
        )
        transport.auth = self._auth
        self._transport = transport
        self._shops = ShopsResource(transport)
        self._orders = OrdersResource(transport)
        self._catalog = CatalogResource(transport)
        self._feeds = FeedsResource(transport)
        self._consignment = ConsignmentResource(transport)

    async def close(self) -> None:
        """Close the session if the client opened it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None
        self._transport = None

    @property
    def limiter(self) -> RateLimiter:
        """The rate limiter every request of this client waits for."""
        return self._require(self._limiter)

    @property
    def authenticator(self) -> Authenticator:
        """The token manager (exposes `refresh_count`)."""
        return self._require(self._auth)

    @property
    def shops(self) -> ShopsResource:
        """Shop listing."""
        return self._require(self._shops)

    @property
    def orders(self) -> OrdersResource:
        """Orders and fulfilment."""
        return self._require(self._orders)

    @property
    def catalog(self) -> CatalogResource:
        """Brands, categories, attribute sets, products and stock."""
        return self._require(self._catalog)

    @property
    def feeds(self) -> FeedsResource:
        """Product feeds: create, update, stock, price, status and their outcome."""
        return self._require(self._feeds)

    @property
    def consignment(self) -> ConsignmentResource:
        """Consignment orders and stock (Fulfilled-by-Jumia shops)."""
        return self._require(self._consignment)

    def _require(self, value: T | None) -> T:
        if value is None or self._transport is None:
            raise RuntimeError(
                "the client is not open; use 'async with JumiaClient(...) as client:' "
                "or await client.open() first"
            )
        return value
