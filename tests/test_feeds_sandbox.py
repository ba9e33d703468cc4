"""Feeds through the client against the sandbox, at full feed size."""

from __future__ import annotations

from jumia_async import (
    FeedImage,
    FeedPrice,
    JumiaClient,
    NewProduct,
    UnlimitedLimiter,
)
from jumia_async.sandbox import SandboxConfig, run_sandbox


def charger(number: int, category_code: str) -> NewProduct:
    sku = f"BULK-{number:05d}"
    return NewProduct(
        seller_sku=sku,
        parent_sku=sku,
        variation="...",
        name=f"USB Wall Charger Model {number:05d}",
        description="A compact wall charger with a single USB port.",
        brand_code="1045133",
        category_code=category_code,
        price=FeedPrice(currency="GHS", value=50),
        stock=5,
        images=[FeedImage(url=f"https://images.example.com/{sku}.jpg", primary=True)],
        attributes={
            "short_description": "<ul><li>USB</li></ul>",
            "product_weight": "0.1",
        },
    )


async def test_1001_products_make_two_feeds() -> None:
    config = SandboxConfig(rate_limit=False, catalog_products_per_shop=0)
    async with (
        run_sandbox(config) as sandbox,
        JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            limiter=UnlimitedLimiter(),
        ) as client,
    ):
        shop = (await client.shops.list())[0]
        chargers = [
            category
            async for category in client.catalog.iter_categories()
            if category.name == "Chargers"
        ]
        products = [charger(n, chargers[0].code) for n in range(1001)]
        submission = await client.feeds.create_products(shop.id, products)
        results = await client.feeds.wait_many(submission, poll_interval=0.1)

    assert len(submission.feed_ids) == 2
    assert [len(submission.seller_skus[f]) for f in submission.feed_ids] == [1000, 1]
    items = {
        sku: item for result in results.values() for sku, item in result.items.items()
    }
    assert len(items) == 1001
    assert not [sku for sku, item in items.items() if item.failed]
    assert all(item.product_id for item in items.values())
