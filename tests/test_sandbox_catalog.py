"""The sandbox's catalog reads: brands, categories, attribute sets, products, stock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from jumia_async.sandbox import (
    ManualClock,
    ProductSet,
    Sandbox,
    SandboxConfig,
    run_sandbox,
)

START = datetime(2025, 6, 24, 12, 0, tzinfo=UTC).timestamp()
GENERIC = 1045133
FASHION = 1039426

Params = list[tuple[str, str]]


class Api:
    """Authenticated calls against one sandbox, returning (status, JSON body)."""

    def __init__(
        self, session: aiohttp.ClientSession, sandbox: Sandbox, token: str
    ) -> None:
        self.session = session
        self.sandbox = sandbox
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, params: Params | None = None) -> tuple[int, Any]:
        async with self.session.get(
            f"{self.sandbox.url}{path}", headers=self.headers, params=params or []
        ) as response:
            return response.status, await response.json()

    async def ok(self, path: str, params: Params | None = None) -> Any:
        status, body = await self.get(path, params)
        assert status == 200, body
        return body

    def product_sets(self) -> list[ProductSet]:
        return list(self.sandbox.state.accounts[0].catalog.products)


@asynccontextmanager
async def api(**settings: Any) -> AsyncIterator[Api]:
    config = SandboxConfig(orders_per_shop=0, rate_limit=False, **settings)
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
        yield Api(session, sandbox, token)


async def walk_pages(
    client: Api, path: str, key: str, params: Params
) -> list[dict[str, Any]]:
    """Return every entry of a page-numbered list, trusting `totalOfPages`."""
    entries: list[dict[str, Any]] = []
    page = 1
    while True:
        body = await client.ok(path, [("page", str(page)), *params])
        entries.extend(body[key])
        if page >= body["page"]["totalOfPages"]:
            return entries
        page += 1


async def walk_products(
    client: Api, params: Params, path: str = "/catalog/products"
) -> list[dict[str, Any]]:
    """Return every entry of a cursor listing, following nextToken."""
    entries: list[dict[str, Any]] = []
    body = await client.ok(path, params)
    while True:
        entries.extend(body["products"])
        if body["isLastPage"]:
            assert body["nextToken"] is None
            return entries
        body = await client.ok(path, [("token", body["nextToken"])])


async def test_brands_paging_and_fallbacks() -> None:
    async with api() as client:
        first = await client.ok("/catalog/brands", [("page", "1")])
        brands = await walk_pages(client, "/catalog/brands", "brands", [])

    assert first["page"] == {"current": 1, "totalOfPages": 3}
    assert len(first["brands"]) == 100
    assert len(brands) == 250
    codes = [brand["code"] for brand in brands]
    assert len(set(codes)) == 250
    assert all(isinstance(code, int) for code in codes)
    names = {brand["code"]: brand["name"] for brand in brands}
    assert names[GENERIC] == "Generic"
    assert names[FASHION] == "Fashion"
    assert [brand["name"] for brand in brands] == sorted(names.values())


async def test_brands_size_parameter() -> None:
    async with api(catalog_brands=30) as client:
        body = await client.ok("/catalog/brands", [("page", "2"), ("size", "20")])
        past_end = await client.ok("/catalog/brands", [("page", "9")])

    assert body["page"] == {"current": 2, "totalOfPages": 2}
    assert len(body["brands"]) == 10
    assert past_end["brands"] == []


async def test_brands_empty_page_mid_walk() -> None:
    """The empty page shifts later brands by one page, so none is lost."""
    async with api(brands_empty_page=2) as client:
        second = await client.ok("/catalog/brands", [("page", "2")])
        brands = await walk_pages(client, "/catalog/brands", "brands", [])

    assert second == {"brands": [], "page": {"current": 2, "totalOfPages": 4}}
    assert len(brands) == 250
    assert len({brand["code"] for brand in brands}) == 250


async def test_brands_and_categories_without_envelope() -> None:
    async with api(catalog_page_envelope=False) as client:
        brands = await client.ok("/catalog/brands", [("page", "1")])
        categories = await client.ok("/catalog/categories", [("page", "1")])

    assert set(brands) == {"brands"}
    assert set(categories) == {"categories"}
    assert brands["brands"]
    assert categories["categories"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/catalog/brands", [("page", "0")]),
        ("/catalog/brands", [("page", "x")]),
        ("/catalog/categories", [("size", "1001")]),
    ],
)
async def test_page_parameters_rejected(path: str, params: Params) -> None:
    async with api() as client:
        status, body = await client.get(path, params)

    assert status == 400
    assert set(body) == {"code", "message"}
    assert body["code"] == 400


async def test_category_tree() -> None:
    async with api() as client:
        categories = await walk_pages(
            client, "/catalog/categories", "categories", [("size", "10")]
        )

    assert len(categories) == 45
    by_name = {category["name"]: category for category in categories}
    assert all(isinstance(category["code"], int) for category in categories)

    smartphones = by_name["Smartphones"]
    assert smartphones["hasChildren"] is False
    assert (
        smartphones["completePath"] == "Phones & Tablets / Mobile Phones / Smartphones"
    )
    assert smartphones["attributeSet"]["name"] == "Phones"

    mobile_phones = by_name["Mobile Phones"]
    assert mobile_phones["hasChildren"] is True
    assert mobile_phones["attributeSet"] is not None

    assert by_name["Phones & Tablets"]["attributeSet"] is None
    assert by_name["Home Audio"]["hasChildren"] is False
    assert by_name["Home Audio"]["attributeSet"] is None
    assert by_name["Headphones"]["completePath"] == "Electronics > Audio > Headphones"


async def test_categories_by_attribute_set_name() -> None:
    async with api() as client:
        body = await client.ok(
            "/catalog/categories", [("page", "1"), ("attributeSetName", "apparel")]
        )

    names = [category["name"] for category in body["categories"]]
    assert names == ["T-Shirts", "Shirts", "Dresses"]
    assert body["page"] == {"current": 1, "totalOfPages": 1}


async def test_codes_as_strings() -> None:
    async with api(catalog_code_form="string") as client:
        brands = await client.ok("/catalog/brands", [("page", "1")])
        categories = await client.ok("/catalog/categories", [("page", "1")])
        products = await client.ok("/catalog/products", [("size", "1")])
        sid = client.sandbox.state.reference.attribute_sets[0].sid
        attribute_set = await client.ok(f"/catalog/attribute-sets/{sid}")

    assert all(isinstance(brand["code"], str) for brand in brands["brands"])
    assert all(isinstance(item["code"], str) for item in categories["categories"])
    product = products["products"][0]
    assert isinstance(product["brand"]["code"], str)
    assert isinstance(product["category"]["code"], str)
    assert all(isinstance(item["code"], str) for item in attribute_set["attributes"])


async def phones_set_sid(client: Api) -> str:
    body = await client.ok(
        "/catalog/categories", [("page", "1"), ("attributeSetName", "Phones")]
    )
    sid: str = body["categories"][0]["attributeSet"]["sid"]
    return sid


async def test_attribute_set_object_form() -> None:
    async with api() as client:
        body = await client.ok(
            f"/catalog/attribute-sets/{await phones_set_sid(client)}"
        )

    assert set(body) == {"attributes"}
    attributes = {item["name"]: item for item in body["attributes"]}
    axes = [item for item in body["attributes"] if item["variation"]]
    assert [axis["name"] for axis in axes] == ["color"]
    assert axes[0]["type"] == "SELECTION"
    assert [option["name"] for option in axes[0]["options"]] == [
        "Black",
        "White",
        "Blue",
        "Gold",
        "...",
    ]
    types = {item["type"] for item in body["attributes"]}
    assert {"TEXT", "TEXT_AREA", "SELECTION", "MULTI_SELECTION", "NUMBER"} <= types
    assert attributes["short_description"]["mandatory"] is True
    assert attributes["product_weight"]["mandatory"] is True
    assert attributes["model"]["mandatory"] is False
    assert attributes["short_description"]["validations"] == {
        "minLength": 1,
        "maxLength": 2000,
    }
    assert attributes["color_family"]["validations"] == {}
    assert attributes["model"]["translations"][0]["languageCode"] == "EN"


async def test_attribute_set_array_forms() -> None:
    async with api(
        attribute_set_form="array", attribute_validations_form="array"
    ) as client:
        body = await client.ok(
            f"/catalog/attribute-sets/{await phones_set_sid(client)}"
        )

    assert isinstance(body, list)
    attributes = {item["name"]: item for item in body}
    assert attributes["short_description"]["validations"] == [
        {"MinLength": 1},
        {"MaxLength": 2000},
    ]
    assert attributes["color_family"]["validations"] == []


async def test_attribute_set_with_free_text_axis() -> None:
    async with api() as client:
        body = await client.ok(
            "/catalog/categories", [("page", "1"), ("attributeSetName", "Accessories")]
        )
        sid = body["categories"][0]["attributeSet"]["sid"]
        attribute_set = await client.ok(f"/catalog/attribute-sets/{sid}")

    axis = next(item for item in attribute_set["attributes"] if item["variation"])
    assert axis["type"] == "TEXT"
    assert axis["options"] == []


async def test_attribute_set_unknown_sid() -> None:
    async with api() as client:
        status, body = await client.get(
            "/catalog/attribute-sets/00000000-0000-4000-8000-000000000000"
        )

    assert status == 404
    assert body["code"] == 404
    assert "not found" in body["message"]


async def test_products_cursor_paging() -> None:
    async with api(catalog_products_per_shop=9) as client:
        first = await client.ok("/catalog/products", [("size", "10")])
        walked = await walk_products(client, [("size", "10")])
        default_size = await client.ok("/catalog/products")
        newest = await walk_products(client, [("latestFirst", "true"), ("size", "7")])
        expected = [product_set.id for product_set in client.product_sets()]

    assert first["isLastPage"] is False
    assert isinstance(first["nextToken"], str)
    assert len(first["products"]) == 10
    assert [product["id"] for product in walked] == expected
    assert len(default_size["products"]) == 10
    assert [product["id"] for product in newest] == expected[::-1]


async def test_products_token_keeps_filters() -> None:
    async with api(catalog_products_per_shop=9) as client:
        shop_id = client.sandbox.state.accounts[0].shops[1].id
        walked = await walk_products(client, [("shopId", shop_id), ("size", "2")])

    assert len(walked) == 9
    assert all(
        product_set.shop.id == shop_id
        for product_set in client.product_sets()
        if product_set.id in {product["id"] for product in walked}
    )


@pytest.mark.parametrize(
    "params",
    [
        [("size", "0")],
        [("size", "101")],
        [("size", "ten")],
        [("token", "not-a-cursor")],
        [("sids", "not-a-uuid")],
        [("categoryCode", "abc")],
        [("createdAtFrom", "24/06/2025")],
        [("qcStatus", "DONE")],
        [("visible", "maybe")],
        [("status", "DELETED")],
        [("shopId", "shop-1")],
    ],
)
async def test_products_parameters_rejected(params: Params) -> None:
    async with api() as client:
        status, body = await client.get("/catalog/products", params)

    assert status == 400
    assert body["code"] == 400
    assert body["message"]


async def test_product_shape() -> None:
    async with api() as client:
        body = await client.ok("/catalog/products", [("size", "1")])
        shop = client.sandbox.state.accounts[0].shops[0]

    product = body["products"][0]
    assert isinstance(product["name"], str)
    assert isinstance(product["description"], str)
    assert product["parentSku"].startswith("SBP-")
    assert set(product["brand"]) == {"code", "name"}
    assert product["images"][0]["primary"] is True
    assert product["createdAt"].endswith("Z")
    variation = product["variations"][0]
    assert set(variation) == {
        "id",
        "sellerSku",
        "barcodeEan",
        "variation",
        "attributes",
        "globalPrice",
        "businessClients",
    }
    assert variation["globalPrice"]["salePrice"] == {
        "value": None,
        "startAt": None,
        "endAt": None,
    }
    client_entry = variation["businessClients"][0]
    assert client_entry["code"] == shop.country.business_client_code
    assert client_entry["countryCode"] == shop.country.code
    assert client_entry["countryName"] == shop.country.name
    assert client_entry["sku"]
    assert client_entry["visible"] is True
    assert client_entry["status"] == "ACTIVE"
    assert set(client_entry["qc"]) == {
        "status",
        "updatedAt",
        "lastApprovedAt",
        "rejectionReason",
        "rejectionComment",
    }
    assert client_entry["qc"]["status"] == "APPROVED"
    price = client_entry["price"]
    assert price["currency"] == "USD"
    assert price["localCurrency"] == shop.country.currency
    assert price["localValue"] == variation["globalPrice"]["value"]
    assert set(price["salePrice"]) == {"value", "localValue", "startAt", "endAt"}


async def test_products_filter_by_sids() -> None:
    """`sids` matches product-set ids and variation ids, comma or repeated."""
    async with api() as client:
        sets = client.product_sets()
        by_set = await client.ok("/catalog/products", [("sids", sets[0].id)])
        by_variation = await client.ok(
            "/catalog/products",
            [("sids", f"{sets[1].variations[0].id},{sets[2].id}")],
        )
        repeated = await client.ok(
            "/catalog/products", [("sids", sets[3].id), ("sids", sets[4].id)]
        )

    assert [item["id"] for item in by_set["products"]] == [sets[0].id]
    assert [item["id"] for item in by_variation["products"]] == [sets[1].id, sets[2].id]
    assert [item["id"] for item in repeated["products"]] == [sets[3].id, sets[4].id]


async def test_products_filter_by_fields() -> None:
    async with api(catalog_products_per_shop=6) as client:
        sets = client.product_sets()
        target = sets[4]
        shop_id = target.shop.id
        by_sku = await client.ok(
            "/catalog/products", [("sellerSku", target.variations[0].seller_sku)]
        )
        by_shop = await walk_products(client, [("shopId", shop_id)])
        by_category = await walk_products(
            client, [("categoryCode", str(target.category.code))]
        )

    assert [item["id"] for item in by_sku["products"]] == [target.id]
    assert {item["id"] for item in by_shop} == {
        item.id for item in sets if item.shop.id == shop_id
    }
    assert {item["id"] for item in by_category} == {
        item.id for item in sets if item.category.code == target.category.code
    }


async def test_products_filter_by_creation_day() -> None:
    async with api(catalog_products_per_shop=6) as client:
        sets = client.product_sets()
        day = time.strftime("%Y-%m-%d", time.gmtime(sets[5].created))
        same_day = await walk_products(
            client, [("createdAtFrom", day), ("createdAtTo", day)]
        )
        from_day = await walk_products(client, [("createdAtFrom", day)])

    expected = {
        item.id
        for item in sets
        if time.strftime("%Y-%m-%d", time.gmtime(item.created)) == day
    }
    assert {item["id"] for item in same_day} == expected
    assert sets[5].id in expected
    assert {item["id"] for item in from_day} == {
        item.id
        for item in sets
        if time.strftime("%Y-%m-%d", time.gmtime(item.created)) >= day
    }


async def test_products_filter_by_listing_state() -> None:
    """qcStatus, visible and status keep a set when any listing matches."""
    async with api() as client:
        sets = client.product_sets()
        listing = next(iter(sets[0].variations[0].listings.values()))
        listing.qc_status = "REJECTED"
        rejected = await walk_products(client, [("qcStatus", "REJECTED")])
        hidden = await walk_products(client, [("visible", "false")])
        approved = await walk_products(client, [("qcStatus", "APPROVED")])
        active = await walk_products(client, [("status", "ACTIVE")])

    assert [item["id"] for item in rejected] == [sets[0].id]
    assert [item["id"] for item in hidden] == [sets[0].id]
    assert len(approved) == len(sets) - 1
    assert len(active) == len(sets)


async def test_inactive_status_hangs() -> None:
    """status=INACTIVE outlasts a client timeout, and ACTIVE responds at once."""
    async with api(inactive_status_hang=5.0) as client:
        timeout = aiohttp.ClientTimeout(total=0.3)
        started = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            async with client.session.get(
                f"{client.sandbox.url}/catalog/products",
                headers=client.headers,
                params=[("status", "INACTIVE")],
                timeout=timeout,
            ) as response:
                await response.read()
        assert time.monotonic() - started < 2.0

        async with client.session.get(
            f"{client.sandbox.url}/catalog/products",
            headers=client.headers,
            params=[("status", "ACTIVE")],
            timeout=timeout,
        ) as response:
            assert response.status == 200


async def test_inactive_status_answers_after_hang() -> None:
    async with api(inactive_status_hang=0.3) as client:
        listing = next(iter(client.product_sets()[2].variations[0].listings.values()))
        listing.status = "INACTIVE"
        started = time.monotonic()
        body = await client.ok("/catalog/products", [("status", "INACTIVE")])
        elapsed = time.monotonic() - started

    assert elapsed >= 0.3
    assert [item["id"] for item in body["products"]] == [client.product_sets()[2].id]


async def test_stock_paging_and_filter() -> None:
    async with api(catalog_products_per_shop=6) as client:
        variations = [
            variation
            for product_set in client.product_sets()
            for variation in product_set.variations
        ]
        walked = await walk_products(client, [("size", "5")], path="/catalog/stock")
        chosen = [variations[3].id, variations[0].id]
        filtered = await client.ok(
            "/catalog/stock", [("productSids", chosen[0]), ("productSids", chosen[1])]
        )
        status, _ = await client.get("/catalog/stock", [("size", "101")])

    assert [entry["id"] for entry in walked] == [item.id for item in variations]
    entry = walked[0]
    assert set(entry) == {"id", "sellerSku", "globalStock", "lastStockUpdatedAt"}
    assert entry["globalStock"] == variations[0].stock
    assert entry["sellerSku"] == variations[0].seller_sku
    assert [item["id"] for item in filtered["products"]] == [
        variations[0].id,
        variations[3].id,
    ]
    assert filtered["isLastPage"] is True
    assert status == 400


async def test_catalog_requires_token() -> None:
    async with (
        api() as client,
        client.session.get(f"{client.sandbox.url}/catalog/brands") as response,
    ):
        status = response.status

    assert status == 401


async def test_catalog_routes_counted_and_limited() -> None:
    """Catalog reads count per route and share the Mastershop's 4/s limit."""
    config = SandboxConfig(orders_per_shop=0)
    clock = ManualClock(start=START, monotonic_start=100.0)
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
        clock.advance(1.0)
        client = Api(session, sandbox, token)
        statuses = [
            (await client.get("/catalog/brands"))[0],
            (await client.get("/catalog/products"))[0],
            (await client.get("/catalog/stock"))[0],
            (await client.get("/catalog/categories"))[0],
            (await client.get("/catalog/brands"))[0],
        ]

    counters = sandbox.state.accounts[0].counters
    assert statuses == [200, 200, 200, 200, 429]
    assert counters.routes["GET /catalog/products"] == 1
    assert counters.routes["GET /catalog/brands"] == 1
    assert counters.rejected_routes["GET /catalog/brands"] == 1
