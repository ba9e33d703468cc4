"""How the sandbox handles malformed, oversized and non-ASCII input.

Every route rejects hostile input with a 4xx status, or with item
rejections in a feed, and never returns a 5xx status.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from jumia_async.sandbox import ManualClock, Sandbox, SandboxConfig, run_sandbox
from jumia_async.sandbox._app import ROUTE_TABLES
from jumia_async.sandbox._catalog_state import Scheduler
from jumia_async.sandbox._feed_create import process_create_item
from jumia_async.sandbox._feed_model import FeedItem
from jumia_async.sandbox._feed_processing import PROCESSING_ERROR
from jumia_async.sandbox._json_body import MAX_NESTING_DEPTH

START = datetime(2025, 6, 24, 12, 0, tzinfo=UTC).timestamp()
GENERIC_BRAND = 1045133
# Long enough for a feed to finish, and for quality control to approve.
FEED_SECONDS = 0.2
QC_SECONDS = 0.4

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
# Nested past MAX_NESTING_DEPTH but shallow enough for json.loads.
NESTED_LEVELS = MAX_NESTING_DEPTH + 10
NESTED_PRODUCTS = b'{"products": ' + b"[" * NESTED_LEVELS + b"]" * NESTED_LEVELS + b"}"

HOSTILE_BODIES: list[tuple[str, bytes, str]] = [
    ("deep array", DEEP_ARRAY, "application/json"),
    ("deep object", DEEP_OBJECT, "application/json"),
    ("nested past limit", NESTED_PRODUCTS, "application/json"),
    ("invalid UTF-8", b'{"orderItemIds": ["\xff\xfe"]}', "application/json"),
    ("unknown charset", b'{"products": []}', "application/json; charset=x-none"),
    ("UTF-16 declared", b'{"products": []}', "application/json; charset=utf-16"),
    ("truncated", b'{"products": [', "application/json"),
    ("empty", b"", "application/json"),
    ("top-level array", b"[]", "application/json"),
    ("top-level string", b'"text"', "application/json"),
    ("NaN", b'{"products": NaN, "packages": NaN}', "application/json"),
    ("huge exponent", b'{"products": 1e400, "orderItemIds": 1e400}', "text/plain"),
    ("huge integer", b'{"stock": ' + b"9" * 5000 + b"}", "application/json"),
    ("lone surrogate", b'{"shopId": "\\ud800"}', "application/json"),
]

HOSTILE_QUERY_VALUES = [
    "\u00b2",  # superscript two: str.isdigit() is True, int() raises
    "\u0663",  # Arabic-Indic three: int() accepts it
    "-1",
    "9" * 40,
    "x" * 3000,
    "\x00",
    "2025-02-30",
    base64.urlsafe_b64encode(b"[" * 1500).decode("ascii"),
]

QUERY_NAMES = [
    "page",
    "size",
    "token",
    "nextToken",
    "categoryCode",
    "sids",
    "productSids",
    "shopId",
    "orderId",
    "status",
    "country",
    "sort",
    "createdAfter",
    "createdBefore",
    "updatedAfter",
    "createdAtFrom",
    "visible",
    "latestFirst",
    "qcStatus",
    "businessClientCode",
    "sku",
]

HOSTILE_FIELD_VALUES: list[Any] = [
    None,
    -1,
    0,
    10**4000,
    1e308,
    "",
    "\u00b2",
    "\u0663",
    "9" * 5000,
    "x" * 5000,
    [],
    {},
    True,
    [None],
    {"code": "\u00b2"},
    {"value": 10**4000, "currency": "GHS"},
    {"value": 1500, "currency": "GHS", "salePrice": {"value": 1, "endAt": "\u0663"}},
]


def route_list() -> list[tuple[str, str]]:
    """Return every (method, path) of the sandbox, path parameters filled in."""
    routes = []
    for table in ROUTE_TABLES:
        for route in table:
            assert isinstance(route, web.RouteDef)
            path = route.path
            for name in ("{sid}", "{feedId}", "{purchaseOrderNumber}"):
                path = path.replace(name, "unknown-id")
            routes.append((route.method, path))
    return routes


class Api:
    """Authenticated raw calls against one sandbox on a ManualClock."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        sandbox: Sandbox,
        clock: ManualClock,
        token: str,
    ) -> None:
        self.session = session
        self.sandbox = sandbox
        self.clock = clock
        self.token = token
        self.shop_id = sandbox.state.accounts[0].shops[0].id

    async def send(
        self,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        content_type: str = "application/json",
        params: Any = None,
        authorization: str | None = None,
    ) -> tuple[int, str]:
        headers = {"Authorization": authorization or f"Bearer {self.token}"}
        if data is not None:
            headers["Content-Type"] = content_type
        async with self.session.request(
            method,
            f"{self.sandbox.url}{path}",
            data=data,
            params=params,
            headers=headers,
        ) as response:
            return response.status, await response.text(errors="replace")

    async def post_json(self, path: str, body: Any) -> tuple[int, Any]:
        status, text = await self.send("POST", path, data=json.dumps(body).encode())
        return status, json.loads(text)

    async def finished_feed(self, kind: str, products: list[Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"products": products}
        if kind == "create":
            body["shopId"] = self.shop_id
        status, reply = await self.post_json(f"/feeds/products/{kind}", body)
        assert status == 200, reply
        self.clock.advance(FEED_SECONDS)
        status, text = await self.send("GET", f"/feeds/{reply['feedId']}")
        assert status == 200, text
        feed: dict[str, Any] = json.loads(text)
        return feed

    def category_code(self, name: str) -> int:
        return next(
            category.code
            for category in self.sandbox.state.reference.categories
            if category.name == name
        )

    def product(self, seller_sku: str, **changes: Any) -> dict[str, Any]:
        """Return a valid create item for a smartphone in the first shop (Ghana)."""
        product: dict[str, Any] = {
            "name": {"value": "Smart Phone 6.5 inch Dual SIM"},
            "description": {"value": "A phone for the sandbox."},
            "parentSku": seller_sku,
            "sellerSku": seller_sku,
            "variation": "Black",
            "brand": {"code": GENERIC_BRAND},
            "category": {"code": self.category_code("Smartphones")},
            "images": [{"url": "https://images.test/phone-1.jpg", "primary": True}],
            "price": {"currency": "GHS", "value": 1500},
            "stock": 10,
            "attributes": [
                {"name": "short_description", "value": "<ul><li>Fast</li></ul>"},
                {"name": "product_weight", "value": "0.4"},
            ],
        }
        product.update(changes)
        return product


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    config = SandboxConfig(orders_per_shop=3, rate_limit=False)
    clock = ManualClock(start=START)
    async with (
        run_sandbox(config, clock=clock) as sandbox,
        aiohttp.ClientSession() as session,
    ):
        form = {
            "grant_type": "refresh_token",
            "client_id": sandbox.client_id,
            "refresh_token": sandbox.refresh_token,
        }
        async with session.post(f"{sandbox.url}/token", data=form) as response:
            token = (await response.json())["access_token"]
        yield Api(session, sandbox, clock, token)


def logged_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR
        and record.name.startswith(("jumia_async.sandbox", "aiohttp"))
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/orders/pack",
        "/v2/orders/pack",
        "/orders/ready-to-ship",
        "/orders/print-labels",
        "/feeds/products/create",
        "/feeds/products/stock",
        "/consignment-order",
    ],
)
async def test_deeply_nested_body_rejected(api: Api, path: str) -> None:
    status, text = await api.send("POST", path, data=DEEP_ARRAY)

    assert status == 400, text
    assert "nest deeper than" in json.loads(text)["message"]


