"""Catalog reads (GPM): brands, categories, attribute sets, products, stock.

A product is a three-level nest. A product set (`ProductSet.id`) contains
variations, and `Variation.id` is the id that stock, price, status and
update feeds need. Each variation contains one entry per business client
with that country's status, visibility, QC state and local price.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

import attrs

from .common import CursorPage, QcStatus, json_field, normalize_status

__all__ = [
    "Attribute",
    "AttributeOption",
    "AttributeSet",
    "AttributeSetRef",
    "AttributeTranslation",
    "AttributeType",
    "AttributeValidations",
    "Brand",
    "BrandsPage",
    "CategoriesPage",
    "Category",
    "PageInfo",
    "ProductAttribute",
    "ProductBusinessClient",
    "ProductImage",
    "ProductPrice",
    "ProductQc",
    "ProductSet",
    "ProductStatus",
    "ProductsPage",
    "SalePrice",
    "StockEntry",
    "StockPage",
    "Variation",
    "VariationRef",
]

# The API separates category path levels with " / " or " > ".
_PATH_SEPARATORS = (" > ", " / ")
_BARE_SEPARATOR = re.compile(r"\s*[>/]\s*")


class ProductStatus(StrEnum):
    """Status of a variation in one business client.

    Feeds can set ACTIVE or INACTIVE. Only Jumia sets DELETED.
    """

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    DELETED = "DELETED"


class AttributeType(StrEnum):
    """Input type of a category attribute."""

    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATE_TIME = "DATE_TIME"
    MULTI_SELECTION = "MULTI_SELECTION"
    NUMBER = "NUMBER"
    SELECTION = "SELECTION"
    TEXT = "TEXT"
    TEXT_AREA = "TEXT_AREA"


@attrs.frozen(kw_only=True)
class PageInfo:
    """The `page` envelope of page-numbered lists (1-based)."""

    current: int | None = None
    total_of_pages: int | None = json_field(aliases=("totalPages",), default=None)


@attrs.frozen(kw_only=True)
class NumberedPage:
    """Base of page-numbered lists, with their optional `page` envelope."""

    page: PageInfo | None = None

    @property
    def current_page(self) -> int | None:
        """Page number the API reported, or None without a `page` envelope."""
        return self.page.current if self.page else None

    @property
    def total_pages(self) -> int | None:
        """Number of pages the API reported, or None when it sent none."""
        return self.page.total_of_pages if self.page else None


@attrs.frozen(kw_only=True)
class Brand:
    """A brand, whose `code` arrives as a number or a string and is kept as text.

    Code 1045133 is "Generic" (non-fashion) and 1039426 is "Fashion".
    """

    code: str
    name: str | None = None


@attrs.frozen(kw_only=True)
class BrandsPage(NumberedPage):
    """One page of `/catalog/brands`."""

    brands: list[Brand] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class AttributeSetRef:
    """The attribute set a category lists products with.

    `sid` is what `CatalogResource.attribute_set` takes.
    """

    sid: str = json_field(aliases=("id",))
    name: str | None = None


@attrs.frozen(kw_only=True)
class Category:
    """A category, as `/catalog/categories` lists it or a product refers to it.

    A category without `attribute_set` is for navigation only, and products
    can be listed only in a category without children.
    """

    code: str
    name: str | None = None
    complete_path: str | None = None
    has_children: bool | None = None
    attribute_set: AttributeSetRef | None = None

    @property
    def path(self) -> tuple[str, ...]:
        """Levels of `complete_path`, whichever separator the API used.

        When the path contains " > ", only that splits it, so that a name
        containing " / " stays whole.
        """
        text = (self.complete_path or "").strip()
        if not text:
            return ()
        for separator in _PATH_SEPARATORS:
            if separator in text:
                return tuple(part.strip() for part in text.split(separator))
        return tuple(part for part in _BARE_SEPARATOR.split(text) if part)

    @property
    def is_listable(self) -> bool:
        """Whether products can be listed here: a leaf with an attribute set."""
        return self.attribute_set is not None and self.has_children is not True


@attrs.frozen(kw_only=True)
class CategoriesPage(NumberedPage):
    """One page of `/catalog/categories`."""

    categories: list[Category] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class AttributeTranslation:
    """A translated label of an attribute or option."""

    language_code: str | None = None
    translation: str | None = None
    language_id: int | None = None


@attrs.frozen(kw_only=True)
class AttributeOption:
    """An allowed value of a selection attribute, sent as its `name`."""

    id: str | None = None
    sid: str | None = None
    name: str | None = None
    position: int | None = None
    is_default: bool | None = None
    status: str | None = None
    translations: list[AttributeTranslation] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class AttributeValidations:
    """Value rules of an attribute, of which the API fills only the relevant ones."""

    min_length: int | None = None
    max_length: int | None = None
    decimal_places: int | None = None
    date_format: str | None = None
    percentage: bool | None = None
    not_zero_or_negative: bool | None = None
    selected_by_default: bool | None = None


@attrs.frozen(kw_only=True)
class Attribute:
    """One attribute of an attribute set.

    `type` is the API's type name (`SELECTION`, `TEXT`, ...). Some replies
    send a number instead, which is kept as its decimal text. Then
    `attribute_type` is None, because the numbering is not documented.
    `variation` marks the variant axis (colour, size), whose option names
    are the allowed `NewProduct.variation` values.
    """

    name: str
    sid: str | None = None
    code: str | None = None
    description: str | None = None
    type: str | None = None
    mandatory: bool = False
    variation: bool = False
    translatable: bool = False
    translations: list[AttributeTranslation] = attrs.field(factory=list)
    options: list[AttributeOption] = attrs.field(factory=list)
    validations: AttributeValidations | None = None

    @property
    def attribute_type(self) -> AttributeType | None:
        """The type as an enum member, or None when it is unknown or numeric."""
        text = normalize_status(self.type)
        try:
            return AttributeType(text) if text else None
        except ValueError:
            return None

    @property
    def option_names(self) -> tuple[str, ...]:
        """Names of the allowed options, in the API's order."""
        return tuple(option.name for option in self.options if option.name)

    @property
    def is_selection(self) -> bool:
        """Whether a value must be one of `options`.

        True for SELECTION and MULTI_SELECTION, and for an attribute of
        unknown type that lists options.
        """
        kind = self.attribute_type
        if kind in (AttributeType.SELECTION, AttributeType.MULTI_SELECTION):
            return bool(self.options)
        return kind is None and bool(self.options)


