"""Parsing of query parameters shared by the sandbox's routes."""

from __future__ import annotations

import re
from collections.abc import Mapping

from multidict import MultiMapping

_UUID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# Written out as [0-9] because `\d`, `str.isdigit()` and `int()` also take
# digits of other scripts, and `isdigit()` even takes superscripts like "²".
_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")


class ParamError(Exception):
    """A request parameter or body that the API rejects with 400."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def list_param(query: MultiMapping[str], name: str) -> list[str]:
    """Return the values of `name`, from repeated keys and comma lists alike.

    Values keep their first-seen order. Blank entries and duplicates are
    dropped.
    """
    values: dict[str, None] = {}
    for raw in query.getall(name, ()):
        for part in raw.split(","):
            value = part.strip()
            if value:
                values[value] = None
    return list(values)


def choice_list_param(
    query: MultiMapping[str], name: str, allowed: frozenset[str]
) -> frozenset[str]:
    """Return the values of `name`, rejecting any value outside `allowed`."""
    values = list_param(query, name)
    for value in values:
        if value not in allowed:
            raise ParamError(
                f"invalid {name} value [{value}]: expected one of "
                f"{', '.join(sorted(allowed))}"
            )
    return frozenset(values)


def uuid_list_param(
    query: MultiMapping[str], name: str, *, required: bool, limit: int | None = None
) -> list[str]:
    """Return the UUID values of `name`, rejecting malformed ids and long lists."""
    values = list_param(query, name)
    if required and not values:
        raise ParamError(f"missing required parameter [{name}]")
    for value in values:
        if not is_uuid(value):
            raise ParamError(f"invalid {name} value [{value}]: expected a UUID")
    if limit is not None and len(values) > limit:
        raise ParamError(
            f"too many {name} values: {len(values)} given, at most {limit} allowed"
        )
    return values


def parse_ascii_int(text: str) -> int | None:
    """Return the value of 1 to 18 ASCII digits, ignoring outer whitespace, or None.

    Signs, underscores and longer digit strings return None, so a huge
    value never reaches `int()`, which rejects more than 4300 digits.
    """
    digits = text.strip()
    if _ASCII_DIGITS.fullmatch(digits) is None:
        return None
    return int(digits)


def is_uuid(value: str) -> bool:
    return _UUID.fullmatch(value) is not None


def string_list_field(body: Mapping[str, object], name: str) -> list[str]:
    """Return the non-empty list of strings in body field `name`, deduplicated."""
    value = body.get(name)
    if not isinstance(value, list) or not value:
        raise ParamError(f"field [{name}] must be a non-empty list of ids")
    if not all(isinstance(entry, str) and entry for entry in value):
        raise ParamError(f"field [{name}] must contain only non-empty strings")
    return list(dict.fromkeys(entry for entry in value if isinstance(entry, str)))
