"""Product feeds (GPM): the products sent to `/feeds/products/*` and feed status.

Feeds are asynchronous. A submission returns a feed id at once, and the
per-product outcome appears later in `GET /feeds/{feedId}`. Names and
descriptions travel as `{value, translations}` objects in feeds, while
catalog reads return them as plain text.

The update and price models check their arguments when they are built,
so a bad value raises ValueError or TypeError before anything is sent.
NewProduct checks only types there. Its content rules, including those that depend on
the category (mandatory attributes, allowed options), are reported per
product by `jumia_async.split_valid`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import attrs

from .._converter import JSON_ALIASES
from .._errors import FeedFailedError
from .catalog import ProductStatus
from .common import json_field, normalize_status

__all__ = [
    "BusinessClientPrice",
    "Feed",
    "FeedAttribute",
    "FeedImage",
    "FeedItem",
    "FeedItemErrors",
    "FeedPrice",
    "FeedResult",
    "FeedSalePrice",
    "FeedStatus",
    "FeedSubmission",
    "FeedType",
    "LocalizedText",
    "NewProduct",
    "PriceUpdate",
    "ProductUpdate",
    "StatusUpdate",
    "StockUpdate",
    "TextTranslation",
    "ValidationIssue",
]

# Feed statuses the API documents, plus spellings that clients also accept.
_COMPLETED_STATUSES = frozenset({"COMPLETED", "DONE"})
_FAILED_STATUSES = frozenset({"FAILED", "ERROR"})
_FAILED_ITEM_STATUSES = frozenset({"FAILED", "ERROR"})


class FeedStatus(StrEnum):
    """Documented feed statuses.

    `Feed.status` may also read DONE, ERROR or PROCESSING, which the waiter
    treats as COMPLETED, FAILED and still running.
    """

    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class FeedType(StrEnum):
    """Kind of change a feed applies."""

    PRODUCT_CREATION = "PRODUCT_CREATION"
    PRODUCT_UPDATE = "PRODUCT_UPDATE"
    PRODUCT_STATUS_UPDATE = "PRODUCT_STATUS_UPDATE"
    STOCK_UPDATE = "STOCK_UPDATE"
    PRICE_UPDATE = "PRICE_UPDATE"
    PRODUCT_SET_QC_STATUS_UPDATE = "PRODUCT_SET_QC_STATUS_UPDATE"


# --- argument checks shared by the input models --------------------------


def _require_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r}")
    if not value.strip():
        raise ValueError(f"{name} is empty; pass a non-blank string")
    return value


def _require_str(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r}")


def _optional_text(name: str, value: object) -> None:
    if value is not None:
        _require_text(name, value)


def _require_amount(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}={value!r} is invalid; use an amount above 0")


def _is_code_text(value: str) -> bool:
    """Return whether `value` is 1 to 18 ASCII digits (`isdigit` also takes "²")."""
    text = value.strip()
    return text.isascii() and text.isdigit() and len(text) <= 18


def _require_code(name: str, value: object) -> None:
    """Check a brand or category code: a positive int or a digit string."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int or a digit string, got {value!r}")
    if isinstance(value, int) and value > 0:
        return
    if isinstance(value, str) and _is_code_text(value):
        return
    raise ValueError(
        f"{name}={value!r} is invalid; pass the numeric code from "
        "client.catalog.brands() or categories(), for example 1045133"
    )


def _require_moment(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"{name}={value.isoformat()} has no time zone; pass an aware "
                f"datetime such as {value.replace(tzinfo=UTC).isoformat()} or a date"
            )
        return
    if not isinstance(value, date):
        raise TypeError(f"{name} must be a date or an aware datetime, got {value!r}")


def _require_id_or_sku(owner: str, variation_id: object, seller_sku: object) -> None:
    _optional_text(f"{owner}.id", variation_id)
    _optional_text(f"{owner}.seller_sku", seller_sku)
    if variation_id is None and seller_sku is None:
        raise ValueError(
            f"{owner} needs id (the variation id, ProductSet.variations[].id) or "
            "seller_sku; pass at least one"
        )