async def test_cancel_body_not_utf8_rejected(api: Api) -> None:
    status, text = await api.send(
        "PUT", "/orders/cancel", data=b'{"orderItemIds": ["\xff"]}'
    )

    assert status == 400, text
    assert json.loads(text) == {
        "message": "request body is not valid utf-8 text",
        "status": 400,
    }


async def test_feed_body_unknown_charset_rejected(api: Api) -> None:
    status, text = await api.send(
        "POST",
        "/feeds/products/stock",
        data=b'{"products": [{"id": "x", "stock": 1}]}',
        content_type="application/json; charset=x-none",
    )
    body = json.loads(text)

    assert status == 400, text
    assert body["error"] == "Bad Request"
    assert body["message"] == "unsupported charset [x-none] in Content-Type"


async def test_body_nested_past_limit_rejected(api: Api) -> None:
    status, text = await api.send("POST", "/feeds/products/stock", data=NESTED_PRODUCTS)

    assert status == 400, text
    assert json.loads(text)["message"] == (
        "invalid JSON in the request body: arrays and objects nest deeper than "
        f"{MAX_NESTING_DEPTH} levels"
    )


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/catalog/products", "categoryCode"),
        ("/catalog/products", "size"),
        ("/catalog/stock", "size"),
        ("/catalog/brands", "page"),
        ("/catalog/categories", "size"),
        ("/orders", "size"),
    ],
)
@pytest.mark.parametrize("value", ["\u00b2", "\u0663", "+5", "1_0", "9" * 30])
async def test_number_outside_ascii_digits_rejected(
    api: Api, path: str, name: str, value: str
) -> None:
    status, text = await api.send("GET", path, params={name: value})

    assert status == 400, text
    assert f"invalid {name} value" in json.loads(text)["message"]


