"""Processing of one item of a create feed: checks, then the new variation."""

from __future__ import annotations

from typing import Any

import attrs

from ._catalog_state import CatalogState
from ._feed_fields import (
    brand_rules,
    check_variation_value,
    invalid,
    missing,
    missing_mandatory,
    read_attributes,
    read_brand,
    read_category,
    read_images,
    read_text,
    read_variation,
)
from ._feed_model import SUCCESS, FeedItem
from ._model import Shop
from ._pricing import Price, PriceChange, SalePrice, parse_price
from ._products import Listing, ProductImage, ProductSet, ProductVariation
from ._qc import schedule_review
from ._reference import Brand, Category


@attrs.frozen
class _NewProduct:
    """The checked fields of one create item."""

    seller_sku: str
    parent_sku: str
    name: str
    description: str
    variation: str
    brand: Brand
    category: Category
    images: list[ProductImage]
    attributes: dict[str, str]
    price: PriceChange
    client_prices: dict[str, PriceChange]
    stock: int
    barcode_ean: str


def process_create_item(
    catalog: CatalogState, shop_id: str | None, item: FeedItem, at: float
) -> None:
    """Create the item's variation, or reject the item with every reason found."""
    shop = catalog.shops.get(shop_id or "")
    if shop is None:
        item.reject(
            [f"User does not have permissions to the provided shop [{shop_id}]."]
        )
        return
    product, messages = _check(catalog, shop, item, at)
    if product is None:
        item.reject(messages)
        return
    variation = _create(catalog, shop, product, at)
    item.status = SUCCESS
    item.product_sid = variation.id


def _check(
    catalog: CatalogState, shop: Shop, item: FeedItem, at: float
) -> tuple[_NewProduct | None, list[str]]:
    payload = item.payload
    messages: list[str] = []
    seller_sku = read_text(payload.get("sellerSku"))
    parent_sku = read_text(payload.get("parentSku"))
    name = read_text(payload.get("name"))
    variation = read_variation(payload.get("variation"))
    if seller_sku is None:
        messages.append(missing("Product.SellerSKU"))
    if parent_sku is None:
        messages.append(missing("Product.ParentSKU"))
    if name is None:
        messages.append(missing("Product.Name"))
    if variation is None:
        messages.append(missing("Product.Variation"))

    brand, found = read_brand(catalog.reference, payload.get("brand"))
    messages.extend(found)
    category, found = read_category(catalog.reference, payload.get("category"))
    messages.extend(found)
    attributes: dict[str, str] = {}
    if category is not None:
        if brand is not None:
            messages.extend(brand_rules(name, brand, category))
        if variation is not None and category.attribute_set is not None:
            checked = check_variation_value(category.attribute_set, variation)
            if isinstance(checked, list):
                messages.extend(checked)
            else:
                variation = checked
        attributes, found = read_attributes(payload.get("attributes"), category)
        messages.extend(found)
        messages.extend(missing_mandatory(category, attributes))

    if seller_sku is not None and parent_sku is not None and variation is not None:
        messages.extend(
            _duplicate_rules(catalog, shop, seller_sku, parent_sku, variation, category)
        )
    images, found = read_images(payload.get("images"))
    messages.extend(found)
    currencies = (shop.country.currency, "USD")
    price, found = parse_price(
        payload.get("price"),
        field="Product.Price",
        allowed_currencies=currencies,
        now=at,
    )
    messages.extend(found)
    client_prices, found = _client_prices(
        shop, payload.get("businessClients"), item, at
    )
    messages.extend(found)
    stock, found = _stock(payload)
    messages.extend(found)

    if (
        messages
        or seller_sku is None
        or parent_sku is None
        or name is None
        or variation is None
        or brand is None
        or category is None
        or price is None
        or stock is None
    ):
        return None, messages
    product = _NewProduct(
        seller_sku=seller_sku,
        parent_sku=parent_sku,
        name=name,
        description=read_text(payload.get("description")) or "",
        variation=variation,
        brand=brand,
        category=category,
        images=images,
        attributes=attributes,
        price=price,
        client_prices=client_prices,
        stock=stock,
        barcode_ean=read_text(payload.get("barcodeEan"))
        or read_text(payload.get("gtinBarcode"))
        or "",
    )
    return product, []


