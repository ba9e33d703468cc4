"""The shared product catalog: brands, categories and attribute sets.

Jumia's catalog is platform-wide, so every Mastershop of one sandbox reads
the same catalog. It is built once from the seed and never changes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import attrs

from ._reference_tables import (
    ATTRIBUTE_SETS,
    BRAND_SYLLABLES,
    CATEGORY_TREE,
    COMMON_ATTRIBUTES,
    AttributeSpec,
    CategorySpec,
    Validations,
)

# Brand codes that sellers fall back on: "Generic" for non-fashion products
# and "Fashion" for fashion products.
GENERIC_BRAND_CODE = 1045133
FASHION_BRAND_CODE = 1039426

_FIRST_CATEGORY_CODE = 1004101
_FIRST_ATTRIBUTE_CODE = 120
_PATH_SEPARATORS = (" / ", " > ")


def new_uuid(rng: random.Random) -> str:
    """Return a version 4 UUID string drawn from `rng`."""
    digits = f"{rng.getrandbits(128):032x}"
    variant = "89ab"[int(digits[16], 16) & 3]
    return (
        f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-"
        f"{variant}{digits[17:20]}-{digits[20:]}"
    )


@attrs.frozen
class Brand:
    code: int
    name: str


@attrs.frozen
class AttributeOption:
    """An allowed value of a selection attribute. `name` is the value to send."""

    id: int
    sid: str
    name: str
    position: int


@attrs.frozen
class Attribute:
    """One attribute of an attribute set. `variation` marks the variant axis."""

    sid: str
    code: int
    name: str
    description: str
    type: str
    mandatory: bool
    variation: bool
    translatable: bool
    options: tuple[AttributeOption, ...]
    validations: Validations

    def option(self, value: str) -> str | None:
        """Return the option's own spelling of `value` (any case), or None."""
        folded = value.strip().casefold()
        for option in self.options:
            if option.name.casefold() == folded:
                return option.name
        return None

    def validation(self, key: str) -> int | bool | str | None:
        for name, value in self.validations:
            if name == key:
                return value
        return None


@attrs.frozen
class AttributeSet:
    sid: str
    name: str
    attributes: tuple[Attribute, ...]

    def attribute(self, name: str) -> Attribute | None:
        """Return the attribute called `name` (any case), or None."""
        folded = name.strip().casefold()
        for attribute in self.attributes:
            if attribute.name.casefold() == folded:
                return attribute
        return None

    @property
    def variation_attribute(self) -> Attribute:
        return next(attribute for attribute in self.attributes if attribute.variation)


@attrs.frozen
class Category:
    """A category. Products can be listed only in leaves with an attribute set."""

    code: int
    name: str
    path: tuple[str, ...]
    # " / " or " > ": the real API uses both in `completePath`.
    separator: str
    has_children: bool
    attribute_set: AttributeSet | None
    allows_generic: bool

    @property
    def complete_path(self) -> str:
        return self.separator.join(self.path)

    @property
    def is_listable(self) -> bool:
        return self.attribute_set is not None and not self.has_children


class ReferenceCatalog:
    """Brands sorted by name, categories in tree order, and attribute sets."""

    def __init__(
        self,
        brands: list[Brand],
        categories: list[Category],
        attribute_sets: list[AttributeSet],
    ) -> None:
        self.brands = tuple(sorted(brands, key=lambda brand: (brand.name, brand.code)))
        self.categories = tuple(categories)
        self.attribute_sets = tuple(attribute_sets)
        self._brands = {brand.code: brand for brand in brands}
        self._categories = {category.code: category for category in categories}
        self._attribute_sets = {item.sid: item for item in attribute_sets}

    def brand(self, code: int) -> Brand | None:
        return self._brands.get(code)

    def category(self, code: int) -> Category | None:
        return self._categories.get(code)

    def attribute_set(self, sid: str) -> AttributeSet | None:
        return self._attribute_sets.get(sid)

    def listable_categories(self) -> list[Category]:
        return [category for category in self.categories if category.is_listable]


