"""The product store of one Mastershop: product sets, variations, listings.

A product set groups the variations that share a parent SKU in one shop.
Each variation has one listing per business client (country storefront),
which carries that country's status, quality-control state and price.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from typing import Final

import attrs

from ._countries import Country
from ._model import Shop
from ._pricing import Price, convert
from ._reference import Brand, Category

ACTIVE: Final = "ACTIVE"
INACTIVE: Final = "INACTIVE"
PRODUCT_STATUSES: Final = frozenset({ACTIVE, INACTIVE})

NOT_READY_TO_QC: Final = "NOT_READY_TO_QC"
QC_PENDING: Final = "PENDING"
APPROVED: Final = "APPROVED"
REJECTED: Final = "REJECTED"
QC_STATUSES: Final = frozenset({NOT_READY_TO_QC, QC_PENDING, APPROVED, REJECTED})


@attrs.define(eq=False)
class Listing:
    """A variation in one business client.

    `sku` is Jumia's SKU in that country. It stays empty until quality
    control first approves the listing. `price` is set only when a feed
    priced this business client itself. Otherwise the variation's global
    price applies. Times are Unix seconds.
    """

    country: Country
    qc_updated_at: float
    status: str = ACTIVE
    sku: str = ""
    qc_status: str = NOT_READY_TO_QC
    last_approved_at: float | None = None
    rejection_reason: str | None = None
    rejection_comment: str | None = None
    price: Price | None = None

    @property
    def code(self) -> str:
        return self.country.business_client_code

    @property
    def visible(self) -> bool:
        """Whether shoppers see it: active and approved by quality control."""
        return self.status == ACTIVE and self.qc_status == APPROVED


@attrs.define(eq=False)
class ProductVariation:
    """A sellable variant. Its `id` is what stock, price and status feeds take."""

    id: str
    sequence: int
    product_set: ProductSet = attrs.field(repr=False)
    seller_sku: str
    variation: str
    price: Price
    stock: int
    stock_updated_at: float
    barcode_ean: str = ""
    listings: dict[str, Listing] = attrs.field(factory=dict, repr=False)

    @property
    def approved_once(self) -> bool:
        """Whether quality control approved it in some business client at least once."""
        return any(
            listing.last_approved_at is not None for listing in self.listings.values()
        )

    def listing_price(self, listing: Listing) -> tuple[Price, float, float]:
        """Return the price that applies to a listing, in US dollars and locally."""
        price = listing.price if listing.price is not None else self.price
        usd = convert(price.value, price.currency, "USD")
        local = convert(price.value, price.currency, listing.country.currency)
        return price, usd, local


@attrs.define(eq=False)
class ProductImage:
    url: str
    primary: bool


@attrs.define(eq=False)
class ProductSet:
    """Variations that share a parent SKU in one shop, with their common content.

    `attributes` contains the set-level attribute values by attribute name.
    `created` and `updated` are Unix seconds.
    """

    id: str
    sequence: int
    shop: Shop
    parent_sku: str
    name: str
    description: str
    brand: Brand
    category: Category
    images: list[ProductImage]
    attributes: dict[str, str]
    created: float
    updated: float
    variations: list[ProductVariation] = attrs.field(factory=list, repr=False)

    @property
    def variation_attribute_name(self) -> str:
        attribute_set = self.category.attribute_set
        if attribute_set is None:
            return "variation"
        return attribute_set.variation_attribute.name

    def listings(self) -> Iterator[Listing]:
        for variation in self.variations:
            yield from variation.listings.values()


def _set_sequence(product_set: ProductSet) -> int:
    return product_set.sequence


def _variation_sequence(variation: ProductVariation) -> int:
    return variation.sequence


class ProductStore:
    """Product sets and variations, in creation order and indexed by id and SKU.

    Seller SKUs and parent SKUs are unique within a shop.
    """

    def __init__(self) -> None:
        self._sets: list[ProductSet] = []
        self._variations: list[ProductVariation] = []
        self._sets_by_id: dict[str, ProductSet] = {}
        self._variations_by_id: dict[str, ProductVariation] = {}
        self._by_parent: dict[tuple[str, str], ProductSet] = {}
        self._by_seller_sku: dict[tuple[str, str], ProductVariation] = {}
        self._sets_by_sku: dict[str, list[ProductSet]] = {}
        self._sets_by_shop: dict[str, list[ProductSet]] = {}
        self._sequence = 0

    def __len__(self) -> int:
        return len(self._sets)

    def __iter__(self) -> Iterator[ProductSet]:
        return iter(self._sets)

    def next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def add_set(self, product_set: ProductSet) -> None:
        self._sets.append(product_set)
        self._sets_by_id[product_set.id] = product_set
        self._by_parent[(product_set.shop.id, product_set.parent_sku)] = product_set
        self._sets_by_shop.setdefault(product_set.shop.id, []).append(product_set)

    def add_variation(self, variation: ProductVariation) -> None:
        product_set = variation.product_set
        product_set.variations.append(variation)
        self._variations.append(variation)
        self._variations_by_id[variation.id] = variation
        key = (product_set.shop.id, variation.seller_sku)
        self._by_seller_sku[key] = variation
        self._sets_by_sku.setdefault(variation.seller_sku, []).append(product_set)

    def product_set(self, set_id: str) -> ProductSet | None:
        return self._sets_by_id.get(set_id)

    def variation(self, variation_id: str) -> ProductVariation | None:
        return self._variations_by_id.get(variation_id)

    def by_parent_sku(self, shop_id: str, parent_sku: str) -> ProductSet | None:
        return self._by_parent.get((shop_id, parent_sku))

    def by_seller_sku(self, shop_id: str, seller_sku: str) -> ProductVariation | None:
        return self._by_seller_sku.get((shop_id, seller_sku))

    def variations(self) -> list[ProductVariation]:
        """Return every variation in creation order."""
        return self._variations

    def candidates(
        self, *, ids: Iterable[str], seller_sku: str | None, shop_id: str | None
    ) -> list[ProductSet]:
        """Return, in creation order, the sets that the narrowest filter allows.

        `ids` may name product sets or variations. The other filters still
        need checking on the result.
        """
        requested = list(ids)
        if requested:
            found: dict[str, ProductSet] = {}
            for some_id in requested:
                product_set = self._sets_by_id.get(some_id)
                variation = self._variations_by_id.get(some_id)
                if variation is not None:
                    product_set = variation.product_set
                if product_set is not None:
                    found[product_set.id] = product_set
            return sorted(found.values(), key=_set_sequence)
        if seller_sku is not None:
            unique = {id(item): item for item in self._sets_by_sku.get(seller_sku, [])}
            return sorted(unique.values(), key=_set_sequence)
        if shop_id is not None:
            return self._sets_by_shop.get(shop_id, [])
        return self._sets


def page_after(
    items: list[ProductSet], after: int | None, *, descending: bool
) -> Iterator[ProductSet]:
    """Yield the sets of a sequence-ordered list that follow cursor `after`."""
    if descending:
        high = len(items)
        if after is not None:
            high = bisect_left(items, after, key=_set_sequence)
        return (items[position] for position in range(high - 1, -1, -1))
    low = 0 if after is None else bisect_right(items, after, key=_set_sequence)
    return (items[position] for position in range(low, len(items)))


def variations_after(
    items: list[ProductVariation], after: int | None
) -> Iterator[ProductVariation]:
    """Yield the variations of a sequence-ordered list that follow `after`."""
    low = 0 if after is None else bisect_right(items, after, key=_variation_sequence)
    return (items[position] for position in range(low, len(items)))