def _duplicate_rules(
    catalog: CatalogState,
    shop: Shop,
    seller_sku: str,
    parent_sku: str,
    variation: str,
    category: Category | None,
) -> list[str]:
    """Check the SKU and the variation against the shop's existing products."""
    messages = []
    if catalog.products.by_seller_sku(shop.id, seller_sku) is not None:
        messages.append(f"Product with seller sku [{seller_sku}] already exists.")
    product_set = catalog.products.by_parent_sku(shop.id, parent_sku)
    if product_set is None:
        return messages
    if category is not None and category.code != product_set.category.code:
        messages.append(
            "Selected primary category has a different attribute list than "
            f"Category [{product_set.category.name}]. Use the same category as "
            "the Product Set."
        )
    folded = variation.casefold()
    if any(item.variation.casefold() == folded for item in product_set.variations):
        messages.append(
            f"Product with variation [{variation}] already exists in parent sku "
            f"[{parent_sku}]"
        )
    return messages


def _client_prices(
    shop: Shop, raw: Any, item: FeedItem, at: float
) -> tuple[dict[str, PriceChange], list[str]]:
    """Read the per-business-client prices. Only the shop's own client is known."""
    prices: dict[str, PriceChange] = {}
    messages: list[str] = []
    own_code = shop.country.business_client_code
    for entry in raw if isinstance(raw, list) else []:
        code = entry.get("businessClientCode") if isinstance(entry, dict) else None
        if not isinstance(code, str) or not code.strip():
            messages.append(missing("Product.BusinessClients.BusinessClientCode"))
            continue
        code = code.strip().lower()
        if code != own_code:
            message = f"Business client [{code}] is not available for shop [{shop.id}]."
            messages.append(message)
            item.client_messages.append(
                {"businessClientCode": code, "message": message}
            )
            continue
        if not isinstance(entry, dict) or entry.get("price") is None:
            continue
        price, found = parse_price(
            entry.get("price"),
            field="Product.BusinessClients.Price",
            allowed_currencies=(shop.country.currency, "USD"),
            now=at,
            label="Price",
        )
        for message in found:
            item.client_messages.append(
                {"businessClientCode": code, "message": message}
            )
        messages.extend(found)
        if price is not None:
            prices[code] = price
    return prices, messages


def _stock(payload: dict[str, Any]) -> tuple[int | None, list[str]]:
    raw = payload.get("stock")
    if raw is None:
        return None, ["The initial Stock is mandatory."]
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        return None, [invalid("Product.Stock", raw)]
    return raw, []


def to_price(change: PriceChange) -> Price:
    sale = change.sale if isinstance(change.sale, SalePrice) else None
    return Price(change.currency, change.value, sale)


def _create(
    catalog: CatalogState, shop: Shop, product: _NewProduct, at: float
) -> ProductVariation:
    """Add the variation, and its product set when the parent SKU is new."""
    store = catalog.products
    product_set = store.by_parent_sku(shop.id, product.parent_sku)
    if product_set is None:
        product_set = ProductSet(
            id=catalog.ids.uuid(),
            sequence=store.next_sequence(),
            shop=shop,
            parent_sku=product.parent_sku,
            name=product.name,
            description=product.description,
            brand=product.brand,
            category=product.category,
            images=product.images,
            attributes=product.attributes,
            created=at,
            updated=at,
        )
        store.add_set(product_set)
    else:
        product_set.updated = at

    variation = ProductVariation(
        id=catalog.ids.uuid(),
        sequence=store.next_sequence(),
        product_set=product_set,
        seller_sku=product.seller_sku,
        variation=product.variation,
        price=to_price(product.price),
        stock=product.stock,
        stock_updated_at=at,
        barcode_ean=product.barcode_ean,
    )
    code = shop.country.business_client_code
    client_price = product.client_prices.get(code)
    variation.listings[code] = Listing(
        country=shop.country,
        qc_updated_at=at,
        price=None if client_price is None else to_price(client_price),
    )
    store.add_variation(variation)
    schedule_review(catalog, variation, at)
    return variation
