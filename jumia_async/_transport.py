"""The aiohttp transport: one place that sends requests and maps failures.

Each attempt waits for the Mastershop limiter, adds the bearer token, sends
the request and turns the outcome into a decoded body or a JumiaError. The
`backoff` package drives retries around attempts, following RetryPolicy.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, Protocol

import aiohttp
import backoff

from ._errors import (
    AmbiguousWriteError,
    JumiaError,
    RequestTimeoutError,
    ResponseParseError,
    ServerError,
    TransportError,
)
from ._limiter import RateLimiter
from ._protocol import error_from_status
from ._retry import RetryPolicy

__all__ = ["Transport"]

logger = logging.getLogger("jumia_async")

TOKEN_PATH = "/token"

Params = Sequence[tuple[str, str]] | Mapping[str, str] | None


# aiohttp warns about bodies over 1 MiB sent as bytes, because writing them
# blocks the loop. A full 1000-product feed is larger, so such bodies go out
# as a stream.
_STREAM_BODY_BYTES = 512 * 1024


def _large_json(value: Any) -> io.BytesIO | None:
    """Return a large JSON body as a stream, or None for a small one.

    Only feed bodies, which carry a `products` list, reach that size, so
    other bodies are not encoded twice to measure them.
    """
    if not isinstance(value, dict) or len(value.get("products") or ()) < 100:
        return None
    encoded = json.dumps(value, separators=(",", ":")).encode()
    return io.BytesIO(encoded) if len(encoded) > _STREAM_BODY_BYTES else None


_MARKER_KEY = "jumia_async.sent_marker"


class _SentMarker:
    """Tells the limiter when a request's headers were actually sent."""

    __slots__ = ("granted_at", "limiter")

    def __init__(self, limiter: Any, granted_at: float) -> None:
        self.limiter = limiter
        self.granted_at = granted_at

    @classmethod
    def after_acquire(cls, limiter: RateLimiter) -> _SentMarker | None:
        granted_at = getattr(limiter, "last_start", None)
        if granted_at is None or not hasattr(limiter, "mark_sent"):
            return None
        return cls(limiter, granted_at)

    def sent(self) -> None:
        self.limiter.mark_sent(self.granted_at)


async def _on_headers_sent(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceRequestHeadersSentParams,
) -> None:
    request_context = context.trace_request_ctx
    marker = request_context.get(_MARKER_KEY) if request_context else None
    if isinstance(marker, _SentMarker):
        marker.sent()


def send_time_trace() -> aiohttp.TraceConfig:
    """Return an aiohttp trace config that makes the limiter count send times.

    The client adds it to the sessions it opens. Add it to a session you pass
    in (`ClientSession(trace_configs=[send_time_trace()])`) so that a request
    slowed down by opening its connection counts from when it was sent.
    """
    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(_on_headers_sent)
    return trace


class TokenSource(Protocol):
    """The part of authentication that the transport calls."""

    async def access_token(self) -> str: ...

    def invalidate(self, access_token: str) -> None: ...


