"""Checks of new products against their category, run before sending a feed.

The create feed accepts any payload and reports problems per product only
after processing. These checks catch the common rejections before sending.
Examples are a missing parent SKU or variation, a non-leaf category, a
missing mandatory attribute, a value outside a selection's options, and a
sale price without dates. Every problem becomes a ValidationIssue naming
the seller SKU, the field and the fix. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

import attrs

from ._limits import (
    PRICE_DECIMALS_MAX,
    PRODUCT_NAME_LENGTH_MAX,
    PRODUCT_NAME_LENGTH_MIN,
)
from ._models.catalog import Attribute, AttributeSet, AttributeType, Category
from ._models.feeds import FeedPrice, FeedSalePrice, NewProduct, ValidationIssue

__all__ = [
    "CategoryRules",
    "ValidationIssue",
    "price_problems",
    "split_valid",
    "validate_product",
]

# Attribute names that some attribute sets list although the product carries
# them as top-level fields; matched after lower-casing and dropping
# everything but letters and digits.
_TOP_LEVEL_FIELDS = {
    "name": "name",
    "description": "description",
    "brand": "brand_code",
    "sellersku": "seller_sku",
    "parentsku": "parent_sku",
    "variation": "variation",
    "price": "price",
    "stock": "stock",
    "quantity": "stock",
    "category": "category_code",
    "primarycategory": "category_code",
    "barcodeean": "barcode_ean",
    "gtinbarcode": "barcode_ean",
}

_OPTIONS_SHOWN = 10
_TEXT_TYPES = (AttributeType.TEXT, AttributeType.TEXT_AREA)


@attrs.frozen(kw_only=True)
class CategoryRules:
    """A category and its attribute set: what a new product is checked against.

    Build it with `client.catalog.category_rules(...)`, or from the results
    of `categories()` and `attribute_set()`.
    """

    category: Category
    attribute_set: AttributeSet

    @property
    def code(self) -> str:
        """The category code the rules apply to."""
        return str(self.category.code).strip()


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _as_moment(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _too_many_decimals(value: float) -> bool:
    exponent = Decimal(str(value)).as_tuple().exponent
    return isinstance(exponent, int) and exponent < -PRICE_DECIMALS_MAX


def _sale_problems(
    sale: FeedSalePrice, price_value: float, field: str, now: datetime
) -> list[tuple[str, str]]:
    if sale.is_clear:
        return []
    problems: list[tuple[str, str]] = []
    if sale.value is None:
        problems.append(
            (
                f"{field}.value",
                "is missing although sale dates are set; pass the sale amount, "
                "or FeedSalePrice.clear() to end a sale",
            )
        )
    elif sale.value >= price_value:
        problems.append(
            (
                f"{field}.value",
                f"{sale.value} is not below the price {price_value}; a sale "
                "price must be lower than the regular price",
            )
        )
    elif _too_many_decimals(sale.value):
        problems.append(
            (
                f"{field}.value",
                f"{sale.value} has more than {PRICE_DECIMALS_MAX} decimal places; "
                "round it",
            )
        )
    for part in ("start_at", "end_at"):
        if getattr(sale, part) is None:
            problems.append(
                (
                    f"{field}.{part}",
                    "is missing; a sale price needs both start_at and end_at",
                )
            )
    if sale.start_at is not None and sale.end_at is not None:
        start, end = _as_moment(sale.start_at), _as_moment(sale.end_at)
        if start >= end:
            problems.append(
                (
                    f"{field}.end_at",
                    f"{sale.end_at.isoformat()} is not after start_at "
                    f"{sale.start_at.isoformat()}; swap or widen the dates",
                )
            )
    if sale.end_at is not None:
        ended = (
            _as_moment(sale.end_at) <= now
            if isinstance(sale.end_at, datetime)
            else sale.end_at < now.date()
        )
        if ended:
            problems.append(
                (
                    f"{field}.end_at",
                    f"{sale.end_at.isoformat()} is in the past; the sale must end "
                    "in the future",
                )
            )
    return problems


def price_problems(
    price: FeedPrice, field: str, *, now: datetime | None = None
) -> list[tuple[str, str]]:
    """Return `(field, message)` pairs for the price and its sale price.

    Checks the number of decimals, and that a sale has an amount below the
    price, both dates, a start before its end and an end in the future.
    """
    current = now or datetime.now(UTC)
    problems: list[tuple[str, str]] = []
    if _too_many_decimals(price.value):
        problems.append(
            (
                f"{field}.value",
                f"{price.value} has more than {PRICE_DECIMALS_MAX} decimal places; "
                "round it",
            )
        )
    if price.sale_price is not None:
        problems.extend(
            _sale_problems(
                price.sale_price, price.value, f"{field}.sale_price", current
            )
        )
    return problems


def _content_problems(product: NewProduct) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not product.seller_sku.strip():
        problems.append(("seller_sku", "is empty; give every product a seller SKU"))
    if not product.parent_sku.strip():
        problems.append(
            (
                "parent_sku",
                "is empty, which the API rejects; set it to seller_sku for a "
                "product without variants, or to the parent SKU its variants share",
            )
        )
    if not product.variation.strip():
        problems.append(
            (
                "variation",
                "is empty, which the API rejects even for a product without "
                "variants; set it to the variant value, such as a size or colour",
            )
        )
    problems.extend(_name_problems(product))
    if not product.description.value.strip():
        problems.append(("description", "is empty; describe the product"))
    if isinstance(product.stock, int) and product.stock < 0:
        problems.append(("stock", f"{product.stock} is negative; use 0 or more"))
    return problems


def _name_problems(product: NewProduct) -> list[tuple[str, str]]:
    name = product.name.value.strip()
    if not name:
        return [("name", "is empty; give the product a title")]
    problems: list[tuple[str, str]] = []
    if not PRODUCT_NAME_LENGTH_MIN <= len(name) <= PRODUCT_NAME_LENGTH_MAX:
        problems.append(
            (
                "name",
                f"has {len(name)} characters; use {PRODUCT_NAME_LENGTH_MIN} to "
                f"{PRODUCT_NAME_LENGTH_MAX}",
            )
        )
    brand = (product.brand_name or "").strip()
    if brand and re.search(rf"(?<!\w){re.escape(brand)}(?!\w)", name, re.IGNORECASE):
        problems.append(
            (
                "name",
                f"contains the brand name {brand!r}, which the API rejects; "
                "remove the brand from the title (it is sent as brand)",
            )
        )
    return problems


def _image_problems(product: NewProduct) -> list[tuple[str, str]]:
    if not product.images:
        return [("images", "is empty; add at least one FeedImage with primary=True")]
    problems: list[tuple[str, str]] = []
    if not any(image.primary for image in product.images):
        problems.append(
            ("images", "has no primary image; set primary=True on the main image")
        )
    for position, image in enumerate(product.images):
        if not image.url.strip().lower().startswith(("http://", "https://")):
            problems.append(
                (
                    f"images[{position}].url",
                    f"{image.url!r} is not an http(s) URL; use a public image link",
                )
            )
    return problems


def _price_problems_all(product: NewProduct, now: datetime) -> list[tuple[str, str]]:
    problems = price_problems(product.price, "price", now=now)
    for position, client in enumerate(product.business_clients):
        problems.extend(
            price_problems(client.price, f"business_clients[{position}].price", now=now)
        )
    return problems


def _category_problems(
    product: NewProduct, rules: CategoryRules | None
) -> list[tuple[str, str]]:
    code = str(product.category_code).strip()
    if rules is None:
        return [
            (
                "category_code",
                f"no CategoryRules were given for category {code}; fetch them "
                "with client.catalog.category_rules() and pass them along",
            )
        ]
    category = rules.category
    problems: list[tuple[str, str]] = []
    if category.has_children is True:
        problems.append(
            (
                "category_code",
                f"category {code} ({category.name or 'unnamed'}) has subcategories, "
                "and products can be listed only in a leaf; pick a more specific one",
            )
        )
    if category.attribute_set is None:
        problems.append(
            (
                "category_code",
                f"category {code} has no attribute set, so it is for navigation "
                "only; pick a category that has one",
            )
        )
    elif not rules.attribute_set.attributes:
        problems.append(
            (
                "category_code",
                f"the attribute set of category {code} lists no attributes, so "
                "products cannot be listed there; pick another category",
            )
        )
    return problems


def _options_hint(attribute: Attribute) -> str:
    names = attribute.option_names
    shown = ", ".join(names[:_OPTIONS_SHOWN])
    more = (
        f" (and {len(names) - _OPTIONS_SHOWN} more)"
        if len(names) > _OPTIONS_SHOWN
        else ""
    )
    return f"{shown}{more}"


def _invalid_options(attribute: Attribute, value: str) -> list[str]:
    """Return the parts of `value` that are not among the attribute's options."""
    allowed = {name.strip().lower() for name in attribute.option_names}
    if value.strip().lower() in allowed and (
        attribute.attribute_type is not AttributeType.MULTI_SELECTION
    ):
        return []
    multiple = attribute.attribute_type is AttributeType.MULTI_SELECTION or (
        attribute.attribute_type is None and "," in value
    )
    parts = [part.strip() for part in value.split(",")] if multiple else [value.strip()]
    return [part for part in parts if part.lower() not in allowed]


