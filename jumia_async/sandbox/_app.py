"""The aiohttp application: route tables per API area and the request gateway."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from . import _auth, _catalog, _consignment, _feeds, _fulfilment, _orders, _shops
from ._errors import TOO_MANY_REQUESTS_BODY, error_response, status_phrase
from ._keys import STATE_KEY
from ._ratelimit import retry_after_seconds
from ._state import Account, SandboxState

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# One route table per API area.
ROUTE_TABLES: tuple[web.RouteTableDef, ...] = (
    _auth.routes,
    _shops.routes,
    _orders.routes,
    _fulfilment.routes,
    _catalog.routes,
    _feeds.routes,
    _consignment.routes,
)


# A feed may carry 1000 products with long descriptions, well past aiohttp's
# default request body limit of 1 MiB.
MAX_REQUEST_BODY_BYTES = 32 * 1024 * 1024


def create_app(state: SandboxState) -> web.Application:
    """Return an application that serves `state`."""
    app = web.Application(
        middlewares=[_gateway], client_max_size=MAX_REQUEST_BODY_BYTES
    )
    app[STATE_KEY] = state
    for table in ROUTE_TABLES:
        app.add_routes(table)
    return app


@web.middleware
async def _gateway(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply, in order: routing, authentication, the rate limit and injected faults.

    Unknown routes get an empty 404 (or 405) before authentication, so they
    are not counted. Every other route except /token needs a valid bearer
    token. A /token request counts against the Mastershop that its client_id
    names.
    """
    routing_error = request.match_info.http_exception
    if routing_error is not None:
        headers = {}
        if "Allow" in routing_error.headers:
            headers["Allow"] = routing_error.headers["Allow"]
        return web.Response(status=routing_error.status, headers=headers)

    state = request.app[STATE_KEY]
    if request.path == _auth.TOKEN_PATH:
        account = await _auth.token_client_account(request)
    else:
        account = _auth.bearer_account(request)
        if account is None:
            return error_response(
                request,
                401,
                "Unauthorized: missing, invalid or expired access token",
                headers={"WWW-Authenticate": "Bearer"},
            )

    if account is not None:
        rejection = _admit(state, account, _route_name(request))
        if rejection is not None:
            return rejection

    return await _run_with_faults(request, handler, state)


def _route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    path = resource.canonical if resource is not None else request.path
    return f"{request.method} {path}"


def _admit(state: SandboxState, account: Account, route: str) -> web.Response | None:
    """Count the request and return a 429 response if the rate limit rejects it."""
    now = state.clock.monotonic()
    wait = None if account.limiter is None else account.limiter.try_acquire(now)
    if wait is None:
        account.counters.record_admitted(route, now)
        return None

    account.counters.record_rejected(route)
    logger.debug("429 for Mastershop %d on %s", account.index, route)
    headers = {}
    if state.config.retry_after_header:
        headers["Retry-After"] = str(retry_after_seconds(wait))
    return web.json_response(TOO_MANY_REQUESTS_BODY, status=429, headers=headers)


async def _run_with_faults(
    request: web.Request, handler: Handler, state: SandboxState
) -> web.StreamResponse:
    fault = state.faults.take(request.method, request.path)
    if fault is None:
        return await handler(request)

    logger.debug(
        "injecting %s fault on %s %s", fault.mode, request.method, request.path
    )
    message = f"{status_phrase(fault.status)} (injected fault)"
    if fault.mode == "before":
        return error_response(request, fault.status, message)
    response = await handler(request)
    if fault.mode == "after":
        return error_response(request, fault.status, message)
    # "drop": the write is applied, then the connection closes with no reply.
    if request.transport is not None:
        request.transport.abort()
    return response