class Transport:
    """Sends requests to one API base URL through one limiter."""

    def __init__(
        self,
        *,
        session: aiohttp.ClientSession,
        base_url: str,
        limiter: RateLimiter,
        retry: RetryPolicy,
        user_agent: str,
    ) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.retry = retry
        self.auth: TokenSource | None = None

        self._headers = {"Accept": "application/json", "User-Agent": user_agent}
        self._with_retries: Callable[..., Awaitable[Any]] = backoff.on_exception(
            retry.waits,
            JumiaError,
            max_tries=retry.max_attempts,
            max_time=retry.max_time,
            giveup=lambda error: not retry.is_retryable(error),
            on_backoff=self._log_retry,
            jitter=None,
            logger=None,
        )(self._attempt)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        write: bool = False,
        authorize: bool = True,
        ids: Sequence[str] = (),
        retry: bool = True,
    ) -> Any:
        """Send a request with retries and return the decoded JSON body.

        `write` marks a request that changes state at Jumia: after an
        ambiguous failure it raises AmbiguousWriteError instead of being
        resent. `ids` name what a write was about, for that error. An empty
        2xx body returns None. `retry=False` makes a single attempt, for a
        request sent from inside another request's attempt, whose own
        retries then cover it.
        """
        send = self._with_retries if retry else self._attempt
        return await send(
            method, path, params, json_body, form, write, authorize, tuple(ids)
        )

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Params,
        json_body: Any,
        form: Mapping[str, str] | None,
        write: bool,
        authorize: bool,
        ids: tuple[str, ...],
    ) -> Any:
        token = await self.auth.access_token() if authorize and self.auth else None
        status, text, headers = await self._send(
            method, path, params, json_body, form, token, write, ids
        )
        if status == 401 and token is not None and self.auth is not None:
            # The API revoked or expired the token early: refresh once and
            # resend once. A 401 means the request was not processed.
            self.auth.invalidate(token)
            token = await self.auth.access_token()
            status, text, headers = await self._send(
                method, path, params, json_body, form, token, write, ids
            )
        if 200 <= status < 300:
            return self._decode(method, path, text)
        error = error_from_status(
            method=method,
            path=path,
            status=status,
            text=text,
            retry_after=headers.get("Retry-After"),
        )
        if write and isinstance(error, ServerError):
            raise AmbiguousWriteError(method=method, path=path, cause=error, ids=ids)
        raise error

    async def _send(
        self,
        method: str,
        path: str,
        params: Params,
        json_body: Any,
        form: Mapping[str, str] | None,
        token: str | None,
        write: bool,
        ids: tuple[str, ...],
    ) -> tuple[int, str, Mapping[str, str]]:
        headers = self._headers
        if token is not None:
            headers = {**headers, "Authorization": f"Bearer {token}"}
        body: Any = form
        stream = _large_json(json_body)
        if stream is not None:
            body, json_body = stream, None
            headers = {**headers, "Content-Type": "application/json"}
        await self.limiter.acquire()
        # Read the slot's start before any other await (see last_start).
        # Sessions built with send_time_trace() report when the headers went
        # out, and the limiter then counts the start from there.
        trace_context = {_MARKER_KEY: _SentMarker.after_acquire(self.limiter)}
        started = time.perf_counter()
        try:
            async with self.session.request(
                method,
                self.base_url + path,
                params=params,
                json=json_body,
                data=body,
                headers=headers,
                allow_redirects=False,
                trace_request_ctx=trace_context,
            ) as response:
                # JSON is UTF-8; a stray byte must not escape as a decode error.
                text = (await response.read()).decode("utf-8", errors="replace")
                status = response.status
                response_headers = response.headers
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as exc:
            # The connection never opened, so nothing was sent: always safe
            # to retry, writes included.
            raise self._transport_error(method, path, exc) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            error = self._transport_error(method, path, exc)
            # aiohttp's response errors carry the request headers, bearer
            # token included, so they are not chained.
            cause = None if isinstance(exc, aiohttp.ClientResponseError) else exc
            if write:
                raise AmbiguousWriteError(
                    method=method, path=path, cause=error, ids=ids
                ) from cause
            raise error from cause
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d in %.1f ms",
                method,
                path,
                status,
                (time.perf_counter() - started) * 1000,
            )
        return status, text, response_headers

    @staticmethod
    def _transport_error(method: str, path: str, exc: BaseException) -> TransportError:
        if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
            return RequestTimeoutError(
                f"{method} {path} timed out ({type(exc).__name__}); raise the "
                "client's timeout or check the network",
                method=method,
                path=path,
            )
        reason = str(exc) or type(exc).__name__
        return TransportError(
            f"{method} {path} failed: {reason}", method=method, path=path
        )

    @staticmethod
    def _decode(method: str, path: str, text: str) -> Any:
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            # A /token body contains tokens, so none of it goes into the error.
            secret = path == TOKEN_PATH
            shown = "" if secret else f": {text[:80]!r}"
            raise ResponseParseError(
                method=method,
                path=path,
                errors=[f"body is not JSON{shown}"],
                text="" if secret else text,
            ) from None

    def _log_retry(self, details: Any) -> None:
        args = details["args"]
        error = details.get("exception")
        logger.warning(
            "Retrying %s %s in %.2f s (attempt %d of %d failed: %s)",
            args[0],
            args[1],
            details["wait"],
            details["tries"],
            self.retry.max_attempts,
            error,
        )