def _length_problems(
    attribute: Attribute, field: str, value: str
) -> list[tuple[str, str]]:
    rules = attribute.validations
    kind = attribute.attribute_type
    if rules is None or attribute.is_selection or (kind and kind not in _TEXT_TYPES):
        return []
    length = len(value.strip())
    if rules.min_length is not None and length < rules.min_length:
        return [(field, f"has {length} characters; use at least {rules.min_length}")]
    if rules.max_length is not None and length > rules.max_length:
        return [(field, f"has {length} characters; use at most {rules.max_length}")]
    return []


def _attribute_problems(
    product: NewProduct, attribute_set: AttributeSet
) -> list[tuple[str, str]]:
    given: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for sent in product.attributes:
        key = sent.name.strip().lower()
        if key in given:
            problems.append(
                (f"attributes[{sent.name}]", "is given twice; send each attribute once")
            )
        given[key] = sent.value

    for attribute in attribute_set.attributes:
        field = f"attributes[{attribute.name}]"
        value = given.get(attribute.name.strip().lower())
        top_level = _TOP_LEVEL_FIELDS.get(_key(attribute.name))
        if value is None and top_level is not None:
            # The product carries this one as a field. The barcode is the only
            # such field that is optional, so it is the only one checked here.
            barcode = (product.barcode_ean or "").strip()
            if attribute.mandatory and top_level == "barcode_ean" and not barcode:
                problems.append(
                    ("barcode_ean", "is mandatory in this category; add the EAN")
                )
            continue
        if value is None and attribute.variation:
            # The variant axis takes its value from `variation`, whose options
            # are checked once, after this loop.
            if attribute.mandatory and not product.variation.strip():
                problems.append((field, "is the variant axis; set variation"))
            continue
        if value is None or not value.strip():
            if attribute.mandatory:
                hint = (
                    f"; allowed values: {_options_hint(attribute)}"
                    if attribute.is_selection
                    else ""
                )
                label = attribute.description or attribute.name
                problems.append(
                    (field, f"is mandatory ({label}) but missing; add it{hint}")
                )
            continue
        if attribute.is_selection:
            invalid = _invalid_options(attribute, value)
            if invalid:
                problems.append(
                    (
                        field,
                        f"value {', '.join(invalid)!r} is not an allowed option; "
                        f"use one of: {_options_hint(attribute)}",
                    )
                )
        problems.extend(_length_problems(attribute, field, value))

    axis = attribute_set.variation_attribute
    if (
        axis is not None
        and axis.is_selection
        and product.variation.strip()
        and _invalid_options(axis, product.variation)
    ):
        problems.append(
            (
                "variation",
                f"{product.variation!r} is not an option of the variant axis "
                f"{axis.name!r}; use one of: {_options_hint(axis)}",
            )
        )
    return problems