def build_reference_catalog(seed: int, brand_count: int) -> ReferenceCatalog:
    """Build the catalog for `seed`: ids and brand names depend only on it.

    `brand_count` includes the Generic and Fashion brands.
    """
    rng = random.Random(f"jumia-sandbox-catalog:{seed}")
    attribute_codes = _attribute_codes()
    option_ids = iter(range(1, 1_000_000))
    attribute_sets = {
        name: AttributeSet(
            sid=new_uuid(rng),
            name=name,
            attributes=tuple(
                _build_attribute(rng, spec, attribute_codes, option_ids)
                for spec in (*specs, *COMMON_ATTRIBUTES)
            ),
        )
        for name, specs in ATTRIBUTE_SETS.items()
    }
    codes = iter(range(_FIRST_CATEGORY_CODE, _FIRST_CATEGORY_CODE + 10_000))
    categories: list[Category] = []
    for position, spec in enumerate(CATEGORY_TREE):
        separator = _PATH_SEPARATORS[position % 2]
        categories.extend(
            _walk_tree(spec, (), separator, attribute_sets, codes, spec.allows_generic)
        )
    return ReferenceCatalog(
        _build_brands(rng, brand_count), categories, list(attribute_sets.values())
    )


def _attribute_codes() -> dict[str, int]:
    """Number every attribute name once, so equal names share a code."""
    names: dict[str, None] = {}
    for specs in (COMMON_ATTRIBUTES, *ATTRIBUTE_SETS.values()):
        for spec in specs:
            names[spec.name] = None
    return {name: _FIRST_ATTRIBUTE_CODE + index for index, name in enumerate(names)}


def _build_attribute(
    rng: random.Random,
    spec: AttributeSpec,
    codes: dict[str, int],
    option_ids: Iterator[int],
) -> Attribute:
    options = tuple(
        AttributeOption(id=next(option_ids), sid=new_uuid(rng), name=name, position=at)
        for at, name in enumerate(spec.options, start=1)
    )
    return Attribute(
        sid=new_uuid(rng),
        code=codes[spec.name],
        name=spec.name,
        description=spec.description,
        type=spec.type,
        mandatory=spec.mandatory,
        variation=spec.variation,
        translatable=spec.translatable,
        options=options,
        validations=spec.validations,
    )


def _walk_tree(
    spec: CategorySpec,
    parent_path: tuple[str, ...],
    separator: str,
    attribute_sets: dict[str, AttributeSet],
    codes: Iterator[int],
    allows_generic: bool,
) -> Iterator[Category]:
    """Yield the category of `spec`, then its subtree, depth first."""
    path = (*parent_path, spec.name)
    attribute_set = None
    if spec.attribute_set is not None:
        attribute_set = attribute_sets[spec.attribute_set]
    yield Category(
        code=next(codes),
        name=spec.name,
        path=path,
        separator=separator,
        has_children=bool(spec.children),
        attribute_set=attribute_set,
        allows_generic=allows_generic and spec.allows_generic,
    )
    for child in spec.children:
        yield from _walk_tree(
            child, path, separator, attribute_sets, codes, allows_generic
        )


def _build_brands(rng: random.Random, count: int) -> list[Brand]:
    brands = [
        Brand(GENERIC_BRAND_CODE, "Generic"),
        Brand(FASHION_BRAND_CODE, "Fashion"),
    ]
    names = {"generic", "fashion"}
    codes = {GENERIC_BRAND_CODE, FASHION_BRAND_CODE}
    while len(brands) < count:
        parts = rng.randint(2, 3)
        name = "".join(rng.choice(BRAND_SYLLABLES) for _ in range(parts)).capitalize()
        # Long lists run out of short names, so a number keeps them unique.
        if name.casefold() in names:
            name = f"{name} {len(brands)}"
        code = rng.randrange(1_000_000, 1_999_999)
        if code in codes:
            continue
        names.add(name.casefold())
        codes.add(code)
        brands.append(Brand(code, name))
    return brands