@attrs.frozen(kw_only=True)
class AttributeSet:
    """The attributes a category's products carry (`/catalog/attribute-sets/{id}`)."""

    sid: str
    name: str | None = None
    attributes: list[Attribute] = attrs.field(factory=list)

    def attribute(self, name: str) -> Attribute | None:
        """Return the attribute called `name` (case-insensitive), or None."""
        wanted = name.strip().lower()
        for attribute in self.attributes:
            if attribute.name.strip().lower() == wanted:
                return attribute
        return None

    @property
    def mandatory(self) -> tuple[Attribute, ...]:
        """Attributes that every product must carry."""
        return tuple(attribute for attribute in self.attributes if attribute.mandatory)

    @property
    def variation_attribute(self) -> Attribute | None:
        """The variant axis (the first attribute marked `variation`), if any."""
        for attribute in self.attributes:
            if attribute.variation:
                return attribute
        return None


@attrs.frozen(kw_only=True)
class ProductImage:
    """A product image, whose `primary` flag may be missing or null in replies."""

    url: str | None = None
    original_url: str | None = None
    primary: bool | None = None


@attrs.frozen(kw_only=True)
class ProductAttribute:
    """An attribute value of a product or variation, as text."""

    name: str
    value: str | None = None


@attrs.frozen(kw_only=True)
class SalePrice:
    """A sale price, with every part None when no sale is set."""

    value: float | None = None
    local_value: float | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ProductPrice:
    """A price, with its local twin on business-client entries.

    `currency`/`value` are the global figures; `local_currency` and
    `local_value` are set on business-client prices only.
    """

    currency: str | None = None
    value: float | None = None
    local_currency: str | None = None
    local_value: float | None = None
    sale_price: SalePrice | None = None


