"""Processing of update, stock, price and status feed items.

Each item names a variation by `id`. A product-set id or an unknown id is
not found, and a variation that quality control never approved cannot be
changed. An item applies all of its changes or none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._catalog_state import CatalogState
from ._feed_create import to_price
from ._feed_fields import (
    brand_rules,
    check_variation_value,
    invalid,
    missing,
    read_attributes,
    read_brand,
    read_code,
    read_images,
    read_text,
    read_variation,
)
from ._feed_model import SUCCESS, FeedItem
from ._pricing import Price, PriceChange, SalePrice, convert, parse_price
from ._products import PRODUCT_STATUSES, Listing, ProductVariation

# The check of one item returns the change to apply, or the item's rejections.
Change = Callable[[], None]
Processor = Callable[
    [CatalogState, ProductVariation, FeedItem, float], Change | list[str]
]


def process_change_item(
    catalog: CatalogState,
    shop_id: str | None,
    item: FeedItem,
    at: float,
    processor: Processor,
) -> None:
    """Find the item's variation and apply `processor`'s change to it."""
    variation = _find_variation(catalog, shop_id, item)
    if variation is None:
        return
    outcome = processor(catalog, variation, item, at)
    if isinstance(outcome, list):
        item.reject(outcome)
        return
    outcome()
    item.status = SUCCESS


def _find_variation(
    catalog: CatalogState, shop_id: str | None, item: FeedItem
) -> ProductVariation | None:
    raw_id = item.payload.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        item.reject([missing("Product.Id")])
        return None
    variation_id = raw_id.strip()
    item.product_sid = variation_id
    variation = catalog.products.variation(variation_id)
    if variation is not None and shop_id and variation.product_set.shop.id != shop_id:
        variation = None
    if variation is None:
        item.reject([f"Product by Sid [{variation_id}] not found."])
        return None
    if item.seller_sku is None:
        item.seller_sku = variation.seller_sku
    if not variation.approved_once:
        item.reject(
            [
                f"Product by Sid [{variation_id}] cannot be updated before the "
                "product is approved by quality control."
            ]
        )
        return None
    return variation


def change_stock(
    _catalog: CatalogState, variation: ProductVariation, item: FeedItem, at: float
) -> Change | list[str]:
    raw = item.payload.get("stock")
    if raw is None:
        return [missing("Product.Stock")]
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        return [invalid("Product.Stock", raw)]

    def apply() -> None:
        variation.stock = raw
        variation.stock_updated_at = at

    return apply


def change_status(
    _catalog: CatalogState, variation: ProductVariation, item: FeedItem, at: float
) -> Change | list[str]:
    entries = item.payload.get("businessClients")
    if not isinstance(entries, list) or not entries:
        return [missing("Product.BusinessClients")]
    messages: list[str] = []
    changes: list[tuple[Listing, str]] = []
    for entry in entries:
        found = _listing_entry(variation, entry, item)
        if isinstance(found, str):
            messages.append(found)
            continue
        status = entry.get("status")
        if not isinstance(status, str) or status not in PRODUCT_STATUSES:
            messages.append(invalid("Product.BusinessClients.Status", status))
            continue
        changes.append((found, status))
    if messages:
        return messages

    def apply() -> None:
        for listing, status in changes:
            listing.status = status
        variation.product_set.updated = at

    return apply


def _listing_entry(
    variation: ProductVariation, entry: Any, item: FeedItem
) -> Listing | str:
    """Return the listing an entry of `businessClients` names, or the rejection."""
    code = entry.get("businessClientCode") if isinstance(entry, dict) else None
    if not isinstance(code, str) or not code.strip():
        return missing("Product.BusinessClients.BusinessClientCode")
    code = code.strip().lower()
    listing = variation.listings.get(code)
    if listing is None:
        message = (
            f"Business client [{code}] is not available for product [{variation.id}]."
        )
        item.client_messages.append({"businessClientCode": code, "message": message})
        return message
    return listing


def change_price(
    _catalog: CatalogState, variation: ProductVariation, item: FeedItem, at: float
) -> Change | list[str]:
    """Check a price item. A global price resets the other clients' own prices."""
    payload = item.payload
    raw_clients = payload.get("businessClients")
    clients = raw_clients if isinstance(raw_clients, list) else []
    if payload.get("price") is None and not clients:
        return ["The Global Price is mandatory."]
    shop_currency = variation.product_set.shop.country.currency
    messages: list[str] = []
    global_change = None
    if payload.get("price") is not None:
        global_change, found = parse_price(
            payload["price"],
            field="Product.Price",
            allowed_currencies=(shop_currency, "USD"),
            now=at,
        )
        messages.extend(found)

    client_changes: list[tuple[Listing, PriceChange]] = []
    for entry in clients:
        found_listing = _listing_entry(variation, entry, item)
        if isinstance(found_listing, str):
            messages.append(found_listing)
            continue
        change, found = parse_price(
            entry.get("price"),
            field="Product.BusinessClients.Price",
            allowed_currencies=(found_listing.country.currency, "USD"),
            now=at,
            label="Price",
        )
        for message in found:
            item.client_messages.append(
                {"businessClientCode": found_listing.code, "message": message}
            )
        messages.extend(found)
        if change is not None:
            client_changes.append((found_listing, change))
    if messages:
        return messages

    def apply() -> None:
        priced = {listing.code for listing, _ in client_changes}
        if global_change is not None:
            variation.price = _merge(variation.price, global_change)
            for listing in variation.listings.values():
                if listing.code not in priced:
                    listing.price = None
        for listing, change in client_changes:
            current = listing.price if listing.price is not None else variation.price
            listing.price = _merge(current, change)
        variation.product_set.updated = at

    return apply


