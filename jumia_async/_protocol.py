"""Pure request and response rules: argument checks, queries, error mapping.

Nothing here does I/O, so each rule is testable without a server.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from ._errors import (
    APIStatusError,
    AuthenticationError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from ._limits import ORDERS_DATE_RANGE_MONTHS

__all__ = [
    "add_months",
    "chunked",
    "error_from_status",
    "error_message",
    "format_query_datetime",
    "parse_retry_after",
    "require_aware",
    "require_ids",
]

T = TypeVar("T")

Query = list[tuple[str, str]]


def require_ids(name: str, ids: Iterable[str] | str) -> list[str]:
    """Check a list of ids and return it without duplicates, in order.

    Raises ValueError on an empty list or a blank id, and TypeError when a
    single string is passed where a list is expected.
    """
    if isinstance(ids, str):
        raise TypeError(
            f"{name} must be a list of ids, got the string {ids!r}; "
            f"wrap it in a list: [{ids!r}]"
        )
    unique: dict[str, None] = {}
    for position, value in enumerate(ids):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(
                f"{name}[{position}] is {value!r}; every id must be a non-empty string"
            )
        unique[value.strip()] = None
    if not unique:
        raise ValueError(f"{name} is empty; pass at least one id")
    return list(unique)


def chunked(values: Sequence[T], size: int) -> Iterator[list[T]]:
    """Yield consecutive slices of at most `size` values."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def require_aware(name: str, value: datetime | date) -> datetime:
    """Return `value` as an aware UTC datetime, or raise on a naive one.

    A date means midnight UTC of that day.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"{name}={value.isoformat()} has no time zone; pass an aware "
                f"datetime such as {value.replace(tzinfo=UTC).isoformat()}"
            )
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise TypeError(f"{name} must be a datetime or a date, got {value!r}")


def format_query_datetime(value: datetime) -> str:
    """Format an aware datetime as the `/orders` filters expect, in UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def add_months(value: datetime, months: int) -> datetime:
    """Add calendar months, clamping the day to the target month's length."""
    month_index = value.month - 1 + months
    year = value.year + month_index // 12
    month = month_index % 12 + 1
    next_month = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=value.tzinfo)
    last_day = (next_month - timedelta(days=1)).day
    return value.replace(year=year, month=month, day=min(value.day, last_day))


def check_date_range(
    after_name: str,
    after: datetime | None,
    before_name: str,
    before: datetime | None,
) -> None:
    """Raise ValueError when a date range is reversed or longer than allowed."""
    if after is None or before is None:
        return
    if before < after:
        raise ValueError(
            f"{before_name}={before.isoformat()} is earlier than "
            f"{after_name}={after.isoformat()}; swap them"
        )
    if before > add_months(after, ORDERS_DATE_RANGE_MONTHS):
        raise ValueError(
            f"{after_name}={after.isoformat()} to {before_name}={before.isoformat()} "
            f"spans more than {ORDERS_DATE_RANGE_MONTHS} months, which the API "
            "rejects; split the range into windows of at most 3 months"
        )


def error_message(body: Any, text: str) -> str:
    """Pick the readable message out of any of the API's error body shapes.

    Shapes: `{code, message}` (catalog), `{timestamp, status, error, path}`
    (shops, feeds), `{message, status}` (orders, payments) and
    `{error, error_description}` (token).
    """
    if isinstance(body, dict):
        for key in ("error_description", "message", "error", "detail", "title"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    snippet = " ".join(text.split())[:200]
    return snippet or "no error body"


def decode_body(text: str) -> Any:
    """Decode a JSON body, or return None when it is not JSON."""
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def parse_retry_after(
    value: str | None, *, now: datetime | None = None
) -> float | None:
    """Read a `Retry-After` header (seconds or an HTTP date) as seconds."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        current = now or datetime.now(UTC)
        seconds = (moment - current).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def error_from_status(
    *,
    method: str,
    path: str,
    status: int,
    text: str,
    retry_after: str | None = None,
) -> APIStatusError:
    """Build the exception for a non-2xx response."""
    body = decode_body(text)
    message = error_message(body, text)
    kwargs: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "body": body,
        "text": text,
    }
    if status == 401:
        return AuthenticationError(message, **kwargs)
    if status == 403:
        return ForbiddenError(
            f"{message} (the application may lack the role this call needs, "
            "such as 'VC - Order Manager')",
            **kwargs,
        )
    if status == 404:
        return NotFoundError(message, **kwargs)
    if status == 429:
        return RateLimitedError(
            message, retry_after=parse_retry_after(retry_after), **kwargs
        )
    if status in (400, 409, 413, 422):
        return ValidationError(message, **kwargs)
    if status >= 500:
        return ServerError(message, **kwargs)
    return APIStatusError(message, **kwargs)
