"""Fixed definitions of the sandbox's category tree and attribute sets."""

from __future__ import annotations

from typing import NamedTuple

# Attribute type names, as the published spec lists them.
BOOLEAN = "BOOLEAN"
DATE = "DATE"
MULTI_SELECTION = "MULTI_SELECTION"
NUMBER = "NUMBER"
SELECTION = "SELECTION"
TEXT = "TEXT"
TEXT_AREA = "TEXT_AREA"

# Validation rules of an attribute, as (camelCase key, value) pairs.
Validations = tuple[tuple[str, int | bool | str], ...]


class AttributeSpec(NamedTuple):
    """One attribute of an attribute set, before ids are drawn."""

    name: str
    description: str
    type: str
    mandatory: bool = False
    variation: bool = False
    translatable: bool = False
    options: tuple[str, ...] = ()
    validations: Validations = ()


class CategorySpec(NamedTuple):
    """A category and its subtree. `attribute_set` names an AttributeSetSpec."""

    name: str
    attribute_set: str | None = None
    children: tuple[CategorySpec, ...] = ()
    # False for categories whose products must not use the Generic brand.
    allows_generic: bool = True


COLOURS = ("Black", "White", "Red", "Blue", "Green", "Yellow", "Orange", "Multicolour")

# Attributes that every attribute set has.
COMMON_ATTRIBUTES: tuple[AttributeSpec, ...] = (
    AttributeSpec(
        "short_description",
        "Short Description",
        TEXT_AREA,
        mandatory=True,
        translatable=True,
        validations=(("minLength", 1), ("maxLength", 2000)),
    ),
    AttributeSpec(
        "product_weight",
        "Product Weight (kg)",
        NUMBER,
        mandatory=True,
        validations=(("decimalPlaces", 2), ("notZeroOrNegative", True)),
    ),
    AttributeSpec("model", "Model", TEXT, validations=(("maxLength", 50),)),
    AttributeSpec(
        "package_content",
        "Package Content",
        TEXT,
        translatable=True,
        validations=(("maxLength", 255),),
    ),
    AttributeSpec("color_family", "Colour Family", MULTI_SELECTION, options=COLOURS),
    AttributeSpec(
        "warranty_duration",
        "Warranty Duration (months)",
        NUMBER,
        validations=(("decimalPlaces", 0),),
    ),
)

# Attributes per attribute set, listed before the common ones. Each set has
# exactly one attribute with variation=True: the variant axis. A SELECTION
# axis is a closed list, and some lists include "...", the placeholder for a
# product without variants. The "variation" axis of "Accessories" is free text.
ATTRIBUTE_SETS: dict[str, tuple[AttributeSpec, ...]] = {
    "Phones": (
        AttributeSpec(
            "color",
            "Colour",
            SELECTION,
            variation=True,
            options=("Black", "White", "Blue", "Gold", "..."),
        ),
        AttributeSpec(
            "battery_capacity",
            "Battery Capacity (mAh)",
            NUMBER,
            validations=(("decimalPlaces", 0), ("notZeroOrNegative", True)),
        ),
        AttributeSpec("dual_sim", "Dual SIM", BOOLEAN),
    ),
    "Accessories": (
        AttributeSpec(
            "variation",
            "Variation",
            TEXT,
            variation=True,
            validations=(("maxLength", 40),),
        ),
        AttributeSpec(
            "plug_type", "Plug Type", MULTI_SELECTION, options=("UK", "EU", "US")
        ),
    ),
    "Audio": (
        AttributeSpec(
            "color",
            "Colour",
            SELECTION,
            variation=True,
            options=("Black", "White", "Red", "Blue", "..."),
        ),
        AttributeSpec("is_waterproof", "Waterproof", BOOLEAN),
    ),
    "Electronics": (
        AttributeSpec(
            "screen_size",
            "Screen Size",
            SELECTION,
            variation=True,
            options=('32"', '43"', '50"', '55"', '65"'),
        ),
        AttributeSpec(
            "voltage", "Voltage (V)", NUMBER, validations=(("decimalPlaces", 0),)
        ),
        AttributeSpec(
            "plug_type", "Plug Type", MULTI_SELECTION, options=("UK", "EU", "US")
        ),
    ),
    "Apparel": (
        AttributeSpec(
            "size",
            "Size",
            SELECTION,
            variation=True,
            options=("XS", "S", "M", "L", "XL", "XXL"),
        ),
        AttributeSpec(
            "main_material",
            "Main Material",
            SELECTION,
            mandatory=True,
            options=("Cotton", "Polyester", "Linen", "Wool", "Denim"),
        ),
    ),
    "Shoes": (
        AttributeSpec(
            "shoe_size",
            "Shoe Size (EU)",
            SELECTION,
            variation=True,
            options=("38", "39", "40", "41", "42", "43", "44", "45", "..."),
        ),
        AttributeSpec(
            "main_material",
            "Main Material",
            SELECTION,
            options=("Leather", "Canvas", "Synthetic", "Mesh"),
        ),
    ),
    "Bags": (
        AttributeSpec(
            "color",
            "Colour",
            SELECTION,
            variation=True,
            options=("Black", "Brown", "Beige", "Red"),
        ),
    ),
    "Home Appliances": (
        AttributeSpec(
            "capacity",
            "Capacity",
            SELECTION,
            variation=True,
            options=("...", "1L", "1.5L", "2L"),
        ),
        AttributeSpec(
            "voltage", "Voltage (V)", NUMBER, validations=(("decimalPlaces", 0),)
        ),
        AttributeSpec(
            "power",
            "Power (W)",
            NUMBER,
            validations=(("decimalPlaces", 0), ("notZeroOrNegative", True)),
        ),
        AttributeSpec(
            "plug_type", "Plug Type", MULTI_SELECTION, options=("UK", "EU", "US")
        ),
    ),
    "Home": (
        AttributeSpec(
            "color",
            "Colour",
            SELECTION,
            variation=True,
            options=("Black", "White", "Silver", "Wood", "..."),
        ),
    ),
    "Gaming": (
        AttributeSpec(
            "color",
            "Colour",
            SELECTION,
            variation=True,
            options=("Black", "White", "Red", "..."),
        ),
        AttributeSpec(
            "compatibility",
            "Compatible Platforms",
            MULTI_SELECTION,
            options=("PC", "PlayStation", "Xbox", "Android"),
        ),
    ),
    "Grocery": (
        AttributeSpec(
            "size",
            "Pack Size",
            SELECTION,
            variation=True,
            options=("500ml", "1L", "1.5L", "..."),
        ),
        AttributeSpec(
            "expiry_date",
            "Expiry Date",
            DATE,
            validations=(("dateFormat", "yyyy-MM-dd"),),
        ),
    ),
    "Beauty": (
        AttributeSpec(
            "volume",
            "Volume",
            SELECTION,
            variation=True,
            options=("30ml", "50ml", "100ml", "..."),
        ),
        AttributeSpec(
            "concentration",
            "Concentration (%)",
            NUMBER,
            validations=(("decimalPlaces", 1), ("percentage", True)),
        ),
    ),
}


