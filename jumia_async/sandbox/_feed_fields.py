"""Reading and checking the fields of feed products, shared by every feed type.

Checks return rejection messages in the real API's wording where it is
known. Brand and category codes arrive as numbers or digit strings.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from ._params import parse_ascii_int
from ._products import ProductImage
from ._reference import (
    GENERIC_BRAND_CODE,
    Attribute,
    AttributeSet,
    Brand,
    Category,
    ReferenceCatalog,
)
from ._reference_tables import (
    BOOLEAN,
    DATE,
    MULTI_SELECTION,
    NUMBER,
    SELECTION,
    TEXT,
    TEXT_AREA,
)

CANNOT_LIST = (
    "You can't list products in this category. Please choose a different "
    "(more specific) category and try again."
)
_BOOLEAN_TEXTS = frozenset({"true", "false", "1", "0", "yes", "no"})


def missing(field: str) -> str:
    # NOTE: the real texts for an empty variation and for a product without
    # a primary image are unknown. The sandbox uses this pattern for both.
    return f"Required field [{field}] is missing or null."


def invalid(field: str, value: Any) -> str:
    return f"Attribute [{field}] with invalid value [{value}]."


def read_text(value: Any) -> str | None:
    """Return text sent as a string or as {"value": ...}, or None if it is blank."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _code_value(value: Any) -> Any:
    return value.get("code") if isinstance(value, dict) else value


def read_code(value: Any) -> int | None:
    """Return a positive code sent as a number, a digit string or {"code": ...}.

    Anything else, such as "²", "-1", 3.5 or a 5000-digit string, returns None.
    """
    value = _code_value(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str):
        return parse_ascii_int(value) or None
    return None


def _code_missing(value: Any) -> bool:
    value = _code_value(value)
    return value is None or (isinstance(value, str) and not value.strip())


def _code_text(value: Any) -> str:
    value = _code_value(value)
    return value.strip() if isinstance(value, str) else str(value)


def read_variation(value: Any) -> str | None:
    """Return the variation value. The docs' examples send integers such as 1."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return read_text(value)


def read_brand(reference: ReferenceCatalog, raw: Any) -> tuple[Brand | None, list[str]]:
    """Return the brand that `raw` names, or the rejection.

    A code that is not a positive integer is not found, like an unknown one.
    """
    if _code_missing(raw):
        return None, [missing("Product.Brand.Code")]
    code = read_code(raw)
    brand = reference.brand(code) if code is not None else None
    if brand is None:
        return None, [f"Brand not found by code [{_code_text(raw)}]."]
    return brand, []


def read_category(
    reference: ReferenceCatalog, raw: Any
) -> tuple[Category | None, list[str]]:
    """Return a category that products can be listed in, or the rejection.

    A code that is not a positive integer is not found, like an unknown one.
    """
    if _code_missing(raw):
        return None, [missing("Product.Category.Code")]
    code = read_code(raw)
    category = reference.category(code) if code is not None else None
    if category is None:
        return None, [f"Category not found by code [{_code_text(raw)}]."]
    if not category.is_listable:
        return None, [CANNOT_LIST]
    return category, []


def brand_rules(name: str | None, brand: Brand, category: Category) -> list[str]:
    """Check the brand against the product name and the category."""
    messages = []
    if brand.code == GENERIC_BRAND_CODE and not category.allows_generic:
        messages.append("Product category doesn't allow Generic brand")
    pattern = rf"(?<!\w){re.escape(brand.name)}(?!\w)"
    if name is not None and re.search(pattern, name, re.IGNORECASE):
        messages.append(f"Product name contains Brand name [{brand.name}]")
    return messages


def check_variation_value(attribute_set: AttributeSet, value: str) -> str | list[str]:
    """Return the variation value as the axis spells it, or the rejection.

    A closed axis takes only its option names, "..." included where listed.
    """
    axis = attribute_set.variation_attribute
    if axis.options:
        option = axis.option(value)
        if option is None:
            return [f"Attribute [variation] with invalid value [{value}]"]
        return option
    limit = axis.validation("maxLength")
    if isinstance(limit, int) and not isinstance(limit, bool) and len(value) > limit:
        return [f"Attribute [variation] with invalid value [{value}]"]
    return value


def read_images(raw: Any) -> tuple[list[ProductImage], list[str]]:
    """Read `images`, which needs one primary image with an http(s) URL.

    `primary` may be true or 1, as in the docs' examples.
    """
    images: list[ProductImage] = []
    messages: list[str] = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            messages.append(invalid("Product.Image", entry))
            continue
        url = entry.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            messages.append(invalid("Product.Image.Url", url))
            continue
        primary = entry.get("primary") is True or entry.get("primary") == 1
        images.append(ProductImage(url=url, primary=primary))
    if not any(image.primary for image in images):
        messages.append(missing("Product.Image.Primary"))
    return images, messages


def read_attributes(raw: Any, category: Category) -> tuple[dict[str, str], list[str]]:
    """Read `attributes` into {name: value}, checked against the category's set.

    The variant axis is left out: the product's `variation` field sets it.
    """
    attribute_set = category.attribute_set
    values: dict[str, str] = {}
    messages: list[str] = []
    if attribute_set is None:
        return values, messages
    for entry in raw if isinstance(raw, list) else []:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            messages.append(missing("Product.Attribute.Name"))
            continue
        attribute = attribute_set.attribute(name)
        if attribute is None:
            messages.append(
                f"Attribute [{name}] is not visible for category [{category.name}]"
            )
            continue
        if attribute.variation:
            continue
        text = _value_text(entry.get("value"))
        if text is None:
            continue
        checked = check_attribute_value(attribute, text)
        if checked is None:
            messages.append(f"Attribute [{attribute.name}] with invalid value [{text}]")
        else:
            values[attribute.name] = checked
    return values, messages


def missing_mandatory(category: Category, values: dict[str, str]) -> list[str]:
    """Return a rejection per mandatory attribute without a value."""
    attribute_set = category.attribute_set
    if attribute_set is None:
        return []
    return [
        f"The column [{attribute.name}] is missing from the file"
        for attribute in attribute_set.attributes
        if attribute.mandatory
        and not attribute.variation
        and attribute.name not in values
    ]


def _value_text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, list):
        value = ",".join(str(part) for part in value)
    if isinstance(value, bool):
        value = "true" if value else "false"
    if isinstance(value, int | float):
        value = str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def check_attribute_value(attribute: Attribute, text: str) -> str | None:
    """Return the value as stored, or None when the attribute's rules reject it."""
    kind = attribute.type
    if kind == SELECTION:
        return attribute.option(text)
    if kind == MULTI_SELECTION:
        parts = [attribute.option(part) for part in text.split(",")]
        if any(part is None for part in parts):
            return None
        return ",".join(part for part in parts if part is not None)
    if kind == NUMBER:
        return text if _valid_number(attribute, text) else None
    if kind == BOOLEAN:
        return text.lower() if text.lower() in _BOOLEAN_TEXTS else None
    if kind == DATE:
        try:
            datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            return None
        return text
    if kind in (TEXT, TEXT_AREA):
        limit = attribute.validation("maxLength")
        if isinstance(limit, int) and not isinstance(limit, bool) and len(text) > limit:
            return None
    return text


def _valid_number(attribute: Attribute, text: str) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False
    if not math.isfinite(number):
        return False
    if attribute.validation("notZeroOrNegative") is True and number <= 0:
        return False
    places = attribute.validation("decimalPlaces")
    if isinstance(places, int) and not isinstance(places, bool):
        return abs(round(number, places) - number) < 1e-9
    return True
