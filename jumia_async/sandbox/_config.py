"""Configuration of the sandbox: data sizes, token lifetimes, limits and forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import attrs
from attrs import validators as v

from jumia_async._limits import REQUESTS_PER_MINUTE, REQUESTS_PER_SECOND

ShopsForm = Literal["array", "object"]
SingleOrderItemsForm = Literal["array", "object"]
TrackingFlagName = Literal[
    "trackingCodeRequired", "requireTrackingCode", "requiredTrackingCode"
]
LabelForm = Literal["base64", "data-uri"]
OrderNumberForm = Literal["string", "number"]
CatalogCodeForm = Literal["number", "string"]
AttributeSetForm = Literal["object", "array"]
AttributeValidationsForm = Literal["object", "array"]

# Access tokens observed on the real API lived 12 hours, and one decoded
# refresh token lived 365 days.
ACCESS_TOKEN_LIFETIME = 43_200
REFRESH_TOKEN_LIFETIME = 365 * 86_400

_positive = v.ge(1)
_non_negative = v.ge(0)


_IntValidator = Callable[[Any, "attrs.Attribute[int]", int], Any]


def _int_field(default: int, *validators: _IntValidator) -> Any:
    return attrs.field(default=default, validator=[v.instance_of(int), *validators])


def _bool_field(default: bool) -> Any:
    return attrs.field(default=default, validator=v.instance_of(bool))


def _check_seconds(
    _instance: SandboxConfig, attribute: attrs.Attribute[float], value: float
) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a number, got {value!r}")
    if not 0 <= value < float("inf"):
        raise ValueError(f"{attribute.name} must be >= 0 seconds, got {value!r}")


def _seconds_field(default: float) -> Any:
    return attrs.field(default=default, validator=_check_seconds)


def _check_share(
    _instance: SandboxConfig, attribute: attrs.Attribute[float], value: float
) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{attribute.name} must be a number, got {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"{attribute.name} must be from 0 to 1, got {value!r}")


def _check_orders_per_mastershop(
    _instance: SandboxConfig, _attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is not None and (not isinstance(value, int) or value < 0):
        raise ValueError(f"orders_per_mastershop must be None or >= 0, got {value!r}")


def _check_items_range(
    instance: SandboxConfig, _attribute: attrs.Attribute[int], value: int
) -> None:
    if value < instance.min_items_per_order:
        raise ValueError(
            f"max_items_per_order ({value}) must be >= min_items_per_order "
            f"({instance.min_items_per_order})"
        )


@attrs.frozen(kw_only=True)
class SandboxConfig:
    """Settings of one sandbox instance.

    Data sizes: every Mastershop gets `shops_per_mastershop` shops and either
    `orders_per_shop` orders in each shop or, when `orders_per_mastershop` is
    set, that many orders spread over its shops. Orders have between
    `min_items_per_order` and `max_items_per_order` items and were created
    over the last `order_days` days, today included. The same `seed` and the
    same clock reading give the same ids, shops and orders. Tokens are
    random.

    The product side shares one catalog of `catalog_brands` brands, a fixed
    category tree and its attribute sets between Mastershops, and gives
    every shop `catalog_products_per_shop` approved products to start with.
    Feeds and quality control advance on the sandbox clock: a feed stays
    PENDING for `feed_pending_seconds`, then IN_PROGRESS for
    `feed_processing_seconds`. Each business client of a created product
    then waits `qc_queue_seconds` in NOT_READY_TO_QC and `qc_review_seconds`
    in PENDING before quality control approves or rejects it.

    The form switches pick which of the documented response forms the
    sandbox sends. The defaults are the forms of the published spec.
    """

    seed: int = _int_field(0)
    mastershops: int = _int_field(1, _positive)
    shops_per_mastershop: int = _int_field(3, _positive, v.le(1_000))
    orders_per_shop: int = _int_field(20, _non_negative)
    orders_per_mastershop: int | None = attrs.field(
        default=None, validator=_check_orders_per_mastershop
    )
    min_items_per_order: int = _int_field(1, _positive, v.le(20))
    max_items_per_order: int = _int_field(3, _check_items_range, v.le(20))
    order_days: int = _int_field(3, _positive, v.le(90))

    # Tokens, in seconds.
    expires_in: int = _int_field(ACCESS_TOKEN_LIFETIME, _positive)
    refresh_expires_in: int = _int_field(REFRESH_TOKEN_LIFETIME, _positive)
    # If False, every refresh token issued stays valid until it expires.
    revoke_rotated_refresh_tokens: bool = _bool_field(True)

    # Rate limit per Mastershop. The real API's 429 carries no known
    # Retry-After header, so the header is off by default.
    rate_limit: bool = _bool_field(True)
    requests_per_second: int = _int_field(REQUESTS_PER_SECOND, _positive)
    requests_per_minute: int = _int_field(REQUESTS_PER_MINUTE, _positive)
    retry_after_header: bool = _bool_field(False)
    # Maximum number of admitted arrival times kept per Mastershop; 0 keeps none.
    arrival_log_size: int = _int_field(20_000, _non_negative)

    # Response forms.
    shops_form: ShopsForm = attrs.field(
        default="array", validator=v.in_(("array", "object"))
    )
    single_order_items_form: SingleOrderItemsForm = attrs.field(
        default="array", validator=v.in_(("array", "object"))
    )
    item_order_number: bool = _bool_field(True)
    tracking_flag_name: TrackingFlagName = attrs.field(
        default="trackingCodeRequired",
        validator=v.in_(
            ("trackingCodeRequired", "requireTrackingCode", "requiredTrackingCode")
        ),
    )
    label_form: LabelForm = attrs.field(
        default="base64", validator=v.in_(("base64", "data-uri"))
    )
    order_number_form: OrderNumberForm = attrs.field(
        default="string", validator=v.in_(("string", "number"))
    )

    # Product side (GPM): catalog sizes.
    catalog_brands: int = _int_field(250, v.ge(2), v.le(100_000))
    catalog_products_per_shop: int = _int_field(4, _non_negative, v.le(10_000))

    # Product side timing, in seconds of the sandbox clock. A ManualClock
    # moves only when a test advances it.
    feed_pending_seconds: float = _seconds_field(0.05)
    feed_processing_seconds: float = _seconds_field(0.1)
    qc_queue_seconds: float = _seconds_field(0.1)
    qc_review_seconds: float = _seconds_field(0.2)
    # Seconds between a consignment order's shipping and its stock counting
    # as received.
    consignment_receive_seconds: float = _seconds_field(1.0)
    # Share of (variation, business client) pairs that quality control
    # rejects, drawn from the seed. Seller SKUs containing "REJECT" are
    # always rejected.
    qc_rejection_rate: float = attrs.field(default=0.0, validator=_check_share)
    # GET /catalog/products?status=INACTIVE hangs on the real API. The
    # sandbox holds such a request this many real seconds (not sandbox clock
    # seconds, so a ManualClock cannot end it) and then responds.
    inactive_status_hang: float = _seconds_field(120.0)

    # Product side response forms.
    # False leaves out the `page` object of /catalog/brands and
    # /catalog/categories.
    catalog_page_envelope: bool = _bool_field(True)
    # A page number, from 1, on which /catalog/brands returns no brands.
    # Later brands move one page on. 0 inserts no empty page.
    brands_empty_page: int = _int_field(0, _non_negative)
    # Brand, category and attribute codes as JSON numbers or strings.
    catalog_code_form: CatalogCodeForm = attrs.field(
        default="number", validator=v.in_(("number", "string"))
    )
    # {"attributes": [...]} or a bare array of attributes.
    attribute_set_form: AttributeSetForm = attrs.field(
        default="object", validator=v.in_(("object", "array"))
    )
    # A `validations` object with camelCase keys, or an array of one-key
    # objects with capitalised keys such as {"MaxLength": 255}.
    attribute_validations_form: AttributeValidationsForm = attrs.field(
        default="object", validator=v.in_(("object", "array"))
    )