async def test_arabic_indic_date_rejected(api: Api) -> None:
    status, text = await api.send(
        "GET", "/orders", params={"createdAfter": "\u0662\u0660\u0662\u0665-01-01"}
    )

    assert status == 400, text
    assert "invalid createdAfter value" in json.loads(text)["message"]


@pytest.mark.parametrize("path", ["/orders", "/catalog/products", "/catalog/stock"])
async def test_deeply_nested_cursor_rejected(api: Api, path: str) -> None:
    cursor = base64.urlsafe_b64encode(b"[" * 1500).decode("ascii")
    status, text = await api.send("GET", path, params={"token": cursor})

    assert status == 400, text
    assert "invalid token value" in json.loads(text)["message"]


@pytest.mark.parametrize(
    "query",
    [
        {"ids": [], "created_from": "yesterday", "size": 5},
        {"ids": [], "size": "5"},
        {"ids": 7},
        {"ids": [], "qc_statuses": [["APPROVED"]]},
    ],
)
async def test_forged_product_cursor_rejected(api: Api, query: Any) -> None:
    payload = json.dumps({"v": 1, "after": 1, "query": query}).encode()
    cursor = base64.urlsafe_b64encode(payload).decode("ascii")
    status, text = await api.send("GET", "/catalog/products", params={"token": cursor})

    assert status == 400, text


async def test_order_cursor_huge_bound_rejected(api: Api) -> None:
    payload = {
        "v": 1,
        "status": [],
        "country": [],
        "shopId": [],
        "field": "created",
        "after": 10**400,
        "before": None,
        "desc": False,
        "size": 5,
        "key": [1, 2],
    }
    cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode("ascii")
    status, text = await api.send("GET", "/orders", params={"token": cursor})

    assert status == 400, text


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (
            b"grant_type=refresh_token&client_id=\xff",
            "application/x-www-form-urlencoded",
        ),
        (b"grant_type=x", "application/x-www-form-urlencoded; charset=x-none"),
        (b"--x\r\n", "multipart/form-data; boundary=x"),
    ],
)
async def test_token_undecodable_form_rejected(
    api: Api, data: bytes, content_type: str
) -> None:
    async with api.session.post(
        f"{api.sandbox.url}/token", data=data, headers={"Content-Type": content_type}
    ) as response:
        status = response.status
        body = await response.json()

    assert status == 400
    assert body["error"] == "invalid_request"


async def test_non_ascii_bearer_token_unauthorized(api: Api) -> None:
    header = "Bearer \u00e9.\u00e9.\u00e9".encode().decode("latin-1")
    status, _ = await api.send("GET", "/shops", authorization=header)

    assert status == 401


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"brand": {"code": "\u00b2"}}, "Brand not found by code [\u00b2]."),
        ({"brand": "-3"}, "Brand not found by code [-3]."),
        ({"brand": {"code": 3.5}}, "Brand not found by code [3.5]."),
        ({"brand": {"code": "9" * 5000}}, f"Brand not found by code [{'9' * 5000}]."),
        ({"brand": {"code": " "}}, "Required field [Product.Brand.Code]"),
        ({"category": {"code": "\u0663"}}, "Category not found by code [\u0663]."),
        (
            {"category": {"code": "9" * 5000}},
            f"Category not found by code [{'9' * 5000}].",
        ),
        ({"category": {"code": 0}}, "Category not found by code [0]."),
        (
            {"price": {"currency": "GHS", "value": 10**4000}},
            "Attribute [Product.Price.Value] with invalid value",
        ),
    ],
)
async def test_create_item_invalid_field_rejected(
    api: Api, changes: dict[str, Any], message: str
) -> None:
    feed = await api.finished_feed("create", [api.product("PHONE-1", **changes)])
    status, _ = await api.send("GET", "/catalog/stock")

    item = feed["feedItems"][0]
    assert feed["status"] == "FAILED"
    assert item["status"] == "FAILED"
    assert any(text.startswith(message) for text in item["errors"]["globalMessages"])
    assert status == 200


