"""Reading JSON request bodies, shared by every route that takes one."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ._params import ParamError

# NOTE: the live API's nesting limit is unknown. Real payloads nest about
# five levels. Messages that echo a field value format it recursively, so a
# much deeper value could exhaust Python's recursion limit.
MAX_NESTING_DEPTH = 64


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """Return the request's JSON object, or raise ParamError for a 400.

    The body is decoded with the Content-Type's charset, UTF-8 by default.
    Undecodable bytes, an unknown charset, malformed JSON and nesting deeper
    than MAX_NESTING_DEPTH all raise ParamError.
    """
    raw = await request.read()
    charset = request.charset or "utf-8"
    try:
        text = raw.decode(charset)
    except LookupError as exc:
        raise ParamError(f"unsupported charset [{charset}] in Content-Type") from exc
    except UnicodeDecodeError as exc:
        raise ParamError(f"request body is not valid {charset} text") from exc
    try:
        body = json.loads(text)
    except RecursionError as exc:
        raise ParamError(_too_deep_message()) from exc
    except ValueError as exc:
        raise ParamError("invalid JSON in the request body") from exc
    if _nested_deeper_than(body, MAX_NESTING_DEPTH):
        raise ParamError(_too_deep_message())
    if not isinstance(body, dict):
        raise ParamError("request body must be a JSON object")
    return body


def _too_deep_message() -> str:
    return (
        "invalid JSON in the request body: arrays and objects nest deeper than "
        f"{MAX_NESTING_DEPTH} levels"
    )


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """Check without recursion whether arrays and objects nest deeper than `limit`."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend(
            (child, depth + 1) for child in children if isinstance(child, dict | list)
        )
    return False
