"""Filters, dates and cursors of GET /orders, parsed without I/O."""

from __future__ import annotations

import base64
import binascii
import calendar
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import attrs
from multidict import MultiMapping

from jumia_async._limits import ORDERS_DATE_RANGE_MONTHS, ORDERS_PAGE_SIZE_MAX

from ._countries import ORDER_FILTER_COUNTRIES
from ._model import ORDER_STATUSES
from ._params import (
    ParamError,
    choice_list_param,
    is_uuid,
    list_param,
    parse_ascii_int,
)

DateField = Literal["created", "updated"]

# (time of the filtered date field, order number) of the last order on a page.
CursorKey = tuple[int, int]

# NOTE: the real default page size is unknown. One third-party description
# of the API gives 10.
DEFAULT_PAGE_SIZE = 10

_DAY = 86_400
# Accepted date filter range, which keeps month arithmetic inside the years
# that datetime supports.
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC).timestamp()
_LATEST = datetime(3000, 1, 1, tzinfo=UTC).timestamp()
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", re.ASCII)
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


@attrs.frozen
class OrderQuery:
    """The normalised filters of one order listing.

    Empty sets match everything. `after` is an inclusive and `before` an
    exclusive bound, in Unix seconds, on the field named by `date_field`.
    Results are sorted by that field, then by order number.
    """

    statuses: frozenset[str]
    countries: frozenset[str]
    shop_ids: frozenset[str]
    date_field: DateField
    after: float | None
    before: float | None
    descending: bool
    size: int


def parse_order_query(
    query: MultiMapping[str], now: float
) -> tuple[OrderQuery, CursorKey | None]:
    """Return the listing that the parameters request and the cursor position.

    A `token` (or `nextToken`) cursor carries the filters of the first page,
    so filters sent with it are ignored. Only `size` may change between
    pages. Raises ParamError for any parameter that the API rejects.
    """
    cursor = query.get("token") or query.get("nextToken")
    if cursor:
        order_query, key = decode_cursor(cursor)
        if "size" in query:
            order_query = attrs.evolve(order_query, size=_parse_size(query["size"]))
        return order_query, key

    date_field, after, before = _parse_date_filters(query, now)
    order_query = OrderQuery(
        statuses=choice_list_param(query, "status", ORDER_STATUSES),
        countries=choice_list_param(query, "country", ORDER_FILTER_COUNTRIES),
        shop_ids=_parse_shop_ids(query),
        date_field=date_field,
        after=after,
        before=before,
        descending=_parse_sort(query),
        size=_parse_size(query["size"]) if "size" in query else DEFAULT_PAGE_SIZE,
    )
    return order_query, None


def _parse_shop_ids(query: MultiMapping[str]) -> frozenset[str]:
    values = list_param(query, "shopId")
    for value in values:
        if not is_uuid(value):
            raise ParamError(f"invalid shopId value [{value}]: expected a UUID")
    return frozenset(values)


def _parse_size(raw: str) -> int:
    size = parse_ascii_int(raw) or 0
    if not 1 <= size <= ORDERS_PAGE_SIZE_MAX:
        raise ParamError(
            f"invalid size value [{raw}]: expected an integer from 1 to "
            f"{ORDERS_PAGE_SIZE_MAX}"
        )
    return size


def _parse_sort(query: MultiMapping[str]) -> bool:
    """Return True for descending order. The default is ascending."""
    # NOTE: the real API's default sort order is unknown.
    raw = query.get("sort", "ASC")
    if raw.upper() not in ("ASC", "DESC"):
        raise ParamError(f"invalid sort value [{raw}]: expected ASC or DESC")
    return raw.upper() == "DESC"


