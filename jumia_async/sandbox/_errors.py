"""Error responses in the body shape of each Vendor Center sub-service."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Literal

from aiohttp import web

from ._keys import STATE_KEY

logger = logging.getLogger(__name__)

# "oauth":   {"error", "error_description"}       (/token)
# "spring":  {"timestamp", "status", "error", "message", "path"}  (shops, feeds)
# "message": {"message", "status"}                (orders and fulfilment)
# "code":    {"code", "message"}                  (catalog, consignment)
ErrorStyle = Literal["oauth", "spring", "message", "code"]

# The longest matching prefix decides. Paths that match none use "message".
_STYLE_BY_PREFIX: tuple[tuple[str, ErrorStyle], ...] = (
    ("/token", "oauth"),
    ("/shops", "spring"),
    ("/feeds", "spring"),
    ("/catalog", "code"),
    ("/consignment", "code"),
)

# The 429 body is the same on every route.
TOO_MANY_REQUESTS_BODY = {"message": "Too Many Requests", "status": 429}


def status_phrase(status: int) -> str:
    """Return the standard reason phrase of an HTTP status, or "Error"."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_style(path: str) -> ErrorStyle:
    """Return the error body shape of the sub-service that serves `path`."""
    best: tuple[int, ErrorStyle] = (0, "message")
    for prefix, style in _STYLE_BY_PREFIX:
        if path.startswith(prefix) and len(prefix) > best[0]:
            best = (len(prefix), style)
    return best[1]


def error_body(
    style: ErrorStyle, status: int, message: str, *, path: str, now: float
) -> dict[str, Any]:
    """Return the JSON body of an error in the given style."""
    if style == "oauth":
        error = "invalid_request" if status < 500 else "server_error"
        return {"error": error, "error_description": message}
    if style == "spring":
        timestamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")
        return {
            "timestamp": timestamp,
            "status": status,
            "error": status_phrase(status),
            # NOTE: whether the live feeds service fills `message` is not
            # known; the sandbox sends it so that callers see the reason.
            "message": message,
            "path": path,
        }
    if style == "code":
        return {"code": status, "message": message}
    return {"message": message, "status": status}


def error_response(
    request: web.Request,
    status: int,
    message: str,
    *,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """Return an error response shaped for the sub-service of the request's path."""
    logger.debug("%s %s -> %d: %s", request.method, request.path, status, message)
    now = request.app[STATE_KEY].clock.time()
    style = error_style(request.path)
    body = error_body(style, status, message, path=request.path, now=now)
    return web.json_response(body, status=status, headers=headers)


def oauth_error_response(error: str, description: str) -> web.Response:
    """Return a 400 response from the token endpoint, such as invalid_grant."""
    return web.json_response(
        {"error": error, "error_description": description},
        status=400,
        headers={"Cache-Control": "no-store"},
    )
