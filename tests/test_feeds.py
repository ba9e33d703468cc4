"""Product feeds on a mocked API: batches, id resolution, bodies and waiting."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import attrs
import pytest
from aiolimiter import AsyncLimiter
from aioresponses import CallbackResult, aioresponses

from jumia_async import (
    AmbiguousWriteError,
    Attribute,
    AttributeOption,
    AttributeSet,
    AttributeSetRef,
    BatchWriteError,
    BusinessClientPrice,
    Category,
    CategoryRules,
    FeedBatchTimeoutError,
    FeedFailedError,
    FeedImage,
    FeedPrice,
    FeedSalePrice,
    FeedSubmission,
    FeedTimeoutError,
    FeedType,
    LocalizedText,
    NewProduct,
    PriceUpdate,
    ProductLookupError,
    ProductSetIdError,
    ProductUpdate,
    StatusUpdate,
    StockUpdate,
    TextTranslation,
)

from .helpers import TOKEN_URL, TokenServer, make_client, url_pattern

FIXTURES = Path(__file__).parent / "fixtures"

CREATE = url_pattern("/feeds/products/create")
UPDATE = url_pattern("/feeds/products/update")
STOCK = url_pattern("/feeds/products/stock")
PRICE = url_pattern("/feeds/products/price")
STATUS = url_pattern("/feeds/products/status")
PRODUCTS = url_pattern("/catalog/products")
FEED_1 = url_pattern("/feeds/feed-1")
FEED_2 = url_pattern("/feeds/feed-2")

# Waits short enough that the waiter tests take milliseconds.
FAST = {"poll_interval": 0.001, "max_poll_interval": 0.002}


def fast_polls(client: Any) -> None:
    """Lift the one-read-a-second poll limit for a test."""
    client.feeds.poll_limiter = AsyncLimiter(1000, 1)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def query_of(url: Any) -> dict[str, str]:
    return dict(parse_qsl(url.query_string))


def new_product(number: int) -> NewProduct:
    sku = f"SKU-{number}"
    return NewProduct(
        seller_sku=sku,
        parent_sku=sku,
        variation="Black",
        name="Wireless Gamepad for PC and Android",
        description="A wireless controller.",
        brand_code=1045133,
        category_code=1004141,
        price=FeedPrice(currency="GHS", value=150),
        stock=10,
        images=[FeedImage(url="https://img.example/pad.jpg", primary=True)],
        attributes={"short_description": "<ul><li>Wireless</li></ul>"},
    )


class FeedServer:
    """Record feed submissions and reply to each with a new feed id."""

    def __init__(self, fail_call: int | None = None) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.fail_call = fail_call

    def __call__(self, url: Any, **kwargs: Any) -> CallbackResult:
        self.bodies.append(kwargs["json"])
        if len(self.bodies) == self.fail_call:
            return CallbackResult(status=500, payload={"status": 500, "error": "boom"})
        return CallbackResult(
            status=201, payload={"feedId": f"feed-{len(self.bodies)}"}
        )


class Catalog:
    """Reply to `/catalog/products` lookups by `sellerSku` or `sids`."""

    def __init__(self, *products: dict[str, Any]) -> None:
        self.products = list(products)
        self.queries: list[dict[str, str]] = []

    def __call__(self, url: Any, **kwargs: Any) -> CallbackResult:
        query = query_of(url)
        self.queries.append(query)
        found = []
        for product in self.products:
            variation_ids = {v["id"] for v in product["variations"]}
            skus = {v["sellerSku"] for v in product["variations"]}
            if "sellerSku" in query and query["sellerSku"] in skus:
                found.append(product)
            if "sids" in query:
                sids = set(query["sids"].split(","))
                if product["id"] in sids or sids & variation_ids:
                    found.append(product)
        return CallbackResult(payload={"products": found, "isLastPage": True})


def product_set(set_id: str, *variations: tuple[str, str]) -> dict[str, Any]:
    return {
        "id": set_id,
        "name": "Gamepad",
        "variations": [{"id": vid, "sellerSku": sku} for vid, sku in variations],
    }


PAD = product_set("set-1", ("var-1", "PAD-BLK"), ("var-2", "PAD-WHT"))
CABLE = product_set("set-2", ("var-3", "CABLE"))


class FeedStates:
    """Reply to `GET /feeds/{id}` with each state in turn, repeating the last."""

    def __init__(self, *states: dict[str, Any]) -> None:
        self.states = list(states)
        self.calls = 0

    def __call__(self, url: Any, **kwargs: Any) -> CallbackResult:
        state = self.states[min(self.calls, len(self.states) - 1)]
        self.calls += 1
        return CallbackResult(payload=state)


def feed_state(status: str, **extra: Any) -> dict[str, Any]:
    return {"feedSid": "feed-1", "status": status, "feedItems": [], **extra}


# --- submissions ----------------------------------------------------------


async def test_create_splits_into_feeds_of_1000() -> None:
    server = FeedServer()
    products = [new_product(number) for number in range(2500)]
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(CREATE, callback=server, repeat=True)
        async with make_client() as client:
            submission = await client.feeds.create_products("shop-1", products)

    assert [len(body["products"]) for body in server.bodies] == [1000, 1000, 500]
    assert all(body["shopId"] == "shop-1" for body in server.bodies)
    assert submission.feed_type is FeedType.PRODUCT_CREATION
    assert submission.feed_ids == ("feed-1", "feed-2", "feed-3")
    assert submission.seller_skus["feed-3"][0] == "SKU-2000"
    assert len(submission.seller_skus["feed-1"]) == 1000


async def test_create_body_shape() -> None:
    server = FeedServer()
    product = NewProduct(
        seller_sku="PAD-BLK",
        parent_sku="PAD",
        variation="Black",
        name=LocalizedText(
            value="Wireless Gamepad for PC",
            translations=[TextTranslation(language="FR", value="Manette sans fil")],
        ),
        description="A wireless controller.",
        brand_code="1045133",
        brand_name="Generic",
        category_code=1004141,
        price=FeedPrice(
            currency="ghs",
            value=150,
            sale_price=FeedSalePrice(
                value=120,
                start_at=date(2026, 10, 10),
                end_at=datetime(2026, 10, 20, 23, 59, tzinfo=UTC),
            ),
        ),
        stock=10,
        images=[
            FeedImage(url="https://img.example/a.jpg", primary=True),
            FeedImage(url="https://img.example/b.jpg"),
        ],
        attributes={"plug_type": ["UK", "EU"], "product_weight": 0.3},
        business_clients=[
            BusinessClientPrice(
                business_client_code="JUMIA-GH",
                price=FeedPrice(currency="GHS", value=150),
            )
        ],
        barcode_ean="",
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(CREATE, callback=server)
        async with make_client() as client:
            await client.feeds.create_products("shop-1", [product])

    assert server.bodies[0]["products"] == [
        {
            "name": {
                "value": "Wireless Gamepad for PC",
                "translations": [{"language": "FR", "value": "Manette sans fil"}],
            },
            "description": {"value": "A wireless controller.", "translations": []},
            "parentSku": "PAD",
            "sellerSku": "PAD-BLK",
            "variation": "Black",
            "brand": {"code": "1045133", "name": "Generic"},
            "category": {"code": 1004141},
            "images": [
                {"url": "https://img.example/a.jpg", "primary": True},
                {"url": "https://img.example/b.jpg", "primary": False},
            ],
            "price": {
                "currency": "GHS",
                "value": 150,
                "salePrice": {
                    "value": 120,
                    "startAt": "2026-10-10",
                    "endAt": "2026-10-20 23:59",
                },
            },
            "stock": 10,
            "attributes": [
                {"name": "plug_type", "value": "UK,EU", "translations": []},
                {"name": "product_weight", "value": "0.3", "translations": []},
            ],
            "barcodeEan": "",
            "businessClients": [
                {
                    "businessClientCode": "jumia-gh",
                    "price": {"currency": "GHS", "value": 150},
                }
            ],
        }
    ]


def pad_rules() -> list[CategoryRules]:
    attribute_set = AttributeSet(
        sid="set-1",
        attributes=[
            Attribute(name="short_description", type="TEXT_AREA", mandatory=True),
            Attribute(
                name="color",
                type="SELECTION",
                variation=True,
                options=[AttributeOption(name="Black")],
            ),
        ],
    )
    category = Category(
        code="1004141", has_children=False, attribute_set=AttributeSetRef(sid="set-1")
    )
    return [CategoryRules(category=category, attribute_set=attribute_set)]


async def test_create_with_rules_sends_only_valid() -> None:
    server = FeedServer()
    good = new_product(1)
    bad = NewProduct(**{**_fields(new_product(2)), "variation": "Purple"})
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(CREATE, callback=server)
        async with make_client() as client:
            submission = await client.feeds.create_products(
                "shop-1", [good, bad], rules=pad_rules()
            )

    assert [p["sellerSku"] for p in server.bodies[0]["products"]] == ["SKU-1"]
    assert submission.feed_ids == ("feed-1",)
    assert [(i.seller_sku, i.field) for i in submission.rejected] == [
        ("SKU-2", "variation")
    ]


async def test_create_with_rules_all_invalid_sends_nothing() -> None:
    bad = NewProduct(**{**_fields(new_product(1)), "parent_sku": ""})
    with aioresponses() as mock:
        async with make_client() as client:
            submission = await client.feeds.create_products(
                "shop-1", [bad], rules=pad_rules()
            )
        assert mock.requests == {}
    assert submission.feed_ids == ()
    assert submission.rejected[0].field == "parent_sku"


def _fields(product: NewProduct) -> dict[str, Any]:
    return attrs.asdict(product, recurse=False)


async def test_batch_failure_keeps_other_feeds() -> None:
    server = FeedServer(fail_call=2)
    products = [new_product(number) for number in range(2500)]
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(CREATE, callback=server, repeat=True)
        async with make_client() as client:
            with pytest.raises(BatchWriteError) as caught:
                await client.feeds.create_products("shop-1", products)

    error = caught.value
    assert len(server.bodies) == 3
    assert isinstance(error.result, FeedSubmission)
    assert error.result.feed_ids == ("feed-1", "feed-3")
    failed_skus, cause = error.failures[0]
    assert failed_skus[0] == "SKU-1000"
    assert isinstance(cause, AmbiguousWriteError)


# --- variation ids ----------------------------------------------------------


async def test_stock_resolves_seller_sku_once() -> None:
    catalog = Catalog(PAD, CABLE)
    server = FeedServer()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=catalog, repeat=True)
        mock.post(STOCK, callback=server, repeat=True)
        async with make_client() as client:
            await client.feeds.update_stock(
                [
                    StockUpdate(seller_sku="PAD-BLK", stock=5),
                    StockUpdate(seller_sku="CABLE", stock=0),
                ],
                shop_id="shop-1",
            )
            await client.feeds.update_stock(
                [StockUpdate(seller_sku="PAD-WHT", stock=1)], shop_id="shop-1"
            )

    assert sorted(q["sellerSku"] for q in catalog.queries) == ["CABLE", "PAD-BLK"]
    assert all(q["shopId"] == "shop-1" for q in catalog.queries)
    assert server.bodies[0] == {
        "products": [
            {"id": "var-1", "stock": 5, "sellerSku": "PAD-BLK"},
            {"id": "var-3", "stock": 0, "sellerSku": "CABLE"},
        ]
    }
    assert server.bodies[1]["products"] == [
        {"id": "var-2", "stock": 1, "sellerSku": "PAD-WHT"}
    ]


async def test_product_set_id_with_sku_rejected() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=Catalog(PAD), repeat=True)
        async with make_client() as client:
            with pytest.raises(ProductSetIdError) as caught:
                await client.feeds.update_stock(
                    [StockUpdate(id="set-1", seller_sku="PAD-BLK", stock=5)]
                )

    error = caught.value
    assert error.variation_ids == {"set-1": ("var-1", "var-2")}
    assert "'set-1'" in str(error)
    assert "'var-1' (seller SKU 'PAD-BLK')" in str(error)
    assert "need variation ids" in str(error)


async def test_product_set_id_alone_rejected() -> None:
    catalog = Catalog(PAD, CABLE)
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=catalog, repeat=True)
        async with make_client() as client:
            with pytest.raises(ProductSetIdError) as caught:
                await client.feeds.update_status(
                    [
                        StatusUpdate(
                            id="var-3",
                            status="ACTIVE",
                            business_client_codes="jumia-gh",
                        ),
                        StatusUpdate(
                            id="set-1",
                            status="INACTIVE",
                            business_client_codes="jumia-gh",
                        ),
                    ]
                )

    assert catalog.queries[0]["sids"] == "var-3,set-1"
    assert caught.value.variation_ids == {"set-1": ("var-1", "var-2")}


async def test_unknown_id_sent_as_given() -> None:
    server = FeedServer()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=Catalog(), repeat=True)
        mock.post(STOCK, callback=server)
        async with make_client() as client:
            await client.feeds.update_stock([StockUpdate(id="var-9", stock=2)])
    assert server.bodies[0] == {"products": [{"id": "var-9", "stock": 2}]}


async def test_id_of_other_sku_rejected() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=Catalog(PAD), repeat=True)
        async with make_client() as client:
            with pytest.raises(
                ProductLookupError, match="does not belong to seller SKU"
            ):
                await client.feeds.update_stock(
                    [StockUpdate(id="var-2", seller_sku="PAD-BLK", stock=5)]
                )


async def test_unknown_seller_sku_raises() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=Catalog(PAD), repeat=True)
        async with make_client() as client:
            with pytest.raises(ProductLookupError) as caught:
                await client.feeds.update_stock(
                    [
                        StockUpdate(seller_sku="NOPE", stock=1),
                        StockUpdate(seller_sku="PAD-BLK", stock=1),
                    ]
                )
    assert caught.value.seller_skus == ("NOPE",)
    assert "no product has seller SKU 'NOPE'" in str(caught.value)


async def test_seller_sku_in_two_products_is_ambiguous() -> None:
    twin = product_set("set-9", ("var-9", "PAD-BLK"))
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=Catalog(PAD, twin), repeat=True)
        async with make_client() as client:
            with pytest.raises(ProductLookupError, match="matches several variations"):
                await client.feeds.resolve_seller_skus(["PAD-BLK"])
            refs = await client.feeds.resolve_seller_skus(["PAD-WHT"])
    assert refs["PAD-WHT"].variation_id == "var-2"
    assert refs["PAD-WHT"].product_set_id == "set-1"


async def test_seller_sku_matches_without_case() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        # The API matched the SKU without case; the reply spells it in capitals.
        mock.get(PRODUCTS, payload={"products": [PAD], "isLastPage": True}, repeat=True)
        async with make_client() as client:
            refs = await client.feeds.resolve_seller_skus(["pad-blk"])
    assert refs["pad-blk"].variation_id == "var-1"


async def test_verify_ids_off_skips_lookups() -> None:
    server = FeedServer()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.post(STOCK, callback=server)
        async with make_client() as client:
            await client.feeds.update_stock(
                [StockUpdate(id="set-1", seller_sku="PAD-BLK", stock=1)],
                verify_ids=False,
            )
    assert server.bodies[0]["products"] == [
        {"id": "set-1", "stock": 1, "sellerSku": "PAD-BLK"}
    ]


async def test_preload_fills_cache() -> None:
    catalog = Catalog(PAD, CABLE)
    server = FeedServer()

    def everything(url: Any, **kwargs: Any) -> CallbackResult:
        catalog.queries.append(query_of(url))
        return CallbackResult(payload={"products": [PAD, CABLE], "isLastPage": True})

    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=everything, repeat=True)
        mock.post(STOCK, callback=server)
        async with make_client() as client:
            count = await client.feeds.preload_variation_ids()
            await client.feeds.update_stock(
                [
                    StockUpdate(seller_sku="CABLE", stock=3),
                    StockUpdate(id="var-1", stock=4),
                ]
            )

    assert count == 3
    assert len(catalog.queries) == 1
    assert server.bodies[0]["products"] == [
        {"id": "var-3", "stock": 3, "sellerSku": "CABLE"},
        {"id": "var-1", "stock": 4},
    ]


# --- other feed bodies ------------------------------------------------------


async def test_price_update_clears_sale_with_nulls() -> None:
    server = FeedServer()
    update = PriceUpdate(
        id="var-1",
        category_code="1004141",
        price=FeedPrice(currency="GHS", value=150, sale_price=FeedSalePrice.clear()),
        business_clients=[
            BusinessClientPrice(
                business_client_code="jumia-gh",
                price=FeedPrice(
                    currency="GHS", value=140, sale_price=FeedSalePrice.clear()
                ),
            )
        ],
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=Catalog(PAD), repeat=True)
        mock.post(PRICE, callback=server)
        async with make_client() as client:
            await client.feeds.update_prices([update])

    cleared = {"value": None, "startAt": None, "endAt": None}
    assert server.bodies[0]["products"] == [
        {
            "id": "var-1",
            "category": 1004141,
            "price": {"currency": "GHS", "value": 150, "salePrice": cleared},
            "businessClients": [
                {
                    "businessClientCode": "jumia-gh",
                    "price": {"currency": "GHS", "value": 140, "salePrice": cleared},
                }
            ],
        }
    ]


async def test_price_update_checks_sale_before_sending() -> None:
    start = datetime.now(UTC) + timedelta(days=1)
    bad = PriceUpdate(
        seller_sku="PAD-BLK",
        price=FeedPrice(
            currency="GHS",
            value=150,
            sale_price=FeedSalePrice(value=160, start_at=start, end_at=start),
        ),
    )
    with aioresponses() as mock:
        async with make_client() as client:
            with pytest.raises(ValueError, match=r"PAD-BLK: price\.sale_price\.value"):
                await client.feeds.update_prices([bad])
        assert mock.requests == {}


async def test_status_body() -> None:
    server = FeedServer()
    update = StatusUpdate(
        seller_sku="PAD-BLK",
        status="inactive",
        business_client_codes=["jumia-gh", "JUMIA-KE"],
        created_at=date(2026, 9, 1),
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=Catalog(PAD), repeat=True)
        mock.post(STATUS, callback=server)
        async with make_client() as client:
            submission = await client.feeds.update_status([update])

    assert submission.feed_type is FeedType.PRODUCT_STATUS_UPDATE
    assert server.bodies[0]["products"] == [
        {
            "id": "var-1",
            "sellerSku": "PAD-BLK",
            "createdAt": "2026-09-01",
            "businessClients": [
                {"businessClientCode": "jumia-gh", "status": "INACTIVE"},
                {"businessClientCode": "jumia-ke", "status": "INACTIVE"},
            ],
        }
    ]


async def test_update_products_body_and_shop() -> None:
    server = FeedServer()
    update = ProductUpdate(
        seller_sku="PAD-WHT",
        name="Wireless Gamepad, White",
        attributes={"color": "White"},
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(PRODUCTS, callback=Catalog(PAD), repeat=True)
        mock.post(UPDATE, callback=server)
        async with make_client() as client:
            await client.feeds.update_products([update], shop_id="shop-1")

    assert server.bodies[0] == {
        "shopId": "shop-1",
        "products": [
            {
                "id": "var-2",
                "sellerSku": "PAD-WHT",
                "name": {"value": "Wireless Gamepad, White", "translations": []},
                "attributes": [{"name": "color", "value": "White", "translations": []}],
            }
        ],
    }


# --- waiting ----------------------------------------------------------------


async def test_wait_returns_partial_result() -> None:
    finished = fixture("feed_partial.json")
    states = FeedStates(
        {"feedSid": finished["feedSid"], "status": "PENDING"},
        {"feedSid": finished["feedSid"], "status": "In Progress", "feedItems": []},
        finished,
    )
    feed_id = finished["feedSid"]
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(url_pattern(f"/feeds/{feed_id}"), callback=states, repeat=True)
        async with make_client() as client:
            fast_polls(client)
            result = await client.feeds.wait(feed_id, timeout=5, **FAST)

    assert states.calls == 3
    assert result.feed_id == feed_id
    assert result.status == "COMPLETED"
    assert list(result.succeeded) == ["SKU-1"]
    assert list(result.failed) == ["SKU-2"]
    failed = result.failed["SKU-2"]
    assert failed.messages == ("The column [product_weight] is missing from the file",)
    assert failed.product_id is None
    assert (
        result.succeeded["SKU-1"].product_id == "a3f0c9d1-1111-4e2b-9c3d-000000000009"
    )
    result.raise_for_status()


async def test_wait_on_failed_feed() -> None:
    failed = feed_state(
        "FAILED",
        feedType="STOCK_UPDATE",
        feedItems=[
            {
                "status": "FAILED",
                "sellerSKU": "A",
                "errorMessage": "Product by Sid [x] not found.",
            }
        ],
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(
            FEED_1, callback=FeedStates(feed_state("PROCESSING"), failed), repeat=True
        )
        async with make_client() as client:
            fast_polls(client)
            result = await client.feeds.wait("feed-1", timeout=5, **FAST)

    assert result.feed.is_failed is True
    with pytest.raises(FeedFailedError, match="Product by Sid") as caught:
        result.raise_for_status()
    assert caught.value.feed_id == "feed-1"


@pytest.mark.parametrize(("status", "failed"), [("DONE", False), ("ERROR", True)])
async def test_wait_reads_other_final_statuses(status: str, failed: bool) -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(FEED_1, payload=feed_state(status), repeat=True)
        async with make_client() as client:
            fast_polls(client)
            result = await client.feeds.wait("feed-1", timeout=5, **FAST)
    assert result.feed.is_failed is failed


async def test_wait_deadline_names_last_status() -> None:
    states = FeedStates(feed_state("IN_PROGRESS"))
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(FEED_1, callback=states, repeat=True)
        async with make_client() as client:
            fast_polls(client)
            with pytest.raises(
                FeedTimeoutError, match="last status IN_PROGRESS"
            ) as caught:
                await client.feeds.wait("feed-1", timeout=0.02, **FAST)
    assert caught.value.feed_id == "feed-1"
    assert states.calls >= 2


async def test_wait_many_with_submission() -> None:
    submission = FeedSubmission(
        feed_type=FeedType.STOCK_UPDATE, feed_ids=("feed-1", "feed-2")
    )
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(
            FEED_1,
            callback=FeedStates(feed_state("PENDING"), feed_state("COMPLETED")),
            repeat=True,
        )
        mock.get(
            FEED_2, payload={"feedId": "feed-2", "status": "COMPLETED"}, repeat=True
        )
        async with make_client() as client:
            fast_polls(client)
            results = await client.feeds.wait_many(submission, timeout=5, **FAST)
    assert list(results) == ["feed-1", "feed-2"]
    assert results["feed-2"].feed_id == "feed-2"


async def test_wait_many_deadline_keeps_finished() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(FEED_1, payload=feed_state("COMPLETED"), repeat=True)
        mock.get(FEED_2, payload={"status": "PENDING"}, repeat=True)
        async with make_client() as client:
            fast_polls(client)
            with pytest.raises(FeedBatchTimeoutError) as caught:
                await client.feeds.wait_many(["feed-1", "feed-2"], timeout=0.02, **FAST)

    error = caught.value
    assert isinstance(error, FeedTimeoutError)
    assert error.feed_id == "feed-2"
    assert error.pending == {"feed-2": "PENDING"}
    assert list(error.finished) == ["feed-1"]


async def test_wait_many_propagates_read_error() -> None:
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(FEED_1, payload=feed_state("PENDING"), repeat=True)
        mock.get(FEED_2, status=404, body="", repeat=True)
        async with make_client() as client:
            fast_polls(client)
            with pytest.raises(Exception, match="HTTP 404"):
                await client.feeds.wait_many(["feed-1", "feed-2"], timeout=5, **FAST)


class CountingLimiter(AsyncLimiter):
    """An AsyncLimiter that counts acquisitions."""

    def __init__(self) -> None:
        super().__init__(1000, 1)
        self.acquired = 0

    async def acquire(self, amount: float = 1) -> None:
        self.acquired += 1
        await super().acquire(amount)


async def test_polls_go_through_poll_limiter() -> None:
    limiter = CountingLimiter()
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(
            FEED_1,
            callback=FeedStates(feed_state("PENDING"), feed_state("COMPLETED")),
            repeat=True,
        )
        async with make_client() as client:
            client.feeds.poll_limiter = limiter
            await client.feeds.wait("feed-1", timeout=5, **FAST)
    assert limiter.acquired == 2


async def test_feed_reads_drift_forms() -> None:
    reply = {
        "feedId": "feed-1",
        "status": "in progress",
        "items": [{"sellerSku": "A", "status": "PENDING", "productSid": None}],
    }
    with aioresponses() as mock:
        mock.post(TOKEN_URL, callback=TokenServer(), repeat=True)
        mock.get(FEED_1, payload=reply)
        async with make_client() as client:
            feed = await client.feeds.feed("feed-1")
    assert feed.id == "feed-1"
    assert feed.status == "IN_PROGRESS"
    assert feed.is_finished is False
    assert feed.feed_items[0].seller_sku == "A"
    assert feed.feed_items[0].failed is False


# --- bad arguments ----------------------------------------------------------


async def test_submissions_reject_bad_arguments() -> None:
    product = new_product(1)
    with aioresponses() as mock:
        async with make_client() as client:
            feeds = client.feeds
            with pytest.raises(ValueError, match="products is empty"):
                await feeds.create_products("shop-1", [])
            with pytest.raises(TypeError, match="wrap it in a list"):
                await feeds.create_products("shop-1", product)  # type: ignore[arg-type]
            with pytest.raises(ValueError, match="shop_id=''"):
                await feeds.create_products("", [product])
            with pytest.raises(ValueError, match="lists 'SKU-1' twice"):
                await feeds.create_products("shop-1", [product, product])
            with pytest.raises(TypeError, match=r"items\[0\] is .*; use StockUpdate"):
                await feeds.update_stock([{"sellerSku": "A", "stock": 1}])  # type: ignore[list-item]
            with pytest.raises(ValueError, match="lists 'A' twice"):
                await feeds.update_stock(
                    [
                        StockUpdate(seller_sku="A", stock=1),
                        StockUpdate(seller_sku="A", stock=2),
                    ]
                )
            with pytest.raises(ValueError, match="poll_interval=0"):
                await feeds.wait("feed-1", poll_interval=0)
            with pytest.raises(ValueError, match="below poll_interval"):
                await feeds.wait("feed-1", poll_interval=5, max_poll_interval=1)
            with pytest.raises(ValueError, match="feed_ids is empty"):
                await feeds.wait_many([])
            with pytest.raises(TypeError, match="AsyncLimiter"):
                feeds.poll_limiter = object()  # type: ignore[assignment]
        assert mock.requests == {}


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: StockUpdate(seller_sku="A", stock=-1), ValueError, "is negative"),
        (lambda: StockUpdate(stock=1), ValueError, "needs id"),
        (
            lambda: StockUpdate(seller_sku="A", stock=1.5),  # type: ignore[arg-type]
            TypeError,
            "must be an int",
        ),
        (
            lambda: StatusUpdate(
                seller_sku="A", status="DELETED", business_client_codes="jumia-gh"
            ),
            ValueError,
            "only Jumia sets DELETED",
        ),
        (
            lambda: StatusUpdate(
                seller_sku="A", status="ACTIVE", business_client_codes=[]
            ),
            ValueError,
            "business_client_codes is empty",
        ),
        (lambda: PriceUpdate(seller_sku="A"), ValueError, "has no price"),
        (lambda: ProductUpdate(seller_sku="A"), ValueError, "changes nothing"),
        (
            lambda: ProductUpdate(id=" ", name="x"),
            ValueError,
            "ProductUpdate.id is empty",
        ),
    ],
)
def test_update_models_check_arguments(
    build: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        build()
