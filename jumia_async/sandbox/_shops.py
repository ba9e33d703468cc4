"""GET /shops and GET /shops-of-master-shop."""

from __future__ import annotations

from aiohttp import web

from ._auth import require_account
from ._keys import STATE_KEY
from ._render import render_shops

routes = web.RouteTableDef()


@routes.get("/shops")
async def list_shops(request: web.Request) -> web.Response:
    """Return every shop that the token's Mastershop can see."""
    return _shops_response(request)


@routes.get("/shops-of-master-shop")
async def list_master_shop_shops(request: web.Request) -> web.Response:
    """Return every shop under the token's Mastershop, across countries."""
    return _shops_response(request)


def _shops_response(request: web.Request) -> web.Response:
    account = require_account(request)
    config = request.app[STATE_KEY].config
    return web.json_response(render_shops(account.shops, config))
