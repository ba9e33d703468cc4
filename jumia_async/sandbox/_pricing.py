"""Prices and sale prices in feed payloads: parsing, platform rules, conversion."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import attrs

from ._countries import COUNTRIES

_DAY = timedelta(days=1)

# Local currency per US dollar, from the sandbox's countries.
RATES: dict[str, float] = {"USD": 1.0}
for _country in COUNTRIES:
    RATES.setdefault(_country.currency, _country.exchange_rate)

# Jumia has rejected Ghana prices under 8.81 GHS as below the platform
# minimum. The sandbox converts that figure with its own exchange rates.
# NOTE: the real minimums of other countries are unknown.
_MINIMUM_GHS = 8.81

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?", re.ASCII)
_OFFSET = re.compile(r".*([Zz]|[+-]\d{2}:\d{2})", re.ASCII)


def minimum_price(currency: str) -> float:
    """Return the platform's lowest accepted price in `currency`."""
    return round(_MINIMUM_GHS / RATES["GHS"] * RATES[currency], 2)


def convert(value: float, source: str, target: str) -> float:
    """Convert an amount between two known currencies, rounded to cents."""
    return round(value / RATES[source] * RATES[target], 2)


def format_amount(value: Any) -> str:
    """Format a number as the API's messages print it: 3, 8.81, 150.5."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@attrs.frozen
class SalePrice:
    """A sale price with its period, in Unix seconds (start inclusive)."""

    value: float
    start_at: float
    end_at: float


@attrs.frozen
class Price:
    currency: str
    value: float
    sale: SalePrice | None = None


# The sale price change that a payload requests: keep it, end it or set it.
SaleChange = Literal["keep", "clear"] | SalePrice


@attrs.frozen
class PriceChange:
    """A parsed `price` object, before it is applied."""

    currency: str
    value: float
    sale: SaleChange


def _amount(value: Any) -> float | None:
    """Return a positive amount with at most two decimals, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        amount = float(value)
    except OverflowError:
        return None
    if not math.isfinite(amount) or amount <= 0:
        return None
    if abs(round(amount, 2) - amount) >= 1e-9:
        return None
    return amount


def parse_price(
    raw: Any,
    *,
    field: str,
    allowed_currencies: tuple[str, ...],
    now: float,
    label: str = "Global Price",
) -> tuple[PriceChange | None, list[str]]:
    """Parse a `price` object and return it with the messages of every rule broken.

    `field` is the object's path in messages, such as "Product.Price".
    `allowed_currencies` starts with the shop's default currency.
    """
    if not isinstance(raw, dict) or raw.get("value") is None:
        return None, [f"The {label} is mandatory."]
    messages: list[str] = []
    currency = raw.get("currency")
    value = _amount(raw.get("value"))
    if not isinstance(currency, str) or not currency.strip():
        messages.append(f"Required field [{field}.Currency] is missing or null.")
        currency = allowed_currencies[0]
    currency = currency.strip().upper()
    if currency not in allowed_currencies:
        messages.append(
            f"Submitted currency [{currency}] is different from the shop default "
            f"currency [{allowed_currencies[0]}]."
        )
        currency = allowed_currencies[0]
    if value is None:
        value_text = raw.get("value")
        messages.append(f"Attribute [{field}.Value] with invalid value [{value_text}].")
        return None, messages

    floor = minimum_price(currency)
    if value < floor:
        messages.append(
            f"The {label} [{format_amount(value)}] {currency} must be equal or more "
            f"than [{format_amount(floor)}] {currency}."
        )
    sale, sale_messages = parse_sale_price(
        raw, field=f"{field}.SalePrice", price=value, now=now
    )
    messages.extend(sale_messages)
    if messages:
        return None, messages
    return PriceChange(currency, value, sale), []


def parse_sale_price(
    price_object: dict[str, Any], *, field: str, price: float, now: float
) -> tuple[SaleChange, list[str]]:
    """Read the `salePrice` of a price object, checked against `price`.

    A missing or null `salePrice` keeps the current sale. One whose value and
    dates are all null ends it. Otherwise it needs a value below `price` and
    a period that ends in the future.
    """
    raw = price_object.get("salePrice")
    if raw is None:
        return "keep", []
    if not isinstance(raw, dict):
        return "keep", [f"Attribute [{field}] with invalid value [{raw}]."]
    raw_value = raw.get("value")
    value = _amount(raw_value)
    start_raw = raw.get("startAt")
    end_raw = raw.get("endAt")
    if raw_value is None and start_raw is None and end_raw is None:
        return "clear", []

    messages: list[str] = []
    if value is None:
        value_text = "null" if raw_value is None else raw_value
        messages.append(f"Attribute [{field}.Value] with invalid value [{value_text}].")
    elif value >= price:
        messages.append(
            f"Attribute [{field}.Value] with invalid value [{format_amount(value)}]."
        )
    start = _parse_moment(start_raw, end_of_day=False)
    end = _parse_moment(end_raw, end_of_day=True)
    if start is None:
        start_text = "null" if start_raw is None else start_raw
        messages.append(
            f"Attribute [{field}.StartAt] with invalid value [{start_text}]."
        )
    if end is None or end <= now or (start is not None and end <= start):
        end_text = "null" if end_raw is None else end_raw
        messages.append(f"Attribute [{field}.EndAt] with invalid value [{end_text}].")
    if messages or start is None or end is None or value is None:
        return "keep", messages
    return SalePrice(value, start, end), []


def _parse_moment(raw: Any, *, end_of_day: bool) -> float | None:
    """Read a sale date: `YYYY-MM-DD HH:mm`, `YYYY-MM-DD` or a date-time.

    Times without an offset are UTC. A bare end date means the end of that day.
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    try:
        if _DATE.fullmatch(text):
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            return (day + _DAY).timestamp() - 1 if end_of_day else day.timestamp()
        if _DATE_TIME.fullmatch(text):
            moment = datetime.fromisoformat(text.replace(" ", "T"))
            return moment.replace(tzinfo=UTC).timestamp()
        if _OFFSET.fullmatch(text):
            return datetime.fromisoformat(text.upper()).timestamp()
    except ValueError:
        return None
    return None
