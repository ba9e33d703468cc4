"""Product feeds: POST /feeds/products/* and GET /feeds/{feedId}.

A submission is checked only for its shape (a 400 otherwise) and returns
a feed id at once. Products are checked and applied when the feed is
processed on the sandbox clock, and each rejection shows up in the feed's
items, as on the real API.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from jumia_async._limits import FEED_PRODUCTS_MAX

from ._auth import require_account
from ._errors import error_response
from ._feed_model import (
    PRICE_UPDATE,
    PRODUCT_CREATION,
    PRODUCT_STATUS_UPDATE,
    PRODUCT_UPDATE,
    STOCK_UPDATE,
)
from ._feed_processing import submit_feed
from ._json_body import read_json_object
from ._keys import STATE_KEY
from ._params import ParamError, is_uuid

routes = web.RouteTableDef()


def _products(body: dict[str, Any]) -> list[dict[str, Any]]:
    products = body.get("products")
    if not isinstance(products, list) or not products:
        raise ParamError("field [products] must be a non-empty list")
    if len(products) > FEED_PRODUCTS_MAX:
        raise ParamError(
            f"too many products: {len(products)} given, at most "
            f"{FEED_PRODUCTS_MAX} allowed per feed"
        )
    if not all(isinstance(product, dict) for product in products):
        raise ParamError("each entry of [products] must be an object")
    return products


def _shop_id(body: dict[str, Any], *, required: bool) -> str | None:
    shop_id = body.get("shopId")
    if shop_id is None and not required:
        return None
    if shop_id is None:
        raise ParamError("missing required field [shopId]")
    if not isinstance(shop_id, str) or not is_uuid(shop_id):
        raise ParamError(f"invalid shopId value [{shop_id}]: expected a UUID")
    return shop_id


async def _submit(
    request: web.Request, feed_type: str, *, shop_required: bool = False
) -> web.Response:
    state = request.app[STATE_KEY]
    catalog = require_account(request).catalog
    now = state.clock.time()
    catalog.settle(now)
    try:
        body = await read_json_object(request)
        products = _products(body)
        shop_id = _shop_id(body, required=shop_required)
    except ParamError as exc:
        return error_response(request, 400, exc.message)
    feed = submit_feed(catalog, feed_type, shop_id, products, now)
    # The real success status is not documented, so the sandbox returns 200.
    return web.json_response({"feedId": feed.id})


@routes.post("/feeds/products/create")
async def create_products(request: web.Request) -> web.Response:
    return await _submit(request, PRODUCT_CREATION, shop_required=True)


@routes.post("/feeds/products/update")
async def update_products(request: web.Request) -> web.Response:
    return await _submit(request, PRODUCT_UPDATE)


@routes.post("/feeds/products/stock")
async def update_stock(request: web.Request) -> web.Response:
    return await _submit(request, STOCK_UPDATE)


@routes.post("/feeds/products/price")
async def update_prices(request: web.Request) -> web.Response:
    return await _submit(request, PRICE_UPDATE)


@routes.post("/feeds/products/status")
async def update_statuses(request: web.Request) -> web.Response:
    return await _submit(request, PRODUCT_STATUS_UPDATE)


@routes.get("/feeds/{feedId}")
async def get_feed(request: web.Request) -> web.Response:
    """Return a feed of the token's Mastershop with its items."""
    state = request.app[STATE_KEY]
    catalog = require_account(request).catalog
    now = state.clock.time()
    catalog.settle(now)
    feed_id = request.match_info["feedId"]
    feed = catalog.feeds.get(feed_id)
    if feed is None:
        return error_response(request, 404, f"Feed [{feed_id}] not found.")
    return web.json_response(feed.to_json(now))
