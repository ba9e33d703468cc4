"""Approved products that every shop has when the sandbox starts."""

from __future__ import annotations

import random

from ._catalog_state import CatalogState
from ._model import Shop
from ._pricing import Price, convert
from ._products import APPROVED, Listing, ProductImage, ProductSet, ProductVariation
from ._reference import FASHION_BRAND_CODE, GENERIC_BRAND_CODE, Brand, Category
from ._reference_tables import BOOLEAN, DATE, MULTI_SELECTION, NUMBER, SELECTION

_DAY = 86_400
_STYLES = ("Classic", "Compact", "Deluxe", "Everyday", "Pro", "Slim")
# Seeded products were created over this many days before the start.
_SEED_DAYS = 30


def seed_products(catalog: CatalogState, now: float) -> None:
    """Give each shop `catalog_products_per_shop` approved product sets.

    Every third set has two variations. Products depend only on the config,
    the Mastershop index and `now`.
    """
    count = catalog.config.catalog_products_per_shop
    if count == 0:
        return
    seed = catalog.config.seed
    rng = random.Random(f"jumia-sandbox-seeded-products:{seed}:{catalog.index}")
    categories = catalog.reference.listable_categories()
    created_times = sorted(
        now - rng.randrange(1, _SEED_DAYS * _DAY)
        for _ in range(count * len(catalog.shops))
    )
    moments = iter(created_times)
    for number in range(1, count + 1):
        for position, shop in enumerate(catalog.shops.values()):
            category = categories[(number * 3 + position) % len(categories)]
            _seed_product_set(catalog, rng, shop, category, number, next(moments))


def _seed_product_set(
    catalog: CatalogState,
    rng: random.Random,
    shop: Shop,
    category: Category,
    number: int,
    created: float,
) -> None:
    store = catalog.products
    parent_sku = f"SBP-{shop.country.code}-{shop.id[:8]}-{number:03d}"
    images = [
        ProductImage(
            url=f"https://images.sandbox.invalid/{parent_sku}-1.jpg", primary=True
        ),
        ProductImage(
            url=f"https://images.sandbox.invalid/{parent_sku}-2.jpg", primary=False
        ),
    ]
    product_set = ProductSet(
        id=catalog.ids.uuid(),
        sequence=store.next_sequence(),
        shop=shop,
        parent_sku=parent_sku,
        name=f"{_STYLES[number % len(_STYLES)]} {category.name} Model {number:03d}",
        description=f"A sandbox product in {category.complete_path}.",
        brand=_pick_brand(catalog, rng, category),
        category=category,
        images=images,
        attributes=_attribute_values(category),
        created=created,
        updated=created,
    )
    store.add_set(product_set)
    price_usd = round(rng.uniform(5.0, 150.0), 2)
    for position, value in enumerate(
        _variation_values(category, 2 if number % 3 == 0 else 1)
    ):
        seller_sku = parent_sku if position == 0 else f"{parent_sku}-{position + 1}"
        local = convert(price_usd, "USD", shop.country.currency)
        variation = ProductVariation(
            id=catalog.ids.uuid(),
            sequence=store.next_sequence(),
            product_set=product_set,
            seller_sku=seller_sku,
            variation=value,
            price=Price(shop.country.currency, local),
            stock=rng.randint(5, 200),
            stock_updated_at=created,
        )
        approved_at = created + 3_600
        variation.listings[shop.country.business_client_code] = Listing(
            country=shop.country,
            qc_updated_at=approved_at,
            sku=catalog.ids.jumia_sku(product_set.brand.name, shop.country.code),
            qc_status=APPROVED,
            last_approved_at=approved_at,
        )
        store.add_variation(variation)


def _pick_brand(catalog: CatalogState, rng: random.Random, category: Category) -> Brand:
    reference = catalog.reference
    if rng.random() < 0.2:
        code = GENERIC_BRAND_CODE if category.allows_generic else FASHION_BRAND_CODE
        brand = reference.brand(code)
        if brand is not None:
            return brand
    named = [
        brand
        for brand in reference.brands[:50]
        if brand.code not in (GENERIC_BRAND_CODE, FASHION_BRAND_CODE)
    ]
    return rng.choice(named)


def _variation_values(category: Category, count: int) -> list[str]:
    attribute_set = category.attribute_set
    if attribute_set is None:
        return ["..."][:count]
    options = [
        option.name
        for option in attribute_set.variation_attribute.options
        if option.name != "..."
    ]
    if not options:
        return ["Black", "White"][:count]
    return options[:count]


def _attribute_values(category: Category) -> dict[str, str]:
    """Return a valid value for every mandatory attribute and a few others."""
    attribute_set = category.attribute_set
    values: dict[str, str] = {}
    if attribute_set is None:
        return values
    for attribute in attribute_set.attributes:
        if attribute.variation:
            continue
        if attribute.name == "short_description":
            values[attribute.name] = "<ul><li>Sandbox product</li><li>Sample</li></ul>"
        elif attribute.type == NUMBER:
            values[attribute.name] = "1"
        elif attribute.type in (SELECTION, MULTI_SELECTION) and attribute.options:
            values[attribute.name] = attribute.options[0].name
        elif attribute.type == BOOLEAN:
            values[attribute.name] = "false"
        elif attribute.type == DATE:
            continue
        elif attribute.mandatory:
            values[attribute.name] = "Sandbox"
    return values
