"""JSON bodies of the catalog routes, in the configured forms."""

from __future__ import annotations

import math
from typing import Any

from ._config import SandboxConfig
from ._pricing import Price, SalePrice, convert
from ._products import Listing, ProductSet, ProductVariation
from ._reference import Attribute, AttributeSet, Brand, Category, ReferenceCatalog
from ._render import rfc3339


def _code(code: int, config: SandboxConfig) -> int | str:
    return str(code) if config.catalog_code_form == "string" else code


def _time(seconds: float | None) -> str | None:
    return None if seconds is None else rfc3339(int(seconds))


def _page_body(
    key: str,
    entries: list[dict[str, Any]],
    page: int,
    total: int,
    config: SandboxConfig,
) -> dict[str, Any]:
    body: dict[str, Any] = {key: entries}
    if config.catalog_page_envelope:
        body["page"] = {"current": page, "totalOfPages": total}
    return body


def render_brands_page(
    reference: ReferenceCatalog, config: SandboxConfig, page: int, size: int
) -> dict[str, Any]:
    """Return one page of brands, with the configured empty page inserted.

    The empty page moves every later brand one page on, so no brand is lost.
    """
    brands = reference.brands
    total = math.ceil(len(brands) / size)
    empty_page = config.brands_empty_page
    start_page = page
    if 1 <= empty_page <= total:
        total += 1
        if page == empty_page:
            return _page_body("brands", [], page, total, config)
        if page > empty_page:
            start_page = page - 1
    start = (start_page - 1) * size
    entries = [_brand(brand, config) for brand in brands[start : start + size]]
    return _page_body("brands", entries, page, total, config)


def _brand(brand: Brand, config: SandboxConfig) -> dict[str, Any]:
    return {"code": _code(brand.code, config), "name": brand.name}


def render_categories_page(
    categories: list[Category], config: SandboxConfig, page: int, size: int
) -> dict[str, Any]:
    total = math.ceil(len(categories) / size)
    start = (page - 1) * size
    entries = [_category(item, config) for item in categories[start : start + size]]
    return _page_body("categories", entries, page, total, config)


def _category(category: Category, config: SandboxConfig) -> dict[str, Any]:
    attribute_set = category.attribute_set
    return {
        "code": _code(category.code, config),
        "name": category.name,
        "completePath": category.complete_path,
        "hasChildren": category.has_children,
        "attributeSet": None
        if attribute_set is None
        else {"sid": attribute_set.sid, "name": attribute_set.name},
    }


def render_attribute_set(attribute_set: AttributeSet, config: SandboxConfig) -> Any:
    """Return {"attributes": [...]} or, in the array form, the bare list."""
    attributes = [_attribute(item, config) for item in attribute_set.attributes]
    if config.attribute_set_form == "array":
        return attributes
    return {"attributes": attributes}


def _attribute(attribute: Attribute, config: SandboxConfig) -> dict[str, Any]:
    translations = [
        {"languageCode": "EN", "translation": attribute.description, "languageId": 1}
    ]
    if attribute.translatable:
        translations.append(
            {
                "languageCode": "FR",
                "translation": attribute.description,
                "languageId": 2,
            }
        )
    validations: Any = dict(attribute.validations)
    if config.attribute_validations_form == "array":
        validations = [
            {key[0].upper() + key[1:]: value} for key, value in attribute.validations
        ]
    return {
        "sid": attribute.sid,
        "code": _code(attribute.code, config),
        "name": attribute.name,
        "description": attribute.description,
        "type": attribute.type,
        "mandatory": attribute.mandatory,
        "variation": attribute.variation,
        "translatable": attribute.translatable,
        "translations": translations,
        "options": [
            {
                "id": option.id,
                "sid": option.sid,
                "name": option.name,
                "position": option.position,
                "isDefault": False,
                "status": "ACTIVE",
                "translations": [],
            }
            for option in attribute.options
        ],
        "validations": validations,
    }


def render_product_set(
    product_set: ProductSet, config: SandboxConfig
) -> dict[str, Any]:
    """Return one entry of GET /catalog/products. Names are plain strings."""
    brand = product_set.brand
    category = product_set.category
    return {
        "id": product_set.id,
        "name": product_set.name,
        "description": product_set.description,
        "parentSku": product_set.parent_sku,
        "brand": {"code": _code(brand.code, config), "name": brand.name},
        "category": {"code": _code(category.code, config), "name": category.name},
        "images": [
            {"url": image.url, "originalUrl": image.url, "primary": image.primary}
            for image in product_set.images
        ],
        "attributes": [
            {"name": name, "value": value}
            for name, value in product_set.attributes.items()
        ],
        "createdAt": _time(product_set.created),
        "updatedAt": _time(product_set.updated),
        "variations": [_variation(item) for item in product_set.variations],
    }


def _variation(variation: ProductVariation) -> dict[str, Any]:
    axis = variation.product_set.variation_attribute_name
    price = variation.price
    return {
        "id": variation.id,
        "sellerSku": variation.seller_sku,
        "barcodeEan": variation.barcode_ean,
        "variation": variation.variation,
        "attributes": [{"name": axis, "value": variation.variation}],
        "globalPrice": {
            "currency": price.currency,
            "value": price.value,
            "salePrice": _global_sale(price.sale),
        },
        "businessClients": [
            _listing(variation, listing) for listing in variation.listings.values()
        ],
    }


def _global_sale(sale: SalePrice | None) -> dict[str, Any]:
    if sale is None:
        return {"value": None, "startAt": None, "endAt": None}
    return {
        "value": sale.value,
        "startAt": _time(sale.start_at),
        "endAt": _time(sale.end_at),
    }


def _listing(variation: ProductVariation, listing: Listing) -> dict[str, Any]:
    price, usd, local = variation.listing_price(listing)
    country = listing.country
    return {
        "code": listing.code,
        "countryCode": country.code,
        "countryName": country.name,
        "sku": listing.sku,
        "visible": listing.visible,
        "status": listing.status,
        "qc": {
            "status": listing.qc_status,
            "updatedAt": _time(listing.qc_updated_at),
            "lastApprovedAt": _time(listing.last_approved_at),
            "rejectionReason": listing.rejection_reason,
            "rejectionComment": listing.rejection_comment,
        },
        "price": {
            "currency": "USD",
            "value": usd,
            "localCurrency": country.currency,
            "localValue": local,
            "salePrice": _local_sale(price, country.currency),
        },
    }


def _local_sale(price: Price, local_currency: str) -> dict[str, Any]:
    sale = price.sale
    if sale is None:
        return {"value": None, "localValue": None, "startAt": None, "endAt": None}
    return {
        "value": convert(sale.value, price.currency, "USD"),
        "localValue": convert(sale.value, price.currency, local_currency),
        "startAt": _time(sale.start_at),
        "endAt": _time(sale.end_at),
    }


def render_stock_entry(variation: ProductVariation) -> dict[str, Any]:
    return {
        "id": variation.id,
        "sellerSku": variation.seller_sku,
        "globalStock": variation.stock,
        "lastStockUpdatedAt": _time(variation.stock_updated_at),
    }
