"""The sandbox's product feeds, quality control and product updates."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from jumia_async._limits import FEED_PRODUCTS_MAX
from jumia_async.sandbox import ManualClock, Sandbox, SandboxConfig, run_sandbox

START = datetime(2025, 6, 24, 12, 0, tzinfo=UTC).timestamp()
GENERIC = 1045133
# Long enough for a feed to finish with the default timing.
FEED_SECONDS = 0.2
# Long enough for quality control to decide with the default timing.
QC_SECONDS = 0.4
UUID_LENGTH = 36


class Api:
    """Authenticated calls against one sandbox on a ManualClock."""

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
        self.headers = {"Authorization": f"Bearer {token}"}
        self.shop = sandbox.state.accounts[0].shops[0]

    async def request(
        self, method: str, path: str, *, body: Any = None, params: Any = None
    ) -> tuple[int, Any]:
        async with self.session.request(
            method,
            f"{self.sandbox.url}{path}",
            headers=self.headers,
            json=body,
            params=params or [],
        ) as response:
            return response.status, await response.json()

    async def submit(
        self, kind: str, products: list[dict[str, Any]], **extra: Any
    ) -> str:
        body = {"products": products, **extra}
        if kind == "create":
            body.setdefault("shopId", self.shop.id)
        status, reply = await self.request("POST", f"/feeds/products/{kind}", body=body)
        assert status == 200, reply
        assert set(reply) == {"feedId"}
        feed_id: str = reply["feedId"]
        return feed_id

    async def feed(self, feed_id: str) -> dict[str, Any]:
        status, body = await self.request("GET", f"/feeds/{feed_id}")
        assert status == 200, body
        return dict(body)

    async def finished_feed(
        self, kind: str, products: list[dict[str, Any]], **extra: Any
    ) -> dict[str, Any]:
        feed_id = await self.submit(kind, products, **extra)
        self.clock.advance(FEED_SECONDS)
        return await self.feed(feed_id)

    async def create(self, *products: dict[str, Any]) -> list[str]:
        """Create products and return their variation ids, in order."""
        feed = await self.finished_feed("create", list(products))
        assert feed["status"] == "COMPLETED", feed
        return [item["productSid"] for item in feed["feedItems"]]

    async def product_by_sku(self, seller_sku: str) -> dict[str, Any]:
        status, body = await self.request(
            "GET", "/catalog/products", params=[("sellerSku", seller_sku)]
        )
        assert status == 200, body
        (product,) = body["products"]
        return dict(product)

    async def stock(self, variation_id: str) -> int:
        status, body = await self.request(
            "GET", "/catalog/stock", params=[("productSids", variation_id)]
        )
        assert status == 200, body
        stock: int = body["products"][0]["globalStock"]
        return stock

    def category_code(self, name: str) -> int:
        return next(
            category.code
            for category in self.sandbox.state.reference.categories
            if category.name == name
        )

    def product(self, seller_sku: str = "PHONE-1", **changes: Any) -> dict[str, Any]:
        """Return a valid create item for a smartphone in the first shop (Ghana)."""
        product: dict[str, Any] = {
            "name": {"value": "Smart Phone 6.5 inch Dual SIM", "translations": []},
            "description": {"value": "A phone for the sandbox.", "translations": []},
            "parentSku": seller_sku,
            "sellerSku": seller_sku,
            "variation": "Black",
            "barcodeEan": "",
            "brand": {"code": GENERIC, "name": "Generic"},
            "category": {"code": self.category_code("Smartphones")},
            "images": [
                {"url": "https://images.test/phone-1.jpg", "primary": True},
                {"url": "https://images.test/phone-2.jpg", "primary": False},
            ],
            "price": {"currency": "GHS", "value": 1500},
            "stock": 10,
            "attributes": [
                {"name": "short_description", "value": "<ul><li>Fast</li></ul>"},
                {"name": "product_weight", "value": "0.4"},
            ],
        }
        product.update(changes)
        return product


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
        yield Api(session, sandbox, clock, token)


async def test_create_feed_lifecycle() -> None:
    """PENDING, then IN_PROGRESS, then COMPLETED with the new variation id."""
    async with api() as client:
        feed_id = await client.submit("create", [client.product()])
        pending = await client.feed(feed_id)
        client.clock.advance(0.05)
        running = await client.feed(feed_id)
        client.clock.advance(0.1)
        done = await client.feed(feed_id)
        product = await client.product_by_sku("PHONE-1")

    assert pending["status"] == "PENDING"
    assert pending["feedSid"] == feed_id
    assert pending["feedType"] == "PRODUCT_CREATION"
    assert pending["total"] == 1
    item = pending["feedItems"][0]
    assert item["productSid"] == "Product Sid not found on the payload"
    assert item["sellerSKU"] == "PHONE-1"
    assert item["errorMessage"] is None
    assert running["status"] == "IN_PROGRESS"

    assert done["status"] == "COMPLETED"
    assert (done["completed"], done["failed"]) == (1, 0)
    item = done["feedItems"][0]
    assert item["status"] == "SUCCESS"
    assert item["errors"] == {"globalMessages": [], "businessClients": []}
    variation = product["variations"][0]
    assert item["productSid"] == variation["id"]
    assert len(variation["id"]) == UUID_LENGTH
    assert product["id"] != variation["id"]
    assert product["name"] == "Smart Phone 6.5 inch Dual SIM"
    listing = variation["businessClients"][0]
    assert listing["code"] == "jumia-gh"
    assert listing["qc"]["status"] == "NOT_READY_TO_QC"
    assert listing["sku"] == ""
    assert listing["visible"] is False
    assert listing["price"]["localValue"] == 1500
    assert listing["price"]["value"] == 100


async def test_qc_approves_after_review() -> None:
    async with api() as client:
        await client.create(client.product())
        client.clock.advance(0.1)
        queued = await client.product_by_sku("PHONE-1")
        client.clock.advance(0.2)
        approved = await client.product_by_sku("PHONE-1")

    assert queued["variations"][0]["businessClients"][0]["qc"]["status"] == "PENDING"
    listing = approved["variations"][0]["businessClients"][0]
    assert listing["qc"]["status"] == "APPROVED"
    assert listing["qc"]["lastApprovedAt"] is not None
    assert listing["qc"]["rejectionReason"] is None
    assert listing["sku"]
    assert listing["visible"] is True


async def test_qc_rejects_marked_sku() -> None:
    async with api() as client:
        await client.create(client.product("PHONE-REJECT-1"))
        client.clock.advance(QC_SECONDS)
        product = await client.product_by_sku("PHONE-REJECT-1")

    qc = product["variations"][0]["businessClients"][0]["qc"]
    assert qc["status"] == "REJECTED"
    assert qc["rejectionReason"] == "Wrong Category"
    assert qc["rejectionComment"].startswith("Category mismatch")
    assert qc["lastApprovedAt"] is None


async def test_qc_rejection_rate() -> None:
    async with api(qc_rejection_rate=1.0) as client:
        await client.create(client.product())
        client.clock.advance(QC_SECONDS)
        product = await client.product_by_sku("PHONE-1")

    qc = product["variations"][0]["businessClients"][0]["qc"]
    assert qc["status"] == "REJECTED"
    assert qc["rejectionReason"]
    assert qc["rejectionComment"]


async def test_qc_hooks_decide_early() -> None:
    async with api() as client:
        (approved_id, rejected_id) = await client.create(
            client.product("PHONE-1"), client.product("PHONE-2")
        )
        state = client.sandbox.state
        state.approve_product(client.sandbox.client_id, approved_id)
        state.reject_product(
            client.sandbox.client_id,
            rejected_id,
            reason="Wrong Category",
            comment="Category mismatch: Grocery",
        )
        client.clock.advance(QC_SECONDS)
        approved = state.variation(client.sandbox.client_id, approved_id)
        rejected = state.variation(client.sandbox.client_id, rejected_id)

    assert approved.listings["jumia-gh"].qc_status == "APPROVED"
    assert rejected.listings["jumia-gh"].qc_status == "REJECTED"
    assert (
        rejected.listings["jumia-gh"].rejection_comment == "Category mismatch: Grocery"
    )


def _without(product: dict[str, Any], key: str) -> dict[str, Any]:
    changed = copy.deepcopy(product)
    del changed[key]
    return changed


REJECTIONS: list[tuple[str, dict[str, Any], str]] = [
    (
        "missing parent SKU",
        {"parentSku": None},
        "Required field [Product.ParentSKU] is missing or null.",
    ),
    ("empty variation", {"variation": ""}, "Required field [Product.Variation]"),
    (
        "variation outside options",
        {"variation": "Navy Blue"},
        "Attribute [variation] with invalid value [Navy Blue]",
    ),
    (
        "brand in name",
        {"name": {"value": "Generic Smart Phone 6.5 inch"}},
        "Product name contains Brand name [Generic]",
    ),
    (
        "price under minimum",
        {"price": {"currency": "GHS", "value": 3}},
        "The Global Price [3] GHS must be equal or more than [8.81] GHS.",
    ),
    (
        "sale price without dates",
        {"price": {"currency": "GHS", "value": 1500, "salePrice": {"value": 1200}}},
        "Attribute [Product.Price.SalePrice.StartAt] with invalid value [null].",
    ),
    (
        "no primary image",
        {"images": [{"url": "https://images.test/phone-1.jpg", "primary": False}]},
        "Required field [Product.Image.Primary] is missing or null.",
    ),
    (
        "missing mandatory attribute",
        {"attributes": [{"name": "short_description", "value": "<ul></ul>"}]},
        "The column [product_weight] is missing from the file",
    ),
    (
        "invalid attribute option",
        {
            "attributes": [
                {"name": "short_description", "value": "<ul></ul>"},
                {"name": "product_weight", "value": "0.4"},
                {"name": "color_family", "value": "Black,Purple"},
            ]
        },
        "Attribute [color_family] with invalid value [Black,Purple]",
    ),
    (
        "attribute of another set",
        {
            "attributes": [
                {"name": "short_description", "value": "<ul></ul>"},
                {"name": "product_weight", "value": "0.4"},
                {"name": "shoe_size", "value": "42"},
            ]
        },
        "Attribute [shoe_size] is not visible for category [Smartphones]",
    ),
    (
        "foreign currency",
        {"price": {"currency": "EUR", "value": 150}},
        "Submitted currency [EUR] is different from the shop default currency [GHS].",
    ),
    ("missing stock", {"stock": None}, "The initial Stock is mandatory."),
    ("unknown brand", {"brand": {"code": 42}}, "Brand not found by code [42]."),
]


@pytest.mark.parametrize(
    ("changes", "message"),
    [(changes, message) for _, changes, message in REJECTIONS],
    ids=[case for case, _, _ in REJECTIONS],
)
async def test_create_rejection_messages(changes: dict[str, Any], message: str) -> None:
    async with api() as client:
        product = client.product(**changes)
        feed = await client.finished_feed("create", [product])

    item = feed["feedItems"][0]
    assert item["status"] == "FAILED"
    assert item["productSid"] == "Product Sid not found on the payload"
    assert any(text.startswith(message) for text in item["errors"]["globalMessages"])
    assert item["errorMessage"] == item["errors"]["globalMessages"][0]


@pytest.mark.parametrize("category", ["Mobile Phones", "Home Audio", "Audio"])
async def test_create_rejects_unlistable_category(category: str) -> None:
    """A category with children or without an attribute set takes no products."""
    async with api() as client:
        product = client.product(category={"code": client.category_code(category)})
        feed = await client.finished_feed("create", [product])

    assert feed["feedItems"][0]["errorMessage"] == (
        "You can't list products in this category. Please choose a different "
        "(more specific) category and try again."
    )


async def test_create_rejects_generic_fashion() -> None:
    async with api() as client:
        product = client.product(
            category={"code": client.category_code("T-Shirts")},
            variation="M",
            attributes=[
                {"name": "short_description", "value": "<ul></ul>"},
                {"name": "product_weight", "value": "0.2"},
                {"name": "main_material", "value": "Cotton"},
            ],
        )
        feed = await client.finished_feed("create", [product])

    item = feed["feedItems"][0]
    assert item["errors"]["globalMessages"] == [
        "Product category doesn't allow Generic brand"
    ]


async def test_create_reports_every_problem() -> None:
    async with api() as client:
        product = client.product(parentSku=None, stock=None)
        feed = await client.finished_feed("create", [_without(product, "images")])

    messages = feed["feedItems"][0]["errors"]["globalMessages"]
    assert messages == [
        "Required field [Product.ParentSKU] is missing or null.",
        "Required field [Product.Image.Primary] is missing or null.",
        "The initial Stock is mandatory.",
    ]


async def test_create_accepts_docs_example_types() -> None:
    """Codes as strings, variation as a number, primary as 1 and a free axis."""
    async with api() as client:
        product = client.product(
            brand={"code": str(GENERIC)},
            category={"code": str(client.category_code("Chargers"))},
            variation=1,
            images=[{"url": "https://images.test/c.jpg", "primary": 1}],
        )
        feed = await client.finished_feed("create", [product])

    assert feed["status"] == "COMPLETED", feed


async def test_create_accepts_placeholder_variation() -> None:
    async with api() as client:
        feed = await client.finished_feed("create", [client.product(variation="...")])

    assert feed["status"] == "COMPLETED", feed


async def test_variations_share_product_set() -> None:
    async with api() as client:
        black, white = await client.create(
            client.product("PHONE-BLK", parentSku="PHONE"),
            client.product("PHONE-WHT", parentSku="PHONE", variation="white"),
        )
        product = await client.product_by_sku("PHONE-WHT")

    assert [item["id"] for item in product["variations"]] == [black, white]
    assert [item["variation"] for item in product["variations"]] == ["Black", "White"]
    assert product["variations"][1]["attributes"] == [
        {"name": "color", "value": "White"}
    ]


async def test_duplicate_variation_in_parent() -> None:
    """The second product with the same variation fails, but the feed completes."""
    async with api() as client:
        feed = await client.finished_feed(
            "create",
            [
                client.product("PHONE-A", parentSku="PHONE"),
                client.product("PHONE-B", parentSku="PHONE"),
            ],
        )

    assert feed["status"] == "COMPLETED"
    assert (feed["completed"], feed["failed"]) == (1, 1)
    first, second = feed["feedItems"]
    assert first["status"] == "SUCCESS"
    assert second["errorMessage"] == (
        "Product with variation [Black] already exists in parent sku [PHONE]"
    )


async def test_duplicate_seller_sku_rejected() -> None:
    async with api() as client:
        await client.create(client.product())
        feed = await client.finished_feed(
            "create", [client.product(parentSku="OTHER", variation="White")]
        )

    assert feed["feedItems"][0]["errorMessage"] == (
        "Product with seller sku [PHONE-1] already exists."
    )


async def test_feed_fails_when_every_item_fails() -> None:
    async with api() as client:
        feed = await client.finished_feed(
            "create",
            [client.product("A", variation=""), client.product("B", parentSku="")],
        )

    assert feed["status"] == "FAILED"
    assert (feed["total"], feed["completed"], feed["failed"]) == (2, 0, 2)


async def test_create_for_foreign_shop_fails() -> None:
    async with api() as client:
        foreign = "00000000-0000-4000-8000-000000000001"
        feed = await client.finished_feed("create", [client.product()], shopId=foreign)

    assert feed["status"] == "FAILED"
    assert feed["feedItems"][0]["errorMessage"] == (
        f"User does not have permissions to the provided shop [{foreign}]."
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/feeds/products/create", {"products": [{"sellerSku": "A"}]}),
        ("/feeds/products/create", {"shopId": "shop-1", "products": [{}]}),
        ("/feeds/products/stock", {"products": []}),
        ("/feeds/products/stock", {"products": ["id-1"]}),
        ("/feeds/products/price", {"items": [{}]}),
        ("/feeds/products/status", [{"id": "x"}]),
    ],
)
async def test_feed_submission_rejected(path: str, body: Any) -> None:
    async with api() as client:
        status, reply = await client.request("POST", path, body=body)

    assert status == 400
    assert reply["status"] == 400
    assert reply["error"] == "Bad Request"
    assert reply["path"] == path


async def test_feed_product_limit() -> None:
    async with api() as client:
        products = [{"id": f"id-{number}", "stock": 1} for number in range(1001)]
        too_many, _ = await client.request(
            "POST", "/feeds/products/stock", body={"products": products}
        )
        feeds = client.sandbox.state.accounts[0].catalog.feeds

    assert too_many == 400
    assert feeds == {}


async def test_full_create_feed_of_1000_products() -> None:
    """1000 products with long descriptions fit in one request and all succeed."""
    async with api() as client:
        description = {"value": "Long text. " * 200, "translations": []}
        products = [
            client.product(f"BULK-{number:04d}", description=description)
            for number in range(FEED_PRODUCTS_MAX)
        ]
        raw = json.dumps({"shopId": client.shop.id, "products": products}).encode()
        # aiohttp warns when a body this large is sent as bytes, not a stream.
        async with client.session.post(
            f"{client.sandbox.url}/feeds/products/create",
            headers={**client.headers, "Content-Type": "application/json"},
            data=io.BytesIO(raw),
        ) as response:
            assert response.status == 200
            feed_id = (await response.json())["feedId"]
        client.clock.advance(FEED_SECONDS)
        feed = await client.feed(feed_id)

    assert len(raw) > 2**21
    assert feed["status"] == "COMPLETED"
    assert feed["completed"] == FEED_PRODUCTS_MAX
    assert feed["failed"] == 0


async def test_unknown_feed() -> None:
    async with api() as client:
        status, body = await client.request(
            "GET", "/feeds/00000000-0000-4000-8000-000000000002"
        )

    assert status == 404
    assert body["status"] == 404


async def test_changes_rejected_before_approval() -> None:
    async with api(qc_queue_seconds=60.0) as client:
        (variation_id,) = await client.create(client.product())
        message = (
            f"Product by Sid [{variation_id}] cannot be updated before the product "
            "is approved by quality control."
        )
        feeds = [
            await client.finished_feed("stock", [{"id": variation_id, "stock": 5}]),
            await client.finished_feed(
                "price",
                [{"id": variation_id, "price": {"currency": "GHS", "value": 900}}],
            ),
            await client.finished_feed(
                "status",
                [
                    {
                        "id": variation_id,
                        "businessClients": [
                            {"businessClientCode": "jumia-gh", "status": "INACTIVE"}
                        ],
                    }
                ],
            ),
            await client.finished_feed(
                "update", [{"id": variation_id, "name": {"value": "New Phone Name"}}]
            ),
        ]
        stock = await client.stock(variation_id)

    for feed in feeds:
        item = feed["feedItems"][0]
        assert feed["status"] == "FAILED"
        assert item["errorMessage"] == message
        assert item["productSid"] == variation_id
        assert item["sellerSKU"] == "PHONE-1"
    assert stock == 10


async def test_stock_and_price_after_approval() -> None:
    async with api() as client:
        (variation_id,) = await client.create(client.product())
        client.clock.advance(QC_SECONDS)
        stock_feed = await client.finished_feed(
            "stock", [{"sellerSku": "PHONE-1", "id": variation_id, "stock": 5}]
        )
        price_feed = await client.finished_feed(
            "price",
            [
                {
                    "id": variation_id,
                    "category": client.category_code("Smartphones"),
                    "price": {"currency": "GHS", "value": 900},
                }
            ],
        )
        stock = await client.stock(variation_id)
        product = await client.product_by_sku("PHONE-1")

    assert stock_feed["feedType"] == "STOCK_UPDATE"
    assert stock_feed["feedItems"][0]["status"] == "SUCCESS"
    assert stock == 5
    assert price_feed["feedType"] == "PRICE_UPDATE"
    assert price_feed["status"] == "COMPLETED"
    variation = product["variations"][0]
    assert variation["globalPrice"]["value"] == 900
    assert variation["businessClients"][0]["price"]["localValue"] == 900


async def test_sale_price_set_and_cleared() -> None:
    async with api() as client:
        (variation_id,) = await client.create(client.product())
        client.clock.advance(QC_SECONDS)
        sale = {"value": 1200, "startAt": "2025-07-01 00:00", "endAt": "2025-07-10"}
        await client.finished_feed(
            "price",
            [
                {
                    "id": variation_id,
                    "price": {"currency": "GHS", "value": 1500, "salePrice": sale},
                }
            ],
        )
        on_sale = await client.product_by_sku("PHONE-1")
        cleared_feed = await client.finished_feed(
            "price",
            [
                {
                    "id": variation_id,
                    "price": {
                        "currency": "GHS",
                        "value": 1500,
                        "salePrice": {"value": None, "startAt": None, "endAt": None},
                    },
                }
            ],
        )
        cleared = await client.product_by_sku("PHONE-1")

    global_sale = on_sale["variations"][0]["globalPrice"]["salePrice"]
    assert global_sale == {
        "value": 1200,
        "startAt": "2025-07-01T00:00:00Z",
        "endAt": "2025-07-10T23:59:59Z",
    }
    local_sale = on_sale["variations"][0]["businessClients"][0]["price"]["salePrice"]
    assert local_sale["localValue"] == 1200
    assert local_sale["value"] == 80
    assert cleared_feed["feedItems"][0]["status"] == "SUCCESS"
    assert cleared["variations"][0]["globalPrice"]["salePrice"] == {
        "value": None,
        "startAt": None,
        "endAt": None,
    }


async def test_price_without_sale_keeps_sale() -> None:
    async with api() as client:
        sale = {"value": 1200, "startAt": "2025-07-01", "endAt": "2025-07-10"}
        (variation_id,) = await client.create(
            client.product(price={"currency": "GHS", "value": 1500, "salePrice": sale})
        )
        client.clock.advance(QC_SECONDS)
        await client.finished_feed(
            "price",
            [{"id": variation_id, "price": {"currency": "GHS", "value": 1400}}],
        )
        product = await client.product_by_sku("PHONE-1")

    price = product["variations"][0]["globalPrice"]
    assert price["value"] == 1400
    assert price["salePrice"]["value"] == 1200


async def test_business_client_price_overrides_global() -> None:
    async with api() as client:
        (variation_id,) = await client.create(client.product())
        client.clock.advance(QC_SECONDS)
        await client.finished_feed(
            "price",
            [
                {
                    "id": variation_id,
                    "businessClients": [
                        {
                            "businessClientCode": "jumia-gh",
                            "price": {"currency": "GHS", "value": 1350},
                        }
                    ],
                }
            ],
        )
        local = await client.product_by_sku("PHONE-1")
        await client.finished_feed(
            "price",
            [{"id": variation_id, "price": {"currency": "USD", "value": 90}}],
        )
        reset = await client.product_by_sku("PHONE-1")

    assert local["variations"][0]["businessClients"][0]["price"]["localValue"] == 1350
    assert local["variations"][0]["globalPrice"]["value"] == 1500
    reset_price = reset["variations"][0]["businessClients"][0]["price"]
    assert reset_price["value"] == 90
    assert reset_price["localValue"] == 1350


async def test_price_rejections() -> None:
    async with api() as client:
        (variation_id,) = await client.create(client.product())
        client.clock.advance(QC_SECONDS)
        feed = await client.finished_feed(
            "price",
            [
                {"id": variation_id, "price": {"currency": "GHS", "value": 2}},
                {
                    "id": variation_id,
                    "price": {
                        "currency": "GHS",
                        "value": 1500,
                        "salePrice": {"value": 1000, "startAt": "2025-07-01"},
                    },
                },
            ],
        )

    low, open_sale = feed["feedItems"]
    assert low["errorMessage"] == (
        "The Global Price [2] GHS must be equal or more than [8.81] GHS."
    )
    assert open_sale["errorMessage"] == (
        "Attribute [Product.Price.SalePrice.EndAt] with invalid value [null]."
    )


async def test_status_feed_deactivates() -> None:
    async with api() as client:
        (variation_id,) = await client.create(client.product())
        client.clock.advance(QC_SECONDS)
        feed = await client.finished_feed(
            "status",
            [
                {
                    "id": variation_id,
                    "sellerSku": "PHONE-1",
                    "createdAt": "2025-06-24",
                    "businessClients": [
                        {"businessClientCode": "jumia-gh", "status": "INACTIVE"}
                    ],
                }
            ],
        )
        product = await client.product_by_sku("PHONE-1")

    assert feed["feedType"] == "PRODUCT_STATUS_UPDATE"
    assert feed["status"] == "COMPLETED"
    listing = product["variations"][0]["businessClients"][0]
    assert listing["status"] == "INACTIVE"
    assert listing["visible"] is False


async def test_status_feed_rejections() -> None:
    async with api() as client:
        (variation_id,) = await client.create(client.product())
        client.clock.advance(QC_SECONDS)
        feed = await client.finished_feed(
            "status",
            [
                {
                    "id": variation_id,
                    "businessClients": [
                        {"businessClientCode": "jumia-gh", "status": "DELETED"}
                    ],
                },
                {
                    "id": variation_id,
                    "businessClients": [
                        {"businessClientCode": "jumia-ng", "status": "ACTIVE"}
                    ],
                },
            ],
        )

    deleted, foreign = feed["feedItems"]
    assert deleted["errorMessage"] == (
        "Attribute [Product.BusinessClients.Status] with invalid value [DELETED]."
    )
    assert foreign["errorMessage"] == (
        f"Business client [jumia-ng] is not available for product [{variation_id}]."
    )
    assert foreign["errors"]["businessClients"] == [
        {"businessClientCode": "jumia-ng", "message": foreign["errorMessage"]}
    ]


async def test_product_set_id_not_found() -> None:
    """Stock, price, status and update feeds need the variation id."""
    async with api() as client:
        product_set = next(iter(client.sandbox.state.accounts[0].catalog.products))
        feed = await client.finished_feed("stock", [{"id": product_set.id, "stock": 3}])

    item = feed["feedItems"][0]
    assert item["errorMessage"] == f"Product by Sid [{product_set.id}] not found."
    assert item["productSid"] == product_set.id


async def test_update_feed_changes_content() -> None:
    async with api() as client:
        (variation_id,) = await client.create(client.product())
        client.clock.advance(QC_SECONDS)
        feed = await client.finished_feed(
            "update",
            [
                {
                    "id": variation_id,
                    "name": {"value": "Smart Phone 6.7 inch Dual SIM"},
                    "variation": "Blue",
                    "attributes": [{"name": "model", "value": "SP-67"}],
                    "stock": 99,
                }
            ],
            shopId=client.shop.id,
        )
        product = await client.product_by_sku("PHONE-1")
        stock = await client.stock(variation_id)

    assert feed["feedType"] == "PRODUCT_UPDATE"
    assert feed["status"] == "COMPLETED", feed
    assert product["name"] == "Smart Phone 6.7 inch Dual SIM"
    assert product["variations"][0]["variation"] == "Blue"
    assert {"name": "model", "value": "SP-67"} in product["attributes"]
    assert stock == 10


async def test_update_feed_locked_fields() -> None:
    async with api() as client:
        (variation_id,) = await client.create(client.product())
        client.clock.advance(QC_SECONDS)
        feed = await client.finished_feed(
            "update",
            [
                {
                    "id": variation_id,
                    "parentSku": "OTHER-PARENT",
                    "category": {"code": client.category_code("Tablets")},
                }
            ],
        )

    assert feed["feedItems"][0]["errors"]["globalMessages"] == [
        "Attribute [Product.ParentSKU] cannot be updated since the product has "
        "been already approved.",
        "Attribute [Product.PrimaryCategory] cannot be updated since the product "
        "has been already approved.",
    ]


async def test_feeds_are_counted_per_route() -> None:
    async with api() as client:
        feed_id = await client.submit("create", [client.product()])
        await client.feed(feed_id)

    counters = client.sandbox.state.accounts[0].counters
    assert counters.routes["POST /feeds/products/create"] == 1
    assert counters.routes["GET /feeds/{feedId}"] == 1


async def test_feed_hook_matches_route() -> None:
    async with api() as client:
        feed_id = await client.submit("create", [client.product()])
        client.clock.advance(FEED_SECONDS)
        feed = client.sandbox.state.feed(client.sandbox.client_id, feed_id)

    assert feed.finished
    assert feed.items[0].status == "SUCCESS"