@attrs.frozen(kw_only=True)
class ProductQc:
    """Quality-control state of a variation in one business client."""

    status: str | None = attrs.field(default=None, converter=normalize_status)
    updated_at: datetime | None = None
    last_approved_at: datetime | None = None
    rejection_reason: str | None = None
    rejection_comment: str | None = None

    @property
    def is_approved(self) -> bool:
        """Whether QC approved the variation in this business client."""
        return self.status == QcStatus.APPROVED


@attrs.frozen(kw_only=True)
class ProductBusinessClient:
    """A variation in one business client (country storefront).

    `sku` is Jumia's SKU in that country and may be an empty string.
    """

    code: str
    country_code: str | None = None
    country_name: str | None = None
    sku: str | None = None
    visible: bool | None = None
    status: str | None = attrs.field(default=None, converter=normalize_status)
    qc: ProductQc | None = None
    price: ProductPrice | None = None


@attrs.frozen(kw_only=True)
class Variation:
    """A sellable variant of a product set.

    `id` is the product sid that stock, price, status and update feeds need.
    """

    id: str
    seller_sku: str | None = None
    barcode_ean: str | None = None
    variation: str | None = None
    attributes: list[ProductAttribute] = attrs.field(factory=list)
    global_price: ProductPrice | None = None
    business_clients: list[ProductBusinessClient] = attrs.field(factory=list)

    @property
    def is_inactive(self) -> bool:
        """Whether at least one business client lists the variation INACTIVE.

        Status is kept per country, so a variation can be active in one
        business client and inactive in another. It counts as inactive then.
        """
        return any(
            client.status == ProductStatus.INACTIVE for client in self.business_clients
        )

    def business_client(self, code: str) -> ProductBusinessClient | None:
        """Return the entry for a business client code such as `jumia-gh`."""
        wanted = code.strip().lower()
        for client in self.business_clients:
            if client.code.lower() == wanted:
                return client
        return None


@attrs.frozen(kw_only=True)
class ProductSet:
    """A product set with its variations, as `/catalog/products` returns it.

    `id` is the product-set sid. Feeds that change a product need the id of
    one of its `variations` instead. `name` and `description` are plain
    text, and a `{"value": ...}` object in a reply is read as its value.
    """

    id: str
    name: str | None = None
    description: str | None = None
    parent_sku: str | None = None
    brand: Brand | None = None
    category: Category | None = None
    images: list[ProductImage] = attrs.field(factory=list)
    attributes: list[ProductAttribute] = attrs.field(factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    variations: list[Variation] = attrs.field(factory=list)

    def variation_for_sku(self, seller_sku: str) -> Variation | None:
        """Return the variation with this seller SKU, or None."""
        for variation in self.variations:
            if variation.seller_sku == seller_sku:
                return variation
        return None


@attrs.frozen(kw_only=True)
class ProductsPage(CursorPage):
    """One page of `/catalog/products` with the cursor of the next one."""

    products: list[ProductSet] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class StockEntry:
    """The global stock of one variation (`/catalog/stock`)."""

    id: str
    seller_sku: str | None = None
    global_stock: int | None = json_field(aliases=("stock",), default=None)
    last_stock_updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class StockPage(CursorPage):
    """One page of `/catalog/stock` with the cursor of the next one."""

    products: list[StockEntry] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class VariationRef:
    """Both ids of one variation, as a seller-SKU lookup found them."""

    seller_sku: str | None
    variation_id: str
    product_set_id: str
