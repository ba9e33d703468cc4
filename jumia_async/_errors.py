"""The exception tree: every error the client raises derives from JumiaError.

JumiaError
├── TransportError                 the request did not complete (connect, reset)
│   └── RequestTimeoutError        no response within the configured timeout
├── AmbiguousWriteError            a write was sent, the outcome is unknown
├── BatchWriteError                some batches of a split write failed
├── APIStatusError                 the API returned an error status
│   ├── AuthenticationError        401, or a rejected refresh token
│   │   └── RefreshTokenRejectedError
│   ├── ForbiddenError             403
│   ├── NotFoundError              404
│   ├── ValidationError            400 and 422
│   ├── RateLimitedError           429
│   └── ServerError                5xx
├── ResponseParseError             a 2xx body that does not fit the model
├── PaginationError                the API repeated a cursor
├── MissingCredentialsError        no refresh token was given or stored
├── TokenStoreError                a rotated refresh token could not be saved
├── ProductLookupError             a seller SKU or id matches no single variation
│   └── ProductSetIdError          a product-set id was given for a variation id
└── FeedError                      a feed failed or did not finish in time
    ├── FeedFailedError
    └── FeedTimeoutError
        └── FeedBatchTimeoutError  some of several feeds did not finish in time

Messages name the request (method and path, never the query's values of
secrets, since no secret travels in a query) and never contain a token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "APIStatusError",
    "AmbiguousWriteError",
    "AuthenticationError",
    "BatchWriteError",
    "FeedBatchTimeoutError",
    "FeedError",
    "FeedFailedError",
    "FeedTimeoutError",
    "ForbiddenError",
    "JumiaError",
    "MissingCredentialsError",
    "NotFoundError",
    "PaginationError",
    "ProductLookupError",
    "ProductSetIdError",
    "RateLimitedError",
    "RefreshTokenRejectedError",
    "RequestTimeoutError",
    "ResponseParseError",
    "ServerError",
    "TokenStoreError",
    "TransportError",
    "ValidationError",
]


class JumiaError(Exception):
    """Base class of every error raised by jumia_async."""


class TransportError(JumiaError):
    """The request failed below HTTP: connection refused, reset or closed."""

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(message)
        self.method = method
        self.path = path


class RequestTimeoutError(TransportError):
    """No complete response arrived within the configured timeout."""


class AmbiguousWriteError(JumiaError):
    """A state-changing request was sent but its outcome is unknown.

    The API may or may not have applied it, so the client does not send it
    again. Read the state back (for example the order items) before retrying.
    """

    def __init__(
        self,
        *,
        method: str,
        path: str,
        cause: JumiaError,
        ids: Sequence[str] = (),
    ) -> None:
        what = f"{method} {path}"
        if ids:
            what += f" for {len(ids)} id(s) starting with {ids[0]!r}"
        super().__init__(
            f"{what} failed after the request was sent ({cause}); the API may "
            "have applied it, so it was not resent. Read the state back before "
            "sending it again."
        )
        self.method = method
        self.path = path
        self.cause = cause
        self.ids = tuple(ids)


class APIStatusError(JumiaError):
    """The API returned a status that is not 2xx.

    `body` is the decoded JSON error body (one of the API's several shapes)
    or None, `text` the raw body, and `message` the human-readable part.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        text: str = "",
    ) -> None:
        super().__init__(f"{method} {path} returned HTTP {status}: {message}")
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.body = body
        self.text = text


class AuthenticationError(APIStatusError):
    """The access token was refused (401) even after a refresh."""


class RefreshTokenRejectedError(AuthenticationError):
    """The refresh token is expired, already used, or its application is gone.

    Nothing the client can do fixes this: generate a new token in Vendor
    Center (Settings, then Applications) and pass it as `refresh_token`.
    """


class ForbiddenError(APIStatusError):
    """The application lacks a role for this call (403)."""


class NotFoundError(APIStatusError):
    """The route or resource does not exist (404)."""


class ValidationError(APIStatusError):
    """The API rejected the request's parameters or body (400 or 422)."""


class RateLimitedError(APIStatusError):
    """The Mastershop's rate limit was exceeded (429).

    `retry_after` is the number of seconds from a `Retry-After` header, or None when
    the API sent none.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        text: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message, method=method, path=path, status=status, body=body, text=text
        )
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """The API failed on its side (5xx)."""


class ResponseParseError(JumiaError):
    """A successful response could not be read into the expected model.

    `errors` lists one message per failing field, each ending in its path
    (for example `@ $.orders[3].createdAt`).
    """

    def __init__(
        self, *, method: str, path: str, errors: Sequence[str], text: str = ""
    ) -> None:
        shown = "; ".join(errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"{method} {path}: unexpected response: {shown}{more}")
        self.method = method
        self.path = path
        self.errors = tuple(errors)
        self.text = text


class PaginationError(JumiaError):
    """The API returned a cursor it had already returned, which would loop."""


class MissingCredentialsError(JumiaError):
    """No refresh token is available: none was passed and the store has none."""


class TokenStoreError(JumiaError):
    """A refreshed token pair could not be persisted, so it was not used."""


class FeedError(JumiaError):
    """Base class of feed outcome errors."""

    def __init__(self, message: str, *, feed_id: str) -> None:
        super().__init__(message)
        self.feed_id = feed_id


class FeedFailedError(FeedError):
    """The feed ended in status FAILED."""


class FeedTimeoutError(FeedError):
    """The feed did not reach COMPLETED or FAILED before the deadline."""


class FeedBatchTimeoutError(FeedTimeoutError):
    """Some of several feeds did not finish before the shared deadline.

    `feed_id` is the first unfinished feed. `pending` maps every unfinished
    feed id to the last status read (None if no read succeeded), and
    `finished` maps the feeds that did finish to their FeedResult.
    """

    def __init__(
        self,
        message: str,
        *,
        pending: Mapping[str, str | None],
        finished: Mapping[str, Any],
    ) -> None:
        super().__init__(message, feed_id=next(iter(pending), ""))
        self.pending = dict(pending)
        self.finished = dict(finished)


class ProductLookupError(JumiaError):
    """A seller SKU or id could not be matched to exactly one variation.

    `seller_skus` and `ids` name the values that failed.
    """

    def __init__(
        self,
        message: str,
        *,
        seller_skus: Sequence[str] = (),
        ids: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.seller_skus = tuple(seller_skus)
        self.ids = tuple(ids)


class ProductSetIdError(ProductLookupError):
    """Product-set ids were given where feeds need variation ids.

    `variation_ids` maps each product-set id that was passed to the ids of
    its variations (`ProductSet.variations[].id`), which are the ones to use.
    """

    def __init__(
        self, message: str, *, variation_ids: Mapping[str, Sequence[str]]
    ) -> None:
        super().__init__(message, ids=list(variation_ids))
        self.variation_ids = {key: tuple(value) for key, value in variation_ids.items()}


class BatchWriteError(JumiaError):
    """Some batches of a split write failed while others succeeded.

    `result` merges what the successful batches returned; `failures` lists
    each failed batch's ids with its error. An AmbiguousWriteError among them
    means that batch may have been applied: read the state back.
    """

    def __init__(
        self,
        message: str,
        *,
        result: object,
        failures: Sequence[tuple[tuple[str, ...], JumiaError]],
    ) -> None:
        super().__init__(message)
        self.result = result
        self.failures = tuple(failures)