def validate_product(
    product: NewProduct,
    rules: CategoryRules | None,
    *,
    now: datetime | None = None,
) -> list[ValidationIssue]:
    """Check one new product and return its problems (empty when valid).

    `rules` are the product's category and attribute set; None reports the
    category as unchecked. `now` (default: the current time) decides
    whether a sale has already ended.
    """
    current = now or datetime.now(UTC)
    problems = _content_problems(product)
    problems.extend(_image_problems(product))
    problems.extend(_price_problems_all(product, current))
    category_problems = _category_problems(product, rules)
    problems.extend(category_problems)
    if rules is not None:
        problems.extend(_attribute_problems(product, rules.attribute_set))
    return [
        ValidationIssue(seller_sku=product.seller_sku, field=field, message=message)
        for field, message in problems
    ]


def _group_problems(products: list[NewProduct]) -> dict[int, list[tuple[str, str]]]:
    """Find problems between products: repeated SKUs and mismatched variants."""
    found: dict[int, list[tuple[str, str]]] = {}
    first_by_sku: dict[str, int] = {}
    first_by_variant: dict[tuple[str, str], int] = {}
    first_by_parent: dict[str, int] = {}
    for position, product in enumerate(products):
        problems = found.setdefault(position, [])
        sku = product.seller_sku.strip()
        if sku in first_by_sku:
            problems.append(("seller_sku", f"{sku!r} appears twice; send it once"))
        first_by_sku.setdefault(sku, position)

        parent = product.parent_sku.strip()
        if not parent:
            continue
        variant = (parent, product.variation.strip().lower())
        if variant in first_by_variant:
            problems.append(
                (
                    "variation",
                    f"{product.variation!r} is already used by "
                    f"{products[first_by_variant[variant]].seller_sku!r} in parent "
                    f"SKU {parent!r}; give each variant its own value",
                )
            )
        first_by_variant.setdefault(variant, position)

        if parent not in first_by_parent:
            first_by_parent[parent] = position
            continue
        first = products[first_by_parent[parent]]
        if str(first.category_code).strip() != str(product.category_code).strip():
            problems.append(
                (
                    "category_code",
                    f"differs from {first.seller_sku!r} in parent SKU {parent!r}; "
                    "variants of one product share its category",
                )
            )
        if {image.url for image in first.images} != {
            image.url for image in product.images
        }:
            problems.append(
                (
                    "images",
                    f"differ from those of {first.seller_sku!r} in parent SKU "
                    f"{parent!r}; variants of one product send the same images",
                )
            )
    return found


def split_valid(
    products: Iterable[NewProduct],
    rules: Iterable[CategoryRules],
    *,
    now: datetime | None = None,
) -> tuple[list[NewProduct], list[ValidationIssue]]:
    """Split products into those that pass every check and the issues of the rest.

    Each product is checked against the CategoryRules of its
    `category_code`, and against the other products: a seller SKU may appear
    once, and variants sharing a parent SKU need distinct variation values,
    the same category and the same images. The valid products keep their
    order.
    """
    items = list(products)
    for position, product in enumerate(items):
        if not isinstance(product, NewProduct):
            raise TypeError(f"products[{position}] is {product!r}; use NewProduct")
    by_code = {rule.code: rule for rule in rules}
    current = now or datetime.now(UTC)
    between = _group_problems(items)

    valid: list[NewProduct] = []
    issues: list[ValidationIssue] = []
    for position, product in enumerate(items):
        rule = by_code.get(str(product.category_code).strip())
        found = validate_product(product, rule, now=current)
        found.extend(
            ValidationIssue(seller_sku=product.seller_sku, field=field, message=message)
            for field, message in between.get(position, [])
        )
        if found:
            issues.extend(found)
        else:
            valid.append(product)
    return valid, issues