def _leaf(name: str, attribute_set: str | None) -> CategorySpec:
    return CategorySpec(name, attribute_set)


# The category tree in listing order. Products can be listed only in leaves
# that have an attribute set. "Mobile Phones" has an attribute set but also
# children, and "Home Audio" is a leaf without one, so that tests can reach
# both rejections.
CATEGORY_TREE: tuple[CategorySpec, ...] = (
    CategorySpec(
        "Phones & Tablets",
        children=(
            CategorySpec(
                "Mobile Phones",
                "Phones",
                children=(
                    _leaf("Smartphones", "Phones"),
                    _leaf("Basic Phones", "Phones"),
                ),
            ),
            _leaf("Tablets", "Phones"),
            CategorySpec(
                "Phone Accessories",
                children=(
                    _leaf("Cases & Covers", "Accessories"),
                    _leaf("Chargers", "Accessories"),
                    _leaf("Power Banks", "Accessories"),
                ),
            ),
        ),
    ),
    CategorySpec(
        "Electronics",
        children=(
            CategorySpec(
                "Audio",
                children=(
                    _leaf("Headphones", "Audio"),
                    _leaf("Bluetooth Speakers", "Audio"),
                    _leaf("Home Audio", None),
                ),
            ),
            CategorySpec(
                "Television & Video", children=(_leaf("Televisions", "Electronics"),)
            ),
        ),
    ),
    CategorySpec(
        "Fashion",
        allows_generic=False,
        children=(
            CategorySpec(
                "Men's Fashion",
                allows_generic=False,
                children=(
                    CategorySpec(
                        "Clothing",
                        allows_generic=False,
                        children=(
                            CategorySpec("T-Shirts", "Apparel", allows_generic=False),
                            CategorySpec("Shirts", "Apparel", allows_generic=False),
                        ),
                    ),
                    CategorySpec("Sneakers", "Shoes", allows_generic=False),
                ),
            ),
            CategorySpec(
                "Women's Fashion",
                allows_generic=False,
                children=(
                    CategorySpec("Dresses", "Apparel", allows_generic=False),
                    CategorySpec("Handbags", "Bags", allows_generic=False),
                ),
            ),
        ),
    ),
    CategorySpec(
        "Home & Office",
        children=(
            CategorySpec(
                "Kitchen & Dining",
                children=(
                    CategorySpec(
                        "Small Appliances",
                        children=(
                            _leaf("Blenders", "Home Appliances"),
                            _leaf("Electric Kettles", "Home Appliances"),
                            _leaf("Rice Cookers", "Home Appliances"),
                        ),
                    ),
                ),
            ),
            CategorySpec(
                "Home Decor",
                children=(_leaf("Wall Clocks", "Home"), _leaf("Desk Lamps", "Home")),
            ),
        ),
    ),
    CategorySpec(
        "Gaming",
        children=(
            CategorySpec(
                "PC Gaming",
                children=(
                    CategorySpec(
                        "Accessories", children=(_leaf("Controllers", "Gaming"),)
                    ),
                ),
            ),
        ),
    ),
    CategorySpec(
        "Grocery",
        children=(
            CategorySpec(
                "Beverages",
                children=(_leaf("Water", "Grocery"), _leaf("Juices", "Grocery")),
            ),
        ),
    ),
    CategorySpec(
        "Health & Beauty",
        children=(_leaf("Fragrances", "Beauty"), _leaf("Hair Care", "Beauty")),
    ),
)

# Syllables of generated brand names.
BRAND_SYLLABLES = (
    "ka",
    "zu",
    "mi",
    "to",
    "ra",
    "ne",
    "lo",
    "vi",
    "sa",
    "do",
    "fe",
    "bo",
    "ti",
    "an",
    "el",
    "ko",
    "wa",
    "yu",
)