# --- converters -----------------------------------------------------------


@attrs.frozen(kw_only=True)
class TextTranslation:
    """A translation of a name, description or attribute value."""

    language: str = attrs.field(
        validator=lambda _, __, value: _require_text("language", value)
    )
    value: str


def to_translations(value: Iterable[TextTranslation]) -> tuple[TextTranslation, ...]:
    """Accept a list of TextTranslation."""
    translations = tuple(value)
    for translation in translations:
        if not isinstance(translation, TextTranslation):
            raise TypeError(
                "translations must contain TextTranslation objects, got "
                f"{translation!r}"
            )
    return translations


@attrs.frozen(kw_only=True)
class LocalizedText:
    """A text sent as `{value, translations}` in feeds."""

    value: str = attrs.field(
        validator=lambda _, __, value: _require_str("text value", value)
    )
    translations: tuple[TextTranslation, ...] = attrs.field(
        default=(), converter=to_translations
    )


def to_client_prices(
    value: Iterable[BusinessClientPrice],
) -> tuple[BusinessClientPrice, ...]:
    """Accept a list of BusinessClientPrice."""
    prices = tuple(value)
    for price in prices:
        if not isinstance(price, BusinessClientPrice):
            raise TypeError(
                f"business_clients must contain BusinessClientPrice objects, got "
                f"{price!r}"
            )
    return prices


def to_localized(value: LocalizedText | str) -> LocalizedText:
    """Wrap plain text in a LocalizedText; pass a LocalizedText through."""
    if isinstance(value, LocalizedText):
        return value
    if isinstance(value, str):
        return LocalizedText(value=value)
    raise TypeError(f"expected a string or LocalizedText, got {value!r}")


def to_localized_or_none(value: LocalizedText | str | None) -> LocalizedText | None:
    """Like `to_localized`, keeping None (a field left unchanged)."""
    return None if value is None else to_localized(value)


