"""Catalog reads: brands, categories, attribute sets, products and stock."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from multidict import MultiMapping

from ._auth import require_account
from ._catalog_render import (
    render_attribute_set,
    render_brands_page,
    render_categories_page,
    render_product_set,
    render_stock_entry,
)
from ._catalog_state import CatalogState
from ._errors import error_response
from ._keys import STATE_KEY
from ._params import ParamError, parse_ascii_int
from ._product_query import (
    encode_cursor,
    parse_product_query,
    parse_stock_query,
    select_products,
    select_stock,
)
from ._products import INACTIVE
from ._state import SandboxState

logger = logging.getLogger(__name__)

routes = web.RouteTableDef()

# Page size of /catalog/brands and /catalog/categories. The real default and
# maximum are not documented, so these are the sandbox's choice.
LIST_PAGE_SIZE_DEFAULT = 100
LIST_PAGE_SIZE_MAX = 1000

# How often a held status=INACTIVE request checks whether its client left.
_HANG_POLL_SECONDS = 0.1


def _catalog(request: web.Request) -> tuple[SandboxState, CatalogState]:
    """Return the state and the Mastershop's catalog, brought up to the clock."""
    state = request.app[STATE_KEY]
    catalog = require_account(request).catalog
    catalog.settle(state.clock.time())
    return state, catalog


def _page_params(query: MultiMapping[str]) -> tuple[int, int]:
    page = _positive_int(query, "page", 1, None)
    size = _positive_int(query, "size", LIST_PAGE_SIZE_DEFAULT, LIST_PAGE_SIZE_MAX)
    return page, size


def _positive_int(
    query: MultiMapping[str], name: str, default: int, maximum: int | None
) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    value = parse_ascii_int(raw) or 0
    if value < 1 or (maximum is not None and value > maximum):
        upper = f" to {maximum}" if maximum is not None else " or more"
        raise ParamError(
            f"invalid {name} value [{raw}]: expected an integer from 1{upper}"
        )
    return value


@routes.get("/catalog/brands")
async def list_brands(request: web.Request) -> web.Response:
    """Return one page of brands sorted by name."""
    state, catalog = _catalog(request)
    try:
        page, size = _page_params(request.query)
    except ParamError as exc:
        return error_response(request, 400, exc.message)
    body = render_brands_page(catalog.reference, state.config, page, size)
    return web.json_response(body)


@routes.get("/catalog/categories")
async def list_categories(request: web.Request) -> web.Response:
    """Return one page of the category tree, parents before their children.

    `attributeSetName` keeps the categories of that attribute set (any case).
    """
    state, catalog = _catalog(request)
    try:
        page, size = _page_params(request.query)
    except ParamError as exc:
        return error_response(request, 400, exc.message)
    categories = list(catalog.reference.categories)
    set_name = request.query.get("attributeSetName", "").strip().casefold()
    if set_name:
        categories = [
            category
            for category in categories
            if category.attribute_set is not None
            and category.attribute_set.name.casefold() == set_name
        ]
    body = render_categories_page(categories, state.config, page, size)
    return web.json_response(body)


@routes.get("/catalog/attribute-sets/{sid}")
async def get_attribute_set(request: web.Request) -> web.Response:
    state, catalog = _catalog(request)
    sid = request.match_info["sid"]
    attribute_set = catalog.reference.attribute_set(sid)
    if attribute_set is None:
        return error_response(request, 404, f"Attribute set [{sid}] not found.")
    return web.json_response(render_attribute_set(attribute_set, state.config))


@routes.get("/catalog/products")
async def list_products(request: web.Request) -> web.Response:
    """Return one page of product sets, oldest first unless `latestFirst=true`.

    A filter on listings (qcStatus, visible, status) keeps a whole product
    set when any of its listings matches. `status=INACTIVE` is held for
    `inactive_status_hang` real seconds first, as the real API hangs on it.
    """
    state = request.app[STATE_KEY]
    # The access token may expire during the hang, so look the account up first.
    catalog = require_account(request).catalog
    try:
        query, after = parse_product_query(request.query)
    except ParamError as exc:
        return error_response(request, 400, exc.message)
    if query.status == INACTIVE:
        await _hang(request, state.config.inactive_status_hang)

    catalog.settle(state.clock.time())
    products, last = select_products(catalog.products, query, after)
    body = {
        "products": [render_product_set(item, state.config) for item in products],
        "nextToken": None if last is None else encode_cursor(query, last),
        "isLastPage": last is None,
    }
    return web.json_response(body)


async def _hang(request: web.Request, seconds: float) -> None:
    """Wait `seconds`, or less if the client closes the connection first."""
    logger.debug("holding %s for %.1f s, like the real API", request.path_qs, seconds)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(min(remaining, _HANG_POLL_SECONDS))


@routes.get("/catalog/stock")
async def list_stock(request: web.Request) -> web.Response:
    """Return the global stock of one page of variations, oldest first."""
    _, catalog = _catalog(request)
    try:
        query, after = parse_stock_query(request.query)
    except ParamError as exc:
        return error_response(request, 400, exc.message)
    variations, last = select_stock(catalog.products, query, after)
    body = {
        "products": [render_stock_entry(item) for item in variations],
        "nextToken": None if last is None else encode_cursor(query, last),
        "isLastPage": last is None,
    }
    return web.json_response(body)
