"""Catalog reads on a mocked API: pages, cursors, filters and reply forms."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aioresponses import CallbackResult, aioresponses

from jumia_async import (
    AttributeSetRef,
    AttributeType,
    Category,
    PaginationError,
    ProductStatus,
    ResponseParseError,
)

from .helpers import TOKEN_URL, TokenServer, make_client, url_pattern

FIXTURES = Path(__file__).parent / "fixtures"

BRANDS = url_pattern("/catalog/brands")
CATEGORIES = url_pattern("/catalog/categories")
PRODUCTS = url_pattern("/catalog/products")
STOCK = url_pattern("/catalog/stock")
ATTRIBUTE_SETS = url_pattern("/catalog/attribute-sets/set-1")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def query_of(url: Any) -> list[tuple[str, str]]:
    return parse_qsl(url.query_string, keep_blank_values=True)


def product_set(set_id: str, *variations: tuple[str, str, str]) -> dict[str, Any]:
    """Build a product set; each variation is (id, seller SKU, status in KE)."""
    return {
        "id": set_id,
        "name": f"Product {set_id}",
        "variations": [
            {
                "id": variation_id,
                "sellerSku": sku,
                "businessClients": [{"code": "jumia-ke", "status": status}],
            }
            for variation_id, sku, status in variations
        ],
    }


class Pages:
    """Reply to page-numbered requests from a table and record the queries."""

    def __init__(self, replies: dict[int, Any]) -> None:
        self.replies = replies
        self.queries: list[dict[str, str]] = []

    def __call__(self, url: Any, **kwargs: Any) -> CallbackResult:
        query = dict(query_of(url))
        self.queries.append(query)
        return CallbackResult(payload=self.replies[int(query["page"])])


async def test_iter_brands_skips_empty_page_mid_walk() -> None:
    envelope = {"current": 1, "totalOfPages": 4}
    pages = Pages(
        {
            1: {"brands": [{"code": 1045133, "name": "Generic"}], "page": envelope},
            2: {"brands": [], "page": {**envelope, "current": 2}},
            3: {"brands": [{"code": "1039426", "name": "Fashion"}], "page": envelope},
            4: {"brands": [{"code": 7, "name": "Acme"}], "page": envelope},
        }
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(BRANDS, callback=pages, repeat=True)
        async with make_client() as client:
            codes = [brand.code async for brand in client.catalog.iter_brands()]

    assert codes == ["1045133", "1039426", "7"]
    assert [query["page"] for query in pages.queries] == ["1", "2", "3", "4"]


async def test_iter_categories_without_envelope_stops_at_empty_page() -> None:
    pages = Pages(
        {
            1: [
                {
                    "code": 1004141,
                    "name": "Controllers",
                    "completePath": "Gaming / PC Gaming / Accessories / Controllers",
                    "hasChildren": False,
                    "attributeSet": {"sid": "set-1", "name": "Gaming"},
                }
            ],
            2: {
                "categories": [
                    {
                        "code": "1000001",
                        "name": "Phones",
                        "completePath": "Phones > Mobile / Smart Phones",
                        "hasChildren": "true",
                        "attributeSet": {"id": "set-2"},
                    }
                ]
            },
            3: {"categories": []},
        }
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(CATEGORIES, callback=pages, repeat=True)
        async with make_client() as client:
            found = [
                category
                async for category in client.catalog.iter_categories(
                    size=50, attribute_set_name="Gaming"
                )
            ]

    assert len(pages.queries) == 3
    assert pages.queries[0] == {"page": "1", "size": "50", "attributeSetName": "Gaming"}
    assert [category.code for category in found] == ["1004141", "1000001"]
    assert found[0].path == ("Gaming", "PC Gaming", "Accessories", "Controllers")
    assert found[1].path == ("Phones", "Mobile / Smart Phones")
    assert found[0].is_listable is True
    assert found[1].is_listable is False
    assert found[1].attribute_set is not None
    assert found[1].attribute_set.sid == "set-2"


async def test_iter_categories_stops_after_total_pages() -> None:
    pages = Pages(
        {
            1: {"categories": [{"code": 1}], "page": {"current": 1, "totalOfPages": 2}},
            2: {"categories": [], "page": {"current": 2, "totalOfPages": 2}},
        }
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(CATEGORIES, callback=pages, repeat=True)
        async with make_client() as client:
            found = [c.code async for c in client.catalog.iter_categories()]
    assert found == ["1"]
    assert len(pages.queries) == 2


async def test_categories_page_reports_envelope() -> None:
    reply = {"categories": [{"code": 5}], "page": {"current": 3, "totalOfPages": 600}}
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(CATEGORIES, payload=reply)
        async with make_client() as client:
            page = await client.catalog.categories(3)
    assert page.current_page == 3
    assert page.total_pages == 600


async def test_page_walk_raises_when_page_repeats() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(BRANDS, payload={"brands": [{"code": 1}]}, repeat=True)
        async with make_client() as client:
            with pytest.raises(PaginationError, match="ignored the page number"):
                async for _ in client.catalog.iter_brands():
                    pass


async def test_attribute_set_object_form() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(ATTRIBUTE_SETS, payload=fixture("attribute_set.json"))
        async with make_client() as client:
            attribute_set = await client.catalog.attribute_set("set-1")

    assert attribute_set.sid == "set-1"
    color = attribute_set.attribute("COLOR")
    assert color is not None
    assert color.attribute_type is AttributeType.SELECTION
    assert color.option_names == ("Black", "White")
    assert color.options[0].id == "1"
    assert attribute_set.variation_attribute == color
    assert [a.name for a in attribute_set.mandatory] == ["color", "short_description"]
    model = attribute_set.attribute("model")
    assert model is not None
    assert model.validations is not None
    assert model.validations.max_length == 20


async def test_attribute_set_bare_array_and_drift_forms() -> None:
    reply = [
        {
            "name": "warranty_duration",
            "type": 3,
            "mandatory": "1",
            "options": [{"id": "9", "name": "1 year"}],
            "validations": [{"MinLength": "1"}, {"MaxLength": 40}],
        },
        {
            "name": "note",
            "type": "TEXT",
            "options": None,
            "translations": None,
            "validations": [{"name": "MaxLength", "value": 255}, {"Unknown": 1}],
        },
    ]
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(ATTRIBUTE_SETS, payload=reply)
        async with make_client() as client:
            attribute_set = await client.catalog.attribute_set("set-1")

    warranty, note = attribute_set.attributes
    assert warranty.type == "3"
    assert warranty.attribute_type is None
    assert warranty.is_selection is True
    assert warranty.mandatory is True
    assert warranty.validations is not None
    assert warranty.validations.min_length == 1
    assert warranty.validations.max_length == 40
    assert note.validations is not None
    assert note.validations.max_length == 255
    assert note.validations.min_length is None


async def test_category_rules_reads_each_set_once() -> None:
    sets_read: list[str] = []

    def attribute_set(url: Any, **kwargs: Any) -> CallbackResult:
        sets_read.append(url.path)
        return CallbackResult(payload=fixture("attribute_set.json"))

    categories = [
        Category(code="1", name="Pads", attribute_set=AttributeSetRef(sid="set-1")),
        Category(code="2"),
        Category(code="3", attribute_set=AttributeSetRef(sid="set-1")),
    ]
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(ATTRIBUTE_SETS, callback=attribute_set, repeat=True)
        async with make_client() as client:
            rules = await client.catalog.category_rules(categories)

    assert sets_read == ["/catalog/attribute-sets/set-1"]
    assert [rule.code for rule in rules] == ["1", "2", "3"]
    assert len(rules[0].attribute_set.attributes) == 4
    assert rules[1].attribute_set.attributes == []


async def test_products_read_live_shape() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, payload=fixture("catalog_products.json"))
        async with make_client() as client:
            page = await client.catalog.products()

    assert page.has_next is False
    product = page.products[0]
    assert product.name == "Wireless Gamepad for PC and Android"
    assert product.description == "A wireless controller with two analog sticks."
    assert product.brand is not None
    assert product.brand.code == "1045133"
    assert product.category is not None
    assert product.category.code == "1004141"
    assert [image.primary for image in product.images] == [True, None]
    assert product.attributes[1].value == "0.3"
    assert product.created_at == datetime(2025, 6, 24, 9, 14, 16, tzinfo=UTC)

    black = product.variation_for_sku("PAD-01-BLK")
    assert black is not None
    assert black.id == "a3f0c9d1-1111-4e2b-9c3d-000000000001"
    assert black.attributes[0].value == "Black"
    kenya = black.business_client("JUMIA-KE")
    assert kenya is not None
    assert kenya.qc is not None
    assert kenya.qc.is_approved is True
    assert kenya.price is not None
    assert kenya.price.local_value == 1550.0
    assert kenya.price.sale_price is not None
    assert kenya.price.sale_price.end_at == datetime(2025, 7, 10, 23, 59, tzinfo=UTC)
    ghana = black.business_client("jumia-gh")
    assert ghana is not None
    assert ghana.visible is False
    assert ghana.sku == ""
    assert ghana.qc is not None
    assert ghana.qc.status == "REJECTED"
    assert black.is_inactive is True


async def test_products_read_null_lists() -> None:
    reply = {
        "products": [
            {
                "id": "s1",
                "name": {"value": "Gamepad", "translations": []},
                "images": None,
                "attributes": None,
                "variations": [
                    {"id": "v1", "attributes": None, "businessClients": None}
                ],
            },
            {"id": "s2", "variations": None},
        ],
        "nextToken": "",
    }
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, payload=reply)
        async with make_client() as client:
            page = await client.catalog.products()

    first, second = page.products
    assert first.name == "Gamepad"
    assert first.images == []
    assert first.variations[0].business_clients == []
    assert first.variations[0].is_inactive is False
    assert second.variations == []
    assert page.has_next is False


async def test_products_send_every_filter() -> None:
    seen: list[list[tuple[str, str]]] = []

    def products(url: Any, **kwargs: Any) -> CallbackResult:
        seen.append(query_of(url))
        return CallbackResult(payload={"products": [], "isLastPage": True})

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=products, repeat=True)
        async with make_client() as client:
            await client.catalog.products(
                sids=["p1", "p2"],
                category_code=1004141,
                created_at_from=date(2026, 1, 2),
                created_at_to=datetime(2026, 1, 31, 23, 0, tzinfo=UTC),
                seller_sku="SKU-1",
                shop_id="shop-1",
                qc_status="approved",
                visible=False,
                latest_first=True,
                status=ProductStatus.ACTIVE,
                size=25,
                token="t1",
            )

    # The mock hands callbacks the URL with its query sorted.
    assert [sorted(query) for query in seen] == [
        sorted(
            [
                ("sids", "p1,p2"),
                ("categoryCode", "1004141"),
                ("createdAtFrom", "2026-01-02"),
                ("createdAtTo", "2026-01-31"),
                ("sellerSku", "SKU-1"),
                ("shopId", "shop-1"),
                ("qcStatus", "APPROVED"),
                ("visible", "false"),
                ("latestFirst", "true"),
                ("status", "ACTIVE"),
                ("size", "25"),
                ("token", "t1"),
            ]
        )
    ]


async def test_iter_products_follows_cursor() -> None:
    pages: dict[str | None, dict[str, Any]] = {
        None: {
            "products": [product_set("s1", ("v1", "A", "ACTIVE"))],
            "nextToken": "t1",
        },
        "t1": {"products": [], "nextToken": "t2", "isLastPage": False},
        "t2": {
            "products": [product_set("s2", ("v2", "B", "ACTIVE"))],
            "isLastPage": True,
        },
    }
    tokens: list[str | None] = []

    def products(url: Any, **kwargs: Any) -> CallbackResult:
        token = dict(query_of(url)).get("token")
        tokens.append(token)
        return CallbackResult(payload=pages[token])

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=products, repeat=True)
        async with make_client() as client:
            found = [p.id async for p in client.catalog.iter_products(shop_id="shop-1")]

    assert found == ["s1", "s2"]
    assert tokens == [None, "t1", "t2"]


async def test_iter_products_raises_on_repeated_cursor() -> None:
    reply = {"products": [product_set("s1")], "nextToken": "same", "isLastPage": False}
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, payload=reply, repeat=True)
        async with make_client() as client:
            with pytest.raises(PaginationError, match="'same' twice"):
                async for _ in client.catalog.iter_products():
                    pass


async def test_inactive_filter_applied_on_client() -> None:
    pages: dict[str | None, dict[str, Any]] = {
        None: {
            "products": [
                product_set("s1", ("v1", "A", "ACTIVE"), ("v2", "B", "INACTIVE")),
                product_set("s2", ("v3", "C", "ACTIVE")),
            ],
            "nextToken": "t1",
        },
        "t1": {
            "products": [product_set("s3", ("v4", "D", "inactive"))],
            "isLastPage": True,
        },
    }
    queries: list[list[tuple[str, str]]] = []

    def products(url: Any, **kwargs: Any) -> CallbackResult:
        query = query_of(url)
        queries.append(query)
        return CallbackResult(payload=pages[dict(query).get("token")])

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=products, repeat=True)
        async with make_client() as client:
            found = [
                p
                async for p in client.catalog.iter_products(status="INACTIVE", size=50)
            ]

    assert len(queries) == 2
    for query in queries:
        assert "status" not in dict(query)
    assert [p.id for p in found] == ["s1", "s3"]
    assert [v.id for v in found[0].variations] == ["v2"]
    assert [v.id for v in found[1].variations] == ["v4"]


async def test_stock_pages_send_repeated_sids() -> None:
    queries: list[list[tuple[str, str]]] = []
    pages: dict[str | None, dict[str, Any]] = {
        None: {
            "products": [{"id": "v1", "sellerSku": "A", "globalStock": 5}],
            "nextToken": "t1",
            "isLastPage": False,
        },
        "t1": {
            "products": [{"id": "v2", "sellerSku": "B", "stock": "7"}],
            "nextToken": None,
        },
    }

    def stock(url: Any, **kwargs: Any) -> CallbackResult:
        query = query_of(url)
        queries.append(query)
        return CallbackResult(payload=pages[dict(query).get("token")])

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(STOCK, callback=stock, repeat=True)
        async with make_client() as client:
            entries = [
                e async for e in client.catalog.iter_stock(product_sids=["v1", "v2"])
            ]

    assert [(e.id, e.global_stock) for e in entries] == [("v1", 5), ("v2", 7)]
    assert sorted(queries[0]) == [
        ("productSids", "v1"),
        ("productSids", "v2"),
        ("size", "100"),
    ]


async def test_products_parse_error_names_path() -> None:
    reply = {"products": [{"id": "s1", "variations": [{"sellerSku": "A"}]}]}
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, payload=reply)
        async with make_client() as client:
            with pytest.raises(ResponseParseError) as caught:
                await client.catalog.products()
    assert any("$.products[0].variations[0].id" in e for e in caught.value.errors)


NAIVE = datetime(2026, 1, 1)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"size": 0}, ValueError, "size=0 is invalid; use 1 to 100"),
        ({"size": 101}, ValueError, "use 1 to 100"),
        ({"qc_status": "OK"}, ValueError, "qc_status='OK' is invalid"),
        ({"status": "DELETED"}, ValueError, "no DELETED filter"),
        ({"created_at_from": NAIVE}, ValueError, "has no time zone"),
        (
            {"created_at_from": date(2026, 2, 1), "created_at_to": date(2026, 1, 1)},
            ValueError,
            "is earlier than",
        ),
        ({"sids": "p1"}, TypeError, "wrap it in a list"),
        ({"sids": []}, ValueError, "sids is empty"),
        ({"category_code": "abc"}, ValueError, "numeric category code"),
        ({"visible": "yes"}, TypeError, "visible must be True, False or None"),
        ({"seller_sku": " "}, ValueError, "seller_sku=' ' is invalid"),
    ],
)
async def test_products_reject_bad_arguments(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with aioresponses() as mock:
        async with make_client() as client:
            with pytest.raises(error, match=message):
                await client.catalog.products(**kwargs)
            with pytest.raises(error, match=message):
                client.catalog.iter_products(**kwargs)
        assert mock.requests == {}


async def test_page_calls_reject_bad_arguments() -> None:
    with aioresponses() as mock:
        async with make_client() as client:
            with pytest.raises(ValueError, match="page=0 is invalid"):
                await client.catalog.brands(0)
            with pytest.raises(ValueError, match="size=0 is invalid"):
                client.catalog.iter_brands(size=0)
            with pytest.raises(ValueError, match="attribute_set_name=''"):
                client.catalog.iter_categories(attribute_set_name="")
            with pytest.raises(ValueError, match="sid='' is invalid"):
                await client.catalog.attribute_set("")
            with pytest.raises(ValueError, match="use 1 to 100"):
                client.catalog.iter_stock(size=500)
            with pytest.raises(TypeError, match="use Category"):
                await client.catalog.category_rules(["1004141"])  # type: ignore[list-item]
        assert mock.requests == {}
