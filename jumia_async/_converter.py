"""The cattrs rules that turn API JSON into the attrs models and back.

Field names are snake_case in Python and camelCase on the wire. A field whose
wire name is not the camelCase of its Python name carries it in its metadata
(`json_name`), and a field the API spells several ways lists the other
spellings (`json_aliases`); the first spelling present in a payload wins.

Reads go through a converter without detailed validation, which is several
times faster. When it fails, the payload is converted again with detailed
validation to collect every failing field path for the error message.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._errors import ResponseParseError

__all__ = ["JSON_ALIASES", "JSON_NAME", "structure", "to_camel", "unstructure"]

T = TypeVar("T")

JSON_NAME = "json_name"
JSON_ALIASES = "json_aliases"

_TRUE_STRINGS = frozenset({"true", "1", "yes"})
_FALSE_STRINGS = frozenset({"false", "0", "no", ""})
# Length of the API's usual timestamp form, `2025-06-24T09:14:16Z`.
_UTC_TIMESTAMP_LENGTH = 20
_SPACE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$")


def to_camel(name: str) -> str:
    """Convert a snake_case name to camelCase (`seller_sku` -> `sellerSku`)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _wire_name(field: attrs.Attribute[Any]) -> str:
    name = field.metadata.get(JSON_NAME)
    return name if isinstance(name, str) else to_camel(field.name)


def parse_datetime(value: Any, _: Any = None) -> datetime:
    """Read an API timestamp as an aware UTC datetime.

    Accepts RFC 3339 (`2025-06-24T09:14:16Z`, with or without fraction or
    offset), `YYYY-MM-DD HH:MM[:SS]` and `YYYY-MM-DD`, which the API's
    services use in different places. Values without an offset are UTC.
    """
    if (
        value.__class__ is str
        and len(value) == _UTC_TIMESTAMP_LENGTH
        and value[10] == "T"
        and value[19] == "Z"
    ):
        # Fast path for the API's usual form, which fromisoformat reads as is
        # since Python 3.11. Anything it rejects takes the general path below.
        try:
            return datetime.fromisoformat(value).astimezone(UTC)
        except ValueError:
            pass
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        if _SPACE_DATETIME.match(text):
            text = text.replace(" ", "T")
        parsed = datetime.fromisoformat(text)
    else:
        raise TypeError(f"expected a date-time string, got {value!r}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_date(value: Any, _: Any) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value.strip()[:10])
    raise TypeError(f"expected a date string, got {value!r}")


def _parse_bool(value: Any, _: Any) -> bool:
    """Read a boolean strictly: `bool("false")` would be True."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE_STRINGS:
            return True
        if lowered in _FALSE_STRINGS:
            return False
    raise TypeError(f"expected a boolean, got {value!r}")


def _parse_str(value: Any, _: Any) -> str:
    """Read text, accepting numbers: the API sends codes as either."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected a string, got {value!r}")