def attribute_text(value: object) -> str:
    """Turn an attribute value into the text the API takes.

    Takes text, a number, a boolean, or a list of texts; the texts of a list
    (values of a MULTI_SELECTION attribute) are joined with commas.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, Iterable):
        raise TypeError(
            f"attribute value must be text or a list of texts, got {value!r}"
        )
    parts = list(value)
    for part in parts:
        if not isinstance(part, str):
            raise TypeError(f"attribute values must be strings, got {part!r}")
    return ",".join(parts)


@attrs.frozen(kw_only=True)
class FeedAttribute:
    """An attribute value to send; a list of values is joined with commas."""

    name: str = attrs.field(
        validator=lambda _, __, value: _require_text("attribute name", value)
    )
    value: str = attrs.field(converter=attribute_text)
    translations: tuple[TextTranslation, ...] = attrs.field(
        default=(), converter=to_translations
    )


AttributesInput = Mapping[str, object] | Iterable[FeedAttribute]


def to_attributes(value: AttributesInput) -> tuple[FeedAttribute, ...]:
    """Accept `{name: value}` or FeedAttribute objects."""
    if isinstance(value, Mapping):
        return tuple(
            FeedAttribute(name=name, value=item) for name, item in value.items()
        )
    attributes = tuple(value)
    for attribute in attributes:
        if not isinstance(attribute, FeedAttribute):
            raise TypeError(
                f"attributes must be FeedAttribute objects or a mapping of names "
                f"to values, got {attribute!r}"
            )
    return attributes


def to_attributes_or_none(
    value: AttributesInput | None,
) -> tuple[FeedAttribute, ...] | None:
    """Like `to_attributes`, keeping None (attributes left unchanged)."""
    return None if value is None else to_attributes(value)


def to_images(value: Iterable[FeedImage]) -> tuple[FeedImage, ...]:
    """Accept a list of FeedImage, rejecting a lone URL string."""
    raw: object = value
    if isinstance(raw, str):
        raise TypeError(
            f"images must be a list of FeedImage, got the string {value!r}; "
            f"use [FeedImage(url={value!r}, primary=True)]"
        )
    images = tuple(value)
    for image in images:
        if not isinstance(image, FeedImage):
            raise TypeError(f"images must contain FeedImage objects, got {image!r}")
    return images


def to_images_or_none(
    value: Iterable[FeedImage] | None,
) -> tuple[FeedImage, ...] | None:
    """Like `to_images`, keeping None (images left unchanged)."""
    return None if value is None else to_images(value)


def to_codes(value: str | Iterable[str]) -> tuple[str, ...]:
    """Accept one business client code or several."""
    codes = (value,) if isinstance(value, str) else tuple(value)
    for code in codes:
        _require_text("business client code", code)
    return tuple(code.strip().lower() for code in codes)


def to_status(value: ProductStatus | str) -> ProductStatus:
    """Read ACTIVE or INACTIVE, the only statuses a feed can set."""
    text = normalize_status(str(value)) if isinstance(value, str) else None
    if text == ProductStatus.ACTIVE:
        return ProductStatus.ACTIVE
    if text == ProductStatus.INACTIVE:
        return ProductStatus.INACTIVE
    if text == ProductStatus.DELETED:
        raise ValueError(
            "status 'DELETED' cannot be set: the API has no delete, and only "
            "Jumia sets DELETED; use 'INACTIVE' to take a product offline"
        )
    raise ValueError(f"status={value!r} is invalid; use 'ACTIVE' or 'INACTIVE'")


# --- input models ---------------------------------------------------------


@attrs.frozen(kw_only=True)
class FeedImage:
    """An image URL to send; at least one image of a product must be primary."""

    url: str = attrs.field(
        validator=lambda _, __, value: _require_str("image url", value)
    )
    primary: bool = False


@attrs.frozen(kw_only=True)
class FeedSalePrice:
    """A sale price to send.

    A sale needs `value` and both dates. All three None
    (`FeedSalePrice.clear()`) end a running sale, because the API clears a
    sale only when `salePrice` is sent with null parts, not when it is left
    out. A `date` is sent as `YYYY-MM-DD`, and an aware datetime as
    `YYYY-MM-DD HH:MM` in UTC.
    """

    value: float | None = None
    start_at: date | datetime | None = None
    end_at: date | datetime | None = None

    def __attrs_post_init__(self) -> None:
        if self.value is not None:
            _require_amount("sale_price.value", self.value)
        _require_moment("sale_price.start_at", self.start_at)
        _require_moment("sale_price.end_at", self.end_at)

    @classmethod
    def clear(cls) -> FeedSalePrice:
        """Return the all-null sale price that ends a running sale."""
        return cls()

    @property
    def is_clear(self) -> bool:
        """Whether this sale price ends a sale (every part None)."""
        return self.value is None and self.start_at is None and self.end_at is None


@attrs.frozen(kw_only=True)
class FeedPrice:
    """A price in one currency (ISO 4217), with an optional sale price."""

    currency: str
    value: float
    sale_price: FeedSalePrice | None = None

    def __attrs_post_init__(self) -> None:
        currency = _require_text("price.currency", self.currency)
        if len(currency.strip()) != 3 or not currency.strip().isalpha():
            raise ValueError(
                f"price.currency={currency!r} is not an ISO 4217 code; use for "
                "example 'GHS' or 'NGN'"
            )
        _require_amount("price.value", self.value)


@attrs.frozen(kw_only=True)
class BusinessClientPrice:
    """A price for one business client (country storefront), e.g. `jumia-gh`."""

    business_client_code: str = attrs.field(
        validator=lambda _, __, value: _require_text("business_client_code", value)
    )
    price: FeedPrice


@attrs.frozen(kw_only=True)
class NewProduct:
    """A product to create with `POST /feeds/products/create`.

    Set `parent_sku` to `seller_sku` for a product without variants. The
    variants of one product share `parent_sku` and send the same images.
    They differ in `variation`, which must not be blank. `name` and
    `description` take plain text or LocalizedText. Use
    `jumia_async.split_valid` to check products against their category
    before sending.
    """

    seller_sku: str
    parent_sku: str
    variation: str
    name: LocalizedText = attrs.field(converter=to_localized)
    description: LocalizedText = attrs.field(converter=to_localized)
    brand_code: int | str
    category_code: int | str
    price: FeedPrice
    stock: int
    images: tuple[FeedImage, ...] = attrs.field(converter=to_images)
    attributes: tuple[FeedAttribute, ...] = attrs.field(
        default=(), converter=to_attributes
    )
    business_clients: tuple[BusinessClientPrice, ...] = attrs.field(
        default=(), converter=to_client_prices
    )
    brand_name: str | None = None
    category_name: str | None = None
    barcode_ean: str | None = None

    def __attrs_post_init__(self) -> None:
        # Types are checked here; content rules (blank fields, lengths,
        # options) are reported per product by jumia_async.split_valid.
        for name in ("seller_sku", "parent_sku", "variation"):
            _require_str(f"NewProduct.{name}", getattr(self, name))
        _require_code("NewProduct.brand_code", self.brand_code)
        _require_code("NewProduct.category_code", self.category_code)
        if not isinstance(self.price, FeedPrice):
            raise TypeError(f"NewProduct.price must be a FeedPrice, got {self.price!r}")
        if isinstance(self.stock, bool) or not isinstance(self.stock, int):
            raise TypeError(f"NewProduct.stock must be an int, got {self.stock!r}")


@attrs.frozen(kw_only=True)
class ProductUpdate:
    """Content changes for `POST /feeds/products/update`.

    Fields left None are not sent. The API updates only products that QC
    approved at least once, and it does not change the main image, main
    category, parent SKU, price or stock through this feed (use the price
    and stock feeds). Identify the variation by `id` (a variation id, not
    the product-set id) or by `seller_sku`, which the client resolves.
    """

    id: str | None = None
    seller_sku: str | None = None
    name: LocalizedText | None = attrs.field(
        default=None, converter=to_localized_or_none
    )
    description: LocalizedText | None = attrs.field(
        default=None, converter=to_localized_or_none
    )
    variation: str | None = None
    parent_sku: str | None = None
    brand_code: int | str | None = None
    brand_name: str | None = None
    category_code: int | str | None = None
    category_name: str | None = None
    barcode_ean: str | None = None
    images: tuple[FeedImage, ...] | None = attrs.field(
        default=None, converter=to_images_or_none
    )
    attributes: tuple[FeedAttribute, ...] | None = attrs.field(
        default=None, converter=to_attributes_or_none
    )

    def __attrs_post_init__(self) -> None:
        _require_id_or_sku("ProductUpdate", self.id, self.seller_sku)
        if self.brand_code is not None:
            _require_code("ProductUpdate.brand_code", self.brand_code)
        if self.category_code is not None:
            _require_code("ProductUpdate.category_code", self.category_code)
        changes = (
            self.name,
            self.description,
            self.variation,
            self.parent_sku,
            self.brand_code,
            self.category_code,
            self.barcode_ean,
            self.images,
            self.attributes,
        )
        if all(change is None for change in changes):
            raise ValueError(
                f"ProductUpdate for {self.seller_sku or self.id!r} changes nothing; "
                "set at least one field such as name or attributes"
            )


@attrs.frozen(kw_only=True)
class StockUpdate:
    """A new global stock level for one variation (`/feeds/products/stock`)."""

    stock: int
    id: str | None = None
    seller_sku: str | None = None

    def __attrs_post_init__(self) -> None:
        _require_id_or_sku("StockUpdate", self.id, self.seller_sku)
        if isinstance(self.stock, bool) or not isinstance(self.stock, int):
            raise TypeError(f"StockUpdate.stock must be an int, got {self.stock!r}")
        if self.stock < 0:
            raise ValueError(
                f"StockUpdate.stock={self.stock} for {self.seller_sku or self.id!r} "
                "is negative; use 0 or more"
            )


@attrs.frozen(kw_only=True)
class PriceUpdate:
    """New prices for one variation (`/feeds/products/price`).

    `price` is the global price. It applies to every business client that
    `business_clients` does not price itself. Send
    `FeedSalePrice.clear()` as a sale price to end a sale.
    `category_code` is sent as the number `category` when given.
    """

    price: FeedPrice | None = None
    business_clients: tuple[BusinessClientPrice, ...] = attrs.field(
        default=(), converter=to_client_prices
    )
    category_code: int | str | None = None
    id: str | None = None
    seller_sku: str | None = None

    def __attrs_post_init__(self) -> None:
        _require_id_or_sku("PriceUpdate", self.id, self.seller_sku)
        if self.price is None and not self.business_clients:
            raise ValueError(
                f"PriceUpdate for {self.seller_sku or self.id!r} has no price; pass "
                "price, business_clients, or both"
            )
        if self.category_code is not None:
            _require_code("PriceUpdate.category_code", self.category_code)


@attrs.frozen(kw_only=True)
class StatusUpdate:
    """Activate or deactivate one variation in some business clients.

    `status` is ACTIVE or INACTIVE, because the API has no delete.
    `created_at` is sent as `createdAt` (`YYYY-MM-DD`) only when given.
    """

    status: ProductStatus = attrs.field(converter=to_status)
    business_client_codes: tuple[str, ...] = attrs.field(converter=to_codes)
    id: str | None = None
    seller_sku: str | None = None
    created_at: date | None = None

    def __attrs_post_init__(self) -> None:
        _require_id_or_sku("StatusUpdate", self.id, self.seller_sku)
        if self.created_at is not None and not isinstance(self.created_at, date):
            raise TypeError(
                f"StatusUpdate.created_at must be a date, got {self.created_at!r}"
            )
        if not self.business_client_codes:
            raise ValueError(
                "StatusUpdate.business_client_codes is empty; pass codes such as "
                "['jumia-gh']"
            )


# --- results --------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ValidationIssue:
    """A problem that stops one product from being sent.

    `field` is the NewProduct field (dotted for nested values), and
    `message` states what is wrong and how to fix it.
    """

    seller_sku: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.seller_sku}: {self.field}: {self.message}"


@attrs.frozen(kw_only=True)
class FeedSubmission:
    """The feeds one call created, one per batch of at most 1000 products.

    `seller_skus` maps each feed id to the seller SKUs (or variation ids,
    for items sent without a SKU) it carries. `rejected` lists the issues
    of the products that validation kept back, which were not sent.
    """

    feed_type: FeedType
    feed_ids: tuple[str, ...] = ()
    seller_skus: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    rejected: tuple[ValidationIssue, ...] = ()


@attrs.frozen(kw_only=True)
class FeedItemErrors:
    """Error messages of one feed item."""

    global_messages: list[str] = attrs.field(factory=list)
    business_clients: list[Any] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class FeedItem:
    """The outcome for one product in a feed.

    `product_sid` contains placeholder text (such as "Product Sid not found
    on the payload") until the product exists, and `product_id` is None
    then.
    Item statuses other than FAILED are not documented, so an item counts
    as failed when its status is FAILED or ERROR or it carries an error.
    """

    status: str | None = attrs.field(default=None, converter=normalize_status)
    product_sid: str | None = None
    seller_sku: str | None = json_field(
        "sellerSKU", aliases=("sellerSku",), default=None
    )
    error_message: str | None = None
    errors: FeedItemErrors | None = None

    @property
    def messages(self) -> tuple[str, ...]:
        """Every error text of the item, without repeats."""
        texts: dict[str, None] = {}
        if self.error_message and self.error_message.strip():
            texts[self.error_message.strip()] = None
        if self.errors is not None:
            for message in self.errors.global_messages:
                if isinstance(message, str) and message.strip():
                    texts[message.strip()] = None
            for entry in self.errors.business_clients:
                if isinstance(entry, str) and entry.strip():
                    texts[entry.strip()] = None
        return tuple(texts)

    @property
    def failed(self) -> bool:
        """Whether the product was rejected."""
        return self.status in _FAILED_ITEM_STATUSES or bool(self.messages)

    @property
    def product_id(self) -> str | None:
        """`product_sid` when it is an id rather than placeholder text."""
        text = (self.product_sid or "").strip()
        if not text or any(character.isspace() for character in text):
            return None
        return text


@attrs.frozen(kw_only=True)
class Feed:
    """A feed as `GET /feeds/{feedId}` returns it."""

    id: str = json_field("feedSid", aliases=("feedId", "id"))
    status: str | None = attrs.field(default=None, converter=normalize_status)
    feed_type: str | None = attrs.field(default=None, converter=normalize_status)
    feed_source: str | None = None
    total: int | None = None
    completed: int | None = None
    failed: int | None = None
    feed_items: list[FeedItem] = attrs.field(
        factory=list, metadata={JSON_ALIASES: ("items",)}
    )

    @property
    def is_completed(self) -> bool:
        """Whether the feed finished processing (COMPLETED or DONE)."""
        return self.status in _COMPLETED_STATUSES

    @property
    def is_failed(self) -> bool:
        """Whether the feed failed as a whole (FAILED or ERROR)."""
        return self.status in _FAILED_STATUSES

    @property
    def is_finished(self) -> bool:
        """Whether the feed reached a final status."""
        return self.is_completed or self.is_failed

    def items_by_seller_sku(self) -> dict[str, FeedItem]:
        """Return the items keyed by seller SKU; items without one are left out."""
        return {item.seller_sku: item for item in self.feed_items if item.seller_sku}


@attrs.frozen(kw_only=True)
class FeedResult:
    """A finished feed and its items keyed by seller SKU.

    A COMPLETED feed can still reject some products: check `failed`.
    """

    feed: Feed
    items: dict[str, FeedItem] = attrs.field(factory=dict)

    @classmethod
    def from_feed(cls, feed: Feed) -> FeedResult:
        """Build the result of a finished feed."""
        return cls(feed=feed, items=feed.items_by_seller_sku())

    @property
    def feed_id(self) -> str:
        """The feed id."""
        return self.feed.id

    @property
    def status(self) -> str | None:
        """The feed's final status."""
        return self.feed.status

    @property
    def succeeded(self) -> dict[str, FeedItem]:
        """Items that went through, keyed by seller SKU."""
        return {sku: item for sku, item in self.items.items() if not item.failed}

    @property
    def failed(self) -> dict[str, FeedItem]:
        """Rejected items, keyed by seller SKU."""
        return {sku: item for sku, item in self.items.items() if item.failed}

    def raise_for_status(self) -> None:
        """Raise FeedFailedError when the feed as a whole failed."""
        if not self.feed.is_failed:
            return
        messages = [
            message for item in self.feed.feed_items for message in item.messages
        ]
        detail = f": {'; '.join(dict.fromkeys(messages[:3]))}" if messages else ""
        raise FeedFailedError(
            f"feed {self.feed_id!r} ({self.feed.feed_type or 'unknown type'}) "
            f"ended in status {self.status}{detail}",
            feed_id=self.feed_id,
        )


# --- request bodies -------------------------------------------------------


def format_sale_moment(value: date | datetime | None) -> str | None:
    """Format a sale date as the feeds take it, or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def text_body(text: LocalizedText) -> dict[str, Any]:
    """Build a `{value, translations}` object."""
    return {
        "value": text.value,
        "translations": [
            {"language": item.language, "value": item.value}
            for item in text.translations
        ],
    }


def sale_price_body(sale: FeedSalePrice) -> dict[str, Any]:
    """Build `salePrice`; a cleared sale keeps its null parts."""
    return {
        "value": sale.value,
        "startAt": format_sale_moment(sale.start_at),
        "endAt": format_sale_moment(sale.end_at),
    }


def price_body(price: FeedPrice) -> dict[str, Any]:
    """Build a `price` object."""
    body: dict[str, Any] = {
        "currency": price.currency.strip().upper(),
        "value": price.value,
    }
    if price.sale_price is not None:
        body["salePrice"] = sale_price_body(price.sale_price)
    return body


def business_clients_body(
    clients: Iterable[BusinessClientPrice],
) -> list[dict[str, Any]]:
    """Build `businessClients` price entries."""
    return [
        {
            "businessClientCode": client.business_client_code.strip().lower(),
            "price": price_body(client.price),
        }
        for client in clients
    ]


def attributes_body(attributes: Iterable[FeedAttribute]) -> list[dict[str, Any]]:
    """Build the `attributes` list."""
    return [
        {
            "name": attribute.name,
            "value": attribute.value,
            "translations": [
                {"language": item.language, "value": item.value}
                for item in attribute.translations
            ],
        }
        for attribute in attributes
    ]


def images_body(images: Iterable[FeedImage]) -> list[dict[str, Any]]:
    """Build the `images` list."""
    return [{"url": image.url, "primary": image.primary} for image in images]


def ref_body(code: int | str, name: str | None) -> dict[str, Any]:
    """Build a `{code, name}` reference; the code is sent as given."""
    body: dict[str, Any] = {"code": code.strip() if isinstance(code, str) else code}
    if name:
        body["name"] = name
    return body


def new_product_body(product: NewProduct) -> dict[str, Any]:
    """Build one entry of the create feed's `products`."""
    body: dict[str, Any] = {
        "name": text_body(product.name),
        "description": text_body(product.description),
        "parentSku": product.parent_sku,
        "sellerSku": product.seller_sku,
        "variation": product.variation,
        "brand": ref_body(product.brand_code, product.brand_name),
        "category": ref_body(product.category_code, product.category_name),
        "images": images_body(product.images),
        "price": price_body(product.price),
        "stock": product.stock,
        "attributes": attributes_body(product.attributes),
    }
    if product.barcode_ean is not None:
        body["barcodeEan"] = product.barcode_ean
    if product.business_clients:
        body["businessClients"] = business_clients_body(product.business_clients)
    return body


def product_update_body(update: ProductUpdate, variation_id: str) -> dict[str, Any]:
    """Build one entry of the update feed's `products`; unset fields stay out."""
    body: dict[str, Any] = {"id": variation_id}
    if update.seller_sku is not None:
        body["sellerSku"] = update.seller_sku
    if update.name is not None:
        body["name"] = text_body(update.name)
    if update.description is not None:
        body["description"] = text_body(update.description)
    if update.parent_sku is not None:
        body["parentSku"] = update.parent_sku
    if update.variation is not None:
        body["variation"] = update.variation
    if update.brand_code is not None:
        body["brand"] = ref_body(update.brand_code, update.brand_name)
    if update.category_code is not None:
        body["category"] = ref_body(update.category_code, update.category_name)
    if update.barcode_ean is not None:
        body["barcodeEan"] = update.barcode_ean
    if update.images is not None:
        body["images"] = images_body(update.images)
    if update.attributes is not None:
        body["attributes"] = attributes_body(update.attributes)
    return body


def stock_update_body(update: StockUpdate, variation_id: str) -> dict[str, Any]:
    """Build one entry of the stock feed's `products`."""
    body: dict[str, Any] = {"id": variation_id, "stock": update.stock}
    if update.seller_sku is not None:
        body["sellerSku"] = update.seller_sku
    return body


def price_update_body(update: PriceUpdate, variation_id: str) -> dict[str, Any]:
    """Build one entry of the price feed's `products`."""
    body: dict[str, Any] = {"id": variation_id}
    if update.seller_sku is not None:
        body["sellerSku"] = update.seller_sku
    if update.category_code is not None:
        code = update.category_code
        body["category"] = int(code) if isinstance(code, str) else code
    if update.price is not None:
        body["price"] = price_body(update.price)
    if update.business_clients:
        body["businessClients"] = business_clients_body(update.business_clients)
    return body


def status_update_body(update: StatusUpdate, variation_id: str) -> dict[str, Any]:
    """Build one entry of the status feed's `products`."""
    body: dict[str, Any] = {"id": variation_id}
    if update.seller_sku is not None:
        body["sellerSku"] = update.seller_sku
    if update.created_at is not None:
        body["createdAt"] = update.created_at.isoformat()[:10]
    body["businessClients"] = [
        {"businessClientCode": code, "status": update.status.value}
        for code in update.business_client_codes
    ]
    return body