def _parse_date_filters(
    query: MultiMapping[str], now: float
) -> tuple[DateField, float | None, float | None]:
    """Apply the API's date rules and return the field and its bounds.

    Without a date filter only orders created today (UTC) are listed. The
    created and updated filters exclude each other, and a range may span at
    most three calendar months.
    """
    created = (query.get("createdAfter"), query.get("createdBefore"))
    updated = (query.get("updatedAfter"), query.get("updatedBefore"))
    has_created = any(created)
    has_updated = any(updated)
    if has_created and has_updated:
        raise ParamError(
            "createdAfter/createdBefore cannot be combined with "
            "updatedAfter/updatedBefore"
        )
    if not has_created and not has_updated:
        today = now // _DAY * _DAY
        return "created", today, today + _DAY

    date_field: DateField = "created" if has_created else "updated"
    raw_after, raw_before = created if has_created else updated
    after_name, before_name = f"{date_field}After", f"{date_field}Before"
    after = _parse_bound(after_name, raw_after, upper=False) if raw_after else None
    before = _parse_bound(before_name, raw_before, upper=True) if raw_before else None
    if after is not None and before is not None and after >= before:
        raise ParamError(
            f"{after_name} [{raw_after}] must be earlier than {before_name} "
            f"[{raw_before}]"
        )

    if after is not None:
        start = after
    else:
        start = _add_months(
            before if before is not None else now, -ORDERS_DATE_RANGE_MONTHS
        )
    end = before if before is not None else now
    if end > _add_months(start, ORDERS_DATE_RANGE_MONTHS):
        raise ParamError(
            f"date range must not exceed {ORDERS_DATE_RANGE_MONTHS} months "
            f"({after_name} [{raw_after}], {before_name} [{raw_before or 'now'}])"
        )
    return date_field, start, before


def _parse_bound(name: str, value: str, *, upper: bool) -> float:
    """Return a date filter value in Unix seconds.

    Values without an offset are UTC. A bare date as an upper bound means the
    end of that day, so `createdBefore=2025-06-24` includes the 24th.
    """
    try:
        timestamp = _parse_timestamp(value, upper=upper)
    except (ValueError, OverflowError):
        timestamp = None
    if timestamp is None:
        raise ParamError(
            f"invalid {name} value [{value}]: expected YYYY-MM-DD, "
            "YYYY-MM-DD HH:mm:ss or an RFC 3339 date-time"
        )
    if not _EARLIEST <= timestamp <= _LATEST:
        raise ParamError(
            f"invalid {name} value [{value}]: expected a date from 1970 to 2999"
        )
    return timestamp


def _parse_timestamp(value: str, *, upper: bool) -> float | None:
    if _DATE.fullmatch(value):
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        return (day + timedelta(days=1 if upper else 0)).timestamp()
    if _DATETIME.fullmatch(value):
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        return moment.replace(tzinfo=UTC).timestamp()
    if _RFC3339.fullmatch(value):
        return datetime.fromisoformat(value.upper()).timestamp()
    return None


def _add_months(timestamp: float, months: int) -> float:
    """Shift a Unix time by calendar months, clamping the day to the month's end."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    month_index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day).timestamp()


def encode_cursor(order_query: OrderQuery, key: CursorKey) -> str:
    """Return an opaque cursor that continues `order_query` after `key`."""
    payload = {
        "v": 1,
        "status": sorted(order_query.statuses),
        "country": sorted(order_query.countries),
        "shopId": sorted(order_query.shop_ids),
        "field": order_query.date_field,
        "after": order_query.after,
        "before": order_query.before,
        "desc": order_query.descending,
        "size": order_query.size,
        "key": list(key),
    }
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> tuple[OrderQuery, CursorKey]:
    """Return the query and position stored in a cursor from `encode_cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        return _query_from_payload(payload), _key_from_payload(payload)
    except (
        binascii.Error,
        ParamError,
        ValueError,
        TypeError,
        KeyError,
        OverflowError,
        RecursionError,
    ) as exc:
        raise ParamError(f"invalid token value [{cursor}]") from exc


def _query_from_payload(payload: dict[str, Any]) -> OrderQuery:
    if payload["v"] != 1 or payload["field"] not in ("created", "updated"):
        raise ValueError("unsupported cursor")
    return OrderQuery(
        statuses=frozenset(_strings(payload["status"])),
        countries=frozenset(_strings(payload["country"])),
        shop_ids=frozenset(_strings(payload["shopId"])),
        date_field=payload["field"],
        after=_optional_number(payload["after"]),
        before=_optional_number(payload["before"]),
        descending=bool(payload["desc"]),
        size=_parse_size(str(payload["size"])),
    )


def _key_from_payload(payload: dict[str, Any]) -> CursorKey:
    moment, number = payload["key"]
    if not isinstance(moment, int) or not isinstance(number, int):
        raise TypeError("cursor key must contain two integers")
    return moment, number


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("expected a list of strings")
    return value


def _optional_number(value: Any) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float):
        raise TypeError("expected a number")
    return float(value)
