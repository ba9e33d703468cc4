"""Reading JSON request bodies of the product-side routes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ._params import ParamError


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """Return the request's JSON object, or raise ParamError for a 400."""
    try:
        body = await request.json()
    except ValueError as exc:
        raise ParamError("invalid JSON in the request body") from exc
    if not isinstance(body, dict):
        raise ParamError("request body must be a JSON object")
    return body
