"""Models shared by the order and product APIs."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import attrs

from .._converter import JSON_ALIASES, JSON_NAME

__all__ = ["Country", "CursorPage", "Money", "json_field", "normalize_status"]


def json_field(
    name: str | None = None,
    *,
    aliases: tuple[str, ...] = (),
    default: Any = attrs.NOTHING,
    factory: Any = None,
    converter: Any = None,
) -> Any:
    """Declare an attrs field whose wire name or spellings differ.

    `name` is the wire name when it is not the camelCase of the Python name;
    `aliases` are other spellings the API has been seen to use.
    """
    metadata: dict[str, Any] = {}
    if name is not None:
        metadata[JSON_NAME] = name
    if aliases:
        metadata[JSON_ALIASES] = aliases
    if factory is not None:
        return attrs.field(factory=factory, metadata=metadata, converter=converter)
    return attrs.field(default=default, metadata=metadata, converter=converter)


def normalize_status(value: str | None) -> str | None:
    """Normalize a status value to the API's UPPER_SNAKE form.

    Some replies carry readable forms such as `Ready To Ship`; this turns them
    into `READY_TO_SHIP` so that they compare equal to the enum values.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return text
    return "_".join(text.replace("-", " ").split()).upper()


@attrs.frozen(kw_only=True)
class Money:
    """An amount in one currency (ISO 4217 code)."""

    currency: str | None = None
    value: float | None = None


@attrs.frozen(kw_only=True)
class Country:
    """A country as orders and items carry it; `name` may be hyphenated."""

    code: str
    name: str | None = None
    currency_code: str | None = None


class QcStatus(StrEnum):
    """Quality-control status of a product in one business client."""

    NOT_READY_TO_QC = "NOT_READY_TO_QC"
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@attrs.frozen(kw_only=True)
class CursorPage:
    """Base of pages read by cursor: the cursor of the next page and the end flag."""

    next_token: str | None = None
    is_last_page: bool | None = None

    @property
    def has_next(self) -> bool:
        """Whether another page follows."""
        return not self.is_last_page and bool(self.next_token)
