"""Order reads: GET /orders, /orders/items and /orders/shipment-providers."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from jumia_async._limits import ORDER_ITEMS_BATCH_MAX, SHIPMENT_PROVIDERS_BATCH_MAX

from ._auth import require_account
from ._errors import error_response
from ._keys import STATE_KEY
from ._model import ORDER_STATUSES
from ._order_query import encode_cursor, parse_order_query
from ._params import ParamError, choice_list_param, uuid_list_param
from ._render import render_order, render_order_items, render_provider

logger = logging.getLogger(__name__)

routes = web.RouteTableDef()


@routes.get("/orders")
async def list_orders(request: web.Request) -> web.Response:
    """Return one page of the Mastershop's orders, oldest first by default."""
    state = request.app[STATE_KEY]
    account = require_account(request)
    try:
        query, after = parse_order_query(request.query, state.clock.time())
    except ParamError as exc:
        return error_response(request, 400, exc.message)

    orders, last_key = account.orders.select(query, after)
    body = {
        "orders": [render_order(order, state.config) for order in orders],
        "nextToken": None if last_key is None else encode_cursor(query, last_key),
        "isLastPage": last_key is None,
    }
    return web.json_response(body)


@routes.get("/orders/items")
async def list_order_items(request: web.Request) -> web.Response:
    """Return the items of each requested order, one entry per known order.

    Unknown order ids are left out. With `single_order_items_form="object"`
    a request for one order that exists gets that entry as a bare object.
    """
    state = request.app[STATE_KEY]
    account = require_account(request)
    try:
        order_ids = uuid_list_param(
            request.query, "orderId", required=True, limit=ORDER_ITEMS_BATCH_MAX
        )
        statuses = choice_list_param(request.query, "status", ORDER_STATUSES)
        shop_ids = set(uuid_list_param(request.query, "shopId", required=False))
    except ParamError as exc:
        return error_response(request, 400, exc.message)

    if any(order_id in state.poisoned_order_ids for order_id in order_ids):
        logger.debug("poisoned order in /orders/items batch of %d", len(order_ids))
        return error_response(request, 422, "Unable to process the order items request")

    entries = []
    for order_id in order_ids:
        order = account.orders.get_order(order_id)
        if order is None:
            continue
        items = [
            item
            for item in order.items
            if (not statuses or item.status in statuses)
            and (not shop_ids or order.shop.id in shop_ids)
        ]
        entries.append(render_order_items(order, items, state.config))

    body: Any = entries
    single = len(order_ids) == 1 and len(entries) == 1
    if single and state.config.single_order_items_form == "object":
        body = entries[0]
    return web.json_response(body)


@routes.get("/orders/shipment-providers")
async def list_shipment_providers(request: web.Request) -> web.Response:
    """Return the providers offered for each requested item, skipping unknown ids."""
    state = request.app[STATE_KEY]
    account = require_account(request)
    try:
        item_ids = uuid_list_param(
            request.query,
            "orderItemId",
            required=True,
            limit=SHIPMENT_PROVIDERS_BATCH_MAX,
        )
    except ParamError as exc:
        return error_response(request, 400, exc.message)

    entries = []
    for item_id in item_ids:
        item = account.orders.get_item(item_id)
        if item is None:
            continue
        providers = [
            render_provider(provider, state.config)
            for provider in item.offered_providers
        ]
        entries.append({"id": item.id, "shipmentProviders": providers})
    return web.json_response({"orderItems": entries})