def _parse_float(value: Any, _: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _with_aliases(
    hook: Callable[[Any, Any], T], aliases: Mapping[str, tuple[str, ...]]
) -> Callable[[Any, Any], T]:
    """Wrap a structure hook so that alternative spellings fill a field."""

    def structure_with_aliases(value: Any, cls: Any) -> T:
        if isinstance(value, Mapping):
            missing = {
                name: spellings
                for name, spellings in aliases.items()
                if name not in value
            }
            if missing:
                value = dict(value)
                for name, spellings in missing.items():
                    for spelling in spellings:
                        if spelling in value:
                            value[name] = value[spelling]
                            break
        return hook(value, cls)

    return structure_with_aliases


def _is_optional(type_: Any) -> bool:
    """Return whether `type_` is `X | None` for a single type X."""
    if get_origin(type_) not in (Union, types.UnionType):
        return False
    args = get_args(type_)
    return len(args) == 2 and type(None) in args


# Types whose structure hook returns a value of exactly that type unchanged,
# so an optional field of one of them can return such a value without a call.
_RETURNED_UNCHANGED = (str, float, bool, int)


def _optional_factory(
    converter: cattrs.Converter,
) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """Build hooks for `X | None` that look up the hook of X once, not per value.

    cattrs's own optional hook looks up the hook of X for every value, which
    was the largest single cost of converting a page of orders in a cProfile
    run of benchmarks/overhead.py. Here the hook of X is looked up at the
    first value rather than when the factory runs, so that a model that
    refers to itself cannot recurse.
    """

    def factory(union: Any) -> Callable[[Any, Any], Any]:
        first, second = get_args(union)
        inner_type = second if first is type(None) else first
        inner_hook: Callable[[Any, Any], Any] | None = None

        def structure_optional(value: Any, _: Any) -> Any:
            nonlocal inner_hook
            if value is None:
                return None
            if inner_hook is None:
                inner_hook = converter.get_structure_hook(inner_type)
            return inner_hook(value, inner_type)

        def structure_optional_scalar(value: Any, _: Any) -> Any:
            # The hooks of these types return a value of exactly the type as
            # it is, and only convert other values.
            if value is None or value.__class__ is inner_type:
                return value
            return structure_optional(value, _)

        if inner_type in _RETURNED_UNCHANGED:
            return structure_optional_scalar
        return structure_optional

    return factory


def _make_converter(*, detailed: bool) -> cattrs.Converter:
    converter = cattrs.Converter(
        detailed_validation=detailed,
        forbid_extra_keys=False,
        # A field with an attrs converter receives the raw value, so the
        # converter can read every form the API sends (one id or a list).
        prefer_attrib_converters=True,
    )
    converter.register_structure_hook(datetime, parse_datetime)
    converter.register_structure_hook(date, _parse_date)
    converter.register_structure_hook(bool, _parse_bool)
    converter.register_structure_hook(str, _parse_str)
    converter.register_structure_hook(float, _parse_float)
    converter.register_structure_hook_factory(
        _is_optional, _optional_factory(converter)
    )
    converter.register_unstructure_hook(datetime, lambda value: value.isoformat())
    converter.register_unstructure_hook(date, lambda value: value.isoformat())

    def structure_factory(cls: type[Any]) -> Callable[[Any, Any], Any]:
        fields = attrs.fields(cls)
        renames: dict[str, Any] = {
            field.name: override(rename=_wire_name(field)) for field in fields
        }
        hook = make_dict_structure_fn(cls, converter, **renames)
        aliases = {
            _wire_name(field): tuple(field.metadata[JSON_ALIASES])
            for field in fields
            if field.metadata.get(JSON_ALIASES)
        }
        return _with_aliases(hook, aliases) if aliases else hook

    def unstructure_factory(cls: type[Any]) -> Callable[[Any], Any]:
        renames: dict[str, Any] = {
            field.name: override(rename=_wire_name(field))
            for field in attrs.fields(cls)
        }
        return make_dict_unstructure_fn(cls, converter, **renames)

    converter.register_structure_hook_factory(attrs.has, structure_factory)
    converter.register_unstructure_hook_factory(attrs.has, unstructure_factory)
    return converter


_fast = _make_converter(detailed=False)
_detailed = _make_converter(detailed=True)


def structure(payload: Any, cls: type[T], *, method: str, path: str) -> T:
    """Convert a decoded JSON payload to `cls`, or raise ResponseParseError.

    The error lists every field that failed, each with its JSON path.
    """
    if attrs.has(cls) and not isinstance(payload, Mapping):
        # cattrs would read a string or a list as an object with no fields.
        raise ResponseParseError(
            method=method,
            path=path,
            errors=[f"expected a JSON object, got {type(payload).__name__} @ $"],
        )
    try:
        return _fast.structure(payload, cls)
    except Exception:  # Any failure is converted again below to find its paths.
        pass
    try:
        result = _detailed.structure(payload, cls)
    except Exception as exc:
        raise ResponseParseError(
            method=method, path=path, errors=cattrs.transform_error(exc)
        ) from exc
    return result


def unstructure(value: Any) -> Any:
    """Convert an attrs model (or a list of them) to JSON-ready data."""
    return _fast.unstructure(value)