def _merge(current: Price, change: PriceChange) -> Price:
    """Return the new price, keeping, ending or replacing the current sale."""
    if change.sale == "clear":
        return Price(change.currency, change.value)
    if isinstance(change.sale, SalePrice):
        return to_price(change)
    sale = current.sale
    if sale is not None and current.currency != change.currency:
        value = convert(sale.value, current.currency, change.currency)
        sale = SalePrice(value, sale.start_at, sale.end_at)
    return Price(change.currency, change.value, sale)


def change_content(
    catalog: CatalogState, variation: ProductVariation, item: FeedItem, at: float
) -> Change | list[str]:
    """Check a content update. Parent SKU, category and main image are locked."""
    payload = item.payload
    product_set = variation.product_set
    messages = _locked_fields(variation, payload)

    name = read_text(payload.get("name")) if "name" in payload else None
    if "name" in payload and name is None:
        messages.append(missing("Product.Name"))
    brand = product_set.brand
    if payload.get("brand") is not None:
        found_brand, found = read_brand(catalog.reference, payload["brand"])
        messages.extend(found)
        brand = found_brand or brand
    if name is not None or payload.get("brand") is not None:
        messages.extend(
            brand_rules(name or product_set.name, brand, product_set.category)
        )

    variation_value = None
    if "variation" in payload:
        variation_value, found = _new_variation_value(variation, payload["variation"])
        messages.extend(found)
    attributes, found = read_attributes(payload.get("attributes"), product_set.category)
    messages.extend(found)
    images = None
    if payload.get("images") is not None:
        images, found = read_images(payload["images"])
        messages.extend(found)
    if messages:
        return messages

    description = read_text(payload.get("description"))
    barcode = read_text(payload.get("barcodeEan")) or read_text(
        payload.get("gtinBarcode")
    )

    def apply() -> None:
        if name is not None:
            product_set.name = name
        if description is not None:
            product_set.description = description
        product_set.brand = brand
        product_set.attributes.update(attributes)
        if images is not None:
            product_set.images = images
        if variation_value is not None:
            variation.variation = variation_value
        if barcode is not None:
            variation.barcode_ean = barcode
        product_set.updated = at

    return apply


def _locked_fields(variation: ProductVariation, payload: dict[str, Any]) -> list[str]:
    """Return a rejection per field that changes but is locked after approval."""
    product_set = variation.product_set
    messages = []
    parent_sku = read_text(payload.get("parentSku"))
    if parent_sku is not None and parent_sku != product_set.parent_sku:
        messages.append(_locked("Product.ParentSKU"))
    category_code = read_code(payload.get("category"))
    if category_code is not None and category_code != product_set.category.code:
        messages.append(_locked("Product.PrimaryCategory"))
    images = payload.get("images")
    if isinstance(images, list):
        primary = _primary_url(images)
        current = next(
            (image.url for image in product_set.images if image.primary), None
        )
        if primary is not None and primary != current:
            messages.append(_locked("Product.MainImage"))
    return messages


def _locked(field: str) -> str:
    return (
        f"Attribute [{field}] cannot be updated since the product has been "
        "already approved."
    )


def _primary_url(images: list[Any]) -> str | None:
    for entry in images:
        if isinstance(entry, dict) and (
            entry.get("primary") is True or entry.get("primary") == 1
        ):
            url = entry.get("url")
            return url if isinstance(url, str) else None
    return None


def _new_variation_value(
    variation: ProductVariation, raw: Any
) -> tuple[str | None, list[str]]:
    value = read_variation(raw)
    if value is None:
        return None, [missing("Product.Variation")]
    product_set = variation.product_set
    attribute_set = product_set.category.attribute_set
    if attribute_set is not None:
        checked = check_variation_value(attribute_set, value)
        if isinstance(checked, list):
            return None, checked
        value = checked
    for other in product_set.variations:
        if other is not variation and other.variation.casefold() == value.casefold():
            return None, [
                f"Product with variation [{value}] already exists in parent sku "
                f"[{product_set.parent_sku}]"
            ]
    return value, []
