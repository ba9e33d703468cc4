"""Checks of new products against their category, without a server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

from jumia_async import (
    Attribute,
    AttributeOption,
    AttributeSet,
    AttributeSetRef,
    AttributeValidations,
    BusinessClientPrice,
    Category,
    CategoryRules,
    FeedAttribute,
    FeedImage,
    FeedPrice,
    FeedSalePrice,
    NewProduct,
    split_valid,
    validate_product,
)

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def options(*names: str) -> list[AttributeOption]:
    return [AttributeOption(name=name) for name in names]


def make_rules(**category: Any) -> CategoryRules:
    attribute_set = AttributeSet(
        sid="set-1",
        attributes=[
            Attribute(
                name="color",
                type="SELECTION",
                mandatory=True,
                variation=True,
                options=options("Black", "White", "Navy"),
            ),
            Attribute(
                name="short_description",
                description="Short Description",
                type="TEXT_AREA",
                mandatory=True,
            ),
            Attribute(
                name="plug_type", type="MULTI_SELECTION", options=options("UK", "EU")
            ),
            Attribute(
                name="model",
                type="TEXT",
                validations=AttributeValidations(max_length=10),
            ),
            Attribute(name="name", type="TEXT", mandatory=True),
        ],
    )
    fields: dict[str, Any] = {
        "code": "1004141",
        "name": "Controllers",
        "has_children": False,
        "attribute_set": AttributeSetRef(sid="set-1"),
        **category,
    }
    return CategoryRules(category=Category(**fields), attribute_set=attribute_set)


def make_product(**overrides: Any) -> NewProduct:
    fields: dict[str, Any] = {
        "seller_sku": "PAD-01-BLK",
        "parent_sku": "PAD-01",
        "variation": "Black",
        "name": "Wireless Gamepad for PC and Android",
        "description": "A wireless controller with two analog sticks.",
        "brand_code": 1045133,
        "brand_name": "Acme",
        "category_code": 1004141,
        "price": FeedPrice(currency="GHS", value=150),
        "stock": 10,
        "images": [FeedImage(url="https://img.example/pad.jpg", primary=True)],
        "attributes": {"short_description": "<ul><li>Wireless</li></ul>"},
    }
    fields.update(overrides)
    return NewProduct(**fields)


def fields_of(product: NewProduct, rules: CategoryRules | None = None) -> list[str]:
    if rules is None:
        rules = make_rules()
    return [issue.field for issue in validate_product(product, rules, now=NOW)]


def sale(value: float | None, start: Any = None, end: Any = None) -> FeedPrice:
    return FeedPrice(
        currency="GHS",
        value=150,
        sale_price=FeedSalePrice(value=value, start_at=start, end_at=end),
    )


def test_valid_product_has_no_issues() -> None:
    assert validate_product(make_product(), make_rules(), now=NOW) == []


def test_issue_names_sku_field_and_fix() -> None:
    issues = validate_product(make_product(parent_sku=""), make_rules(), now=NOW)
    assert len(issues) == 1
    assert issues[0].seller_sku == "PAD-01-BLK"
    assert issues[0].field == "parent_sku"
    assert "set it to seller_sku" in issues[0].message
    assert str(issues[0]).startswith("PAD-01-BLK: parent_sku: ")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"seller_sku": " "}, "seller_sku", "is empty"),
        ({"parent_sku": ""}, "parent_sku", "is empty"),
        ({"variation": " "}, "variation", "is empty"),
        ({"name": "Gamepad"}, "name", "has 7 characters; use 15 to 60"),
        ({"name": "G" * 61}, "name", "has 61 characters"),
        ({"name": ""}, "name", "is empty"),
        ({"name": "ACME Wireless Gamepad for PC"}, "name", "contains the brand name"),
        ({"description": "  "}, "description", "is empty"),
        ({"stock": -1}, "stock", "-1 is negative"),
        ({"images": []}, "images", "add at least one FeedImage"),
        (
            {"images": [FeedImage(url="https://img.example/a.jpg")]},
            "images",
            "has no primary image",
        ),
        (
            {"images": [FeedImage(url="ftp://img/a.jpg", primary=True)]},
            "images[0].url",
            "is not an http(s) URL",
        ),
        ({"price": FeedPrice(currency="GHS", value=9.999)}, "price.value", "decimal"),
    ],
)
def test_content_rules(overrides: dict[str, Any], field: str, message: str) -> None:
    issues = validate_product(make_product(**overrides), make_rules(), now=NOW)
    matching = [issue for issue in issues if issue.field == field]
    assert matching, issues
    assert message in matching[0].message


def test_brand_name_inside_word_is_allowed() -> None:
    product = make_product(name="Acmeplex Wireless Gamepad", brand_name="Acme")
    assert "name" not in fields_of(product)


LATER = NOW + timedelta(days=5)
LATEST = NOW + timedelta(days=10)


@pytest.mark.parametrize(
    ("price", "field", "message"),
    [
        (sale(120, start=LATER), "price.sale_price.end_at", "needs both"),
        (sale(120, end=LATER), "price.sale_price.start_at", "needs both"),
        (sale(None, LATER, LATEST), "price.sale_price.value", "is missing"),
        (sale(150, LATER, LATEST), "price.sale_price.value", "is not below the price"),
        (sale(120.555, LATER, LATEST), "price.sale_price.value", "decimal places"),
        (sale(120, LATEST, LATER), "price.sale_price.end_at", "is not after start_at"),
        (
            sale(120, date(2026, 9, 1), date(2026, 9, 30)),
            "price.sale_price.end_at",
            "is in the past",
        ),
        (
            sale(120, NOW - timedelta(days=3), NOW - timedelta(hours=1)),
            "price.sale_price.end_at",
            "is in the past",
        ),
    ],
)
def test_sale_price_rules(price: FeedPrice, field: str, message: str) -> None:
    issues = validate_product(make_product(price=price), make_rules(), now=NOW)
    matching = [issue for issue in issues if issue.field == field]
    assert matching, issues
    assert message in matching[0].message


def test_valid_sale_and_cleared_sale_pass() -> None:
    running = sale(120, date(2026, 10, 1), date(2026, 10, 1) + timedelta(days=9))
    assert fields_of(make_product(price=running)) == []
    cleared = FeedPrice(currency="GHS", value=150, sale_price=FeedSalePrice.clear())
    assert fields_of(make_product(price=cleared)) == []


def test_business_client_sale_checked() -> None:
    client = BusinessClientPrice(business_client_code="jumia-gh", price=sale(120))
    product = make_product(business_clients=[client])
    assert "business_clients[0].price.sale_price.start_at" in fields_of(product)


def test_category_without_rules_reported() -> None:
    issues = validate_product(make_product(), None, now=NOW)
    assert [issue.field for issue in issues] == ["category_code"]
    assert "category_rules()" in issues[0].message


def test_category_with_children_reported() -> None:
    issues = validate_product(make_product(), make_rules(has_children=True), now=NOW)
    assert [issue.field for issue in issues] == ["category_code"]
    assert "listed only in a leaf" in issues[0].message


def test_category_without_attribute_set_reported() -> None:
    issues = validate_product(make_product(), make_rules(attribute_set=None), now=NOW)
    assert [issue.field for issue in issues] == ["category_code"]
    assert "for navigation only" in issues[0].message


def test_empty_attribute_set_reported() -> None:
    rules = attrs.evolve(make_rules(), attribute_set=AttributeSet(sid="set-1"))
    issues = validate_product(make_product(), rules, now=NOW)
    assert [issue.field for issue in issues] == ["category_code"]
    assert "lists no attributes" in issues[0].message


def test_mandatory_attribute_missing() -> None:
    issues = validate_product(make_product(attributes={}), make_rules(), now=NOW)
    assert [issue.field for issue in issues] == ["attributes[short_description]"]
    assert "is mandatory (Short Description) but missing" in issues[0].message


def test_mandatory_variation_axis_filled_by_variation() -> None:
    # `color` is mandatory and the variant axis: `variation` supplies it.
    assert "attributes[color]" not in fields_of(make_product())


def test_attribute_named_like_a_field_reads_the_field() -> None:
    # The set lists `name` as mandatory; the product's title supplies it.
    assert "attributes[name]" not in fields_of(make_product())


def test_selection_value_outside_options() -> None:
    product = make_product(attributes={"short_description": "x", "color": "Yellow,Red"})
    issues = validate_product(product, make_rules(), now=NOW)
    assert [issue.field for issue in issues] == ["attributes[color]"]
    assert "'Yellow,Red' is not an allowed option" in issues[0].message
    assert "Black, White, Navy" in issues[0].message


def test_selection_matches_without_case() -> None:
    product = make_product(attributes={"short_description": "x", "color": "black"})
    assert fields_of(product) == []


def test_multi_selection_checks_each_value() -> None:
    good = make_product(attributes={"short_description": "x", "plug_type": "UK,EU"})
    assert fields_of(good) == []
    listed = make_product(
        attributes=[
            FeedAttribute(name="short_description", value="x"),
            FeedAttribute(name="plug_type", value=["UK", "US"]),
        ]
    )
    issues = validate_product(listed, make_rules(), now=NOW)
    assert [issue.field for issue in issues] == ["attributes[plug_type]"]
    assert "'US' is not an allowed option" in issues[0].message


def test_variation_outside_axis_options() -> None:
    issues = validate_product(
        make_product(variation="Navy Blue"), make_rules(), now=NOW
    )
    fields = [issue.field for issue in issues]
    assert "variation" in fields
    message = issues[fields.index("variation")].message
    assert "not an option of the variant axis 'color'" in message


def test_text_length_from_validations() -> None:
    product = make_product(attributes={"short_description": "x", "model": "X" * 11})
    issues = validate_product(product, make_rules(), now=NOW)
    assert [issue.field for issue in issues] == ["attributes[model]"]
    assert "use at most 10" in issues[0].message


def test_numeric_type_with_options_is_a_selection() -> None:
    rules = make_rules()
    numeric = Attribute(name="warranty", type="3", options=options("1 year"))
    rules = attrs.evolve(
        rules,
        attribute_set=attrs.evolve(
            rules.attribute_set, attributes=[*rules.attribute_set.attributes, numeric]
        ),
    )
    product = make_product(attributes={"short_description": "x", "warranty": "5 years"})
    assert fields_of(product, rules) == ["attributes[warranty]"]


def test_mandatory_barcode_reported() -> None:
    rules = make_rules()
    barcode = Attribute(name="gtin_barcode", mandatory=True)
    rules = attrs.evolve(
        rules,
        attribute_set=attrs.evolve(
            rules.attribute_set, attributes=[*rules.attribute_set.attributes, barcode]
        ),
    )
    assert fields_of(make_product(), rules) == ["barcode_ean"]
    assert fields_of(make_product(barcode_ean="6001234567890"), rules) == []


def test_duplicate_attribute_reported() -> None:
    product = make_product(
        attributes=[
            FeedAttribute(name="short_description", value="x"),
            FeedAttribute(name="Short_Description", value="y"),
        ]
    )
    assert fields_of(product) == ["attributes[Short_Description]"]


def test_split_valid_keeps_valid_in_order() -> None:
    first = make_product(seller_sku="PAD-01-BLK")
    broken = make_product(seller_sku="PAD-01-WHT", variation="White", stock=-5)
    second = make_product(seller_sku="PAD-01-NVY", variation="Navy")
    valid, issues = split_valid([first, broken, second], [make_rules()], now=NOW)
    assert valid == [first, second]
    assert [(issue.seller_sku, issue.field) for issue in issues] == [
        ("PAD-01-WHT", "stock")
    ]


def test_split_valid_checks_products_against_each_other() -> None:
    first = make_product()
    same_sku = make_product(variation="White")
    same_variant = make_product(seller_sku="PAD-01-B2", variation="black")
    other_images = make_product(
        seller_sku="PAD-01-NVY",
        variation="Navy",
        images=[FeedImage(url="https://img.example/other.jpg", primary=True)],
    )
    other_category = make_product(
        seller_sku="PAD-01-WHT", variation="White", category_code=1000001
    )
    rules = [make_rules(), make_rules(code="1000001")]
    valid, issues = split_valid(
        [first, same_sku, same_variant, other_images, other_category], rules, now=NOW
    )

    assert valid == [first]
    found = {(issue.seller_sku, issue.field) for issue in issues}
    assert ("PAD-01-BLK", "seller_sku") in found
    assert ("PAD-01-B2", "variation") in found
    assert ("PAD-01-NVY", "images") in found
    assert ("PAD-01-WHT", "category_code") in found


def test_split_valid_rejects_other_types() -> None:
    with pytest.raises(TypeError, match="use NewProduct"):
        split_valid([{"sellerSku": "x"}], [make_rules()])  # type: ignore[list-item]


def test_split_valid_without_rules_for_category() -> None:
    valid, issues = split_valid([make_product()], [], now=NOW)
    assert valid == []
    assert [issue.field for issue in issues] == ["category_code"]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: make_product(stock="5"), TypeError, "stock must be an int"),
        (lambda: make_product(brand_code="Acme"), ValueError, "numeric code"),
        (lambda: make_product(images="https://a/b.jpg"), TypeError, "FeedImage"),
        (lambda: make_product(name=5), TypeError, "string or LocalizedText"),
        (lambda: FeedPrice(currency="cedi", value=1), ValueError, "ISO 4217"),
        (lambda: FeedPrice(currency="GHS", value=0), ValueError, "above 0"),
        (
            lambda: FeedSalePrice(value=1, start_at=datetime(2026, 1, 1)),
            ValueError,
            "has no time zone",
        ),
    ],
)
def test_inputs_checked_when_built(
    build: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        build()