async def test_processing_error_fails_one_item(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def fail_on_marked_sku(
        catalog: Any, shop_id: str | None, item: FeedItem, at: float
    ) -> None:
        if item.seller_sku == "PHONE-BROKEN":
            raise ValueError("simulated defect")
        process_create_item(catalog, shop_id, item, at)

    monkeypatch.setattr(
        "jumia_async.sandbox._feed_processing.process_create_item",
        fail_on_marked_sku,
    )
    feed = await api.finished_feed(
        "create", [api.product("PHONE-BROKEN"), api.product("PHONE-OK")]
    )
    status, _ = await api.send("GET", "/catalog/stock")

    broken, created = feed["feedItems"]
    assert feed["status"] == "COMPLETED"
    assert broken["status"] == "FAILED"
    assert broken["errorMessage"] == PROCESSING_ERROR
    assert created["status"] == "SUCCESS"
    assert status == 200
    assert any("PHONE-BROKEN" in text for text in logged_errors(caplog))


def test_scheduler_survives_failing_action(caplog: pytest.LogCaptureFixture) -> None:
    scheduler = Scheduler()
    ran: list[float] = []

    def fail(at: float) -> None:
        raise RuntimeError(f"failed at {at}")

    scheduler.at(1.0, fail)
    scheduler.at(2.0, ran.append)
    count = scheduler.run_due(5.0)

    assert count == 2
    assert ran == [2.0]
    assert len(scheduler) == 0
    assert any("failed" in text for text in logged_errors(caplog))


async def test_hostile_body_never_gets_5xx(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    server_errors = []
    for method, path in route_list():
        if method == "GET":
            continue
        for case, data, content_type in HOSTILE_BODIES:
            status, text = await api.send(
                method, path, data=data, content_type=content_type
            )
            if status >= 500:
                server_errors.append(f"{method} {path} {case}: {status} {text[:80]}")

    assert server_errors == []
    assert logged_errors(caplog) == []


async def test_hostile_query_never_gets_5xx(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    server_errors = []
    for method, path in route_list():
        if method != "GET":
            continue
        for name in QUERY_NAMES:
            for value in HOSTILE_QUERY_VALUES:
                status, text = await api.send(method, path, params={name: value})
                if status >= 500:
                    server_errors.append(f"{path}?{name}={value[:20]!r}: {text[:80]}")

    assert server_errors == []
    assert logged_errors(caplog) == []


async def test_feeds_with_hostile_fields_finish(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """Each feed type rejects items with hostile fields and still finishes."""
    setup = await api.finished_feed("create", [api.product("PHONE-1")])
    variation_id = setup["feedItems"][0]["productSid"]
    api.clock.advance(QC_SECONDS)
    approved = api.sandbox.state.variation(api.sandbox.client_id, variation_id)
    assert approved.approved_once
    base_items = {
        "create": api.product("PHONE-2"),
        "update": {"id": variation_id, "name": {"value": "Smart Phone 6.7 inch"}},
        "stock": {"id": variation_id, "stock": 4},
        "price": {"id": variation_id, "price": {"currency": "GHS", "value": 900}},
        "status": {
            "id": variation_id,
            "businessClients": [{"businessClientCode": "jumia-gh", "status": "active"}],
        },
    }
    unfinished = {}
    for kind, base in base_items.items():
        items = [
            {**base, "sellerSku": f"HOSTILE-{number}", field: value}
            for field in base
            if field not in ("id", "sellerSku")
            for number, value in enumerate(HOSTILE_FIELD_VALUES)
        ]
        feed = await api.finished_feed(kind, items)
        if feed["status"] not in ("COMPLETED", "FAILED"):
            unfinished[kind] = feed["status"]
    status, _ = await api.send("GET", "/catalog/products")

    assert unfinished == {}
    assert status == 200
    assert logged_errors(caplog) == []
