"""Filters and cursors of GET /catalog/products and /catalog/stock, without I/O."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import attrs
from multidict import MultiMapping

from jumia_async._limits import CATALOG_PAGE_SIZE_MAX

from ._params import (
    ParamError,
    choice_list_param,
    is_uuid,
    list_param,
    parse_ascii_int,
)
from ._products import (
    PRODUCT_STATUSES,
    QC_STATUSES,
    ProductSet,
    ProductStore,
    ProductVariation,
    page_after,
    variations_after,
)

# Both routes default to 10 items a page, per the API's documentation.
DEFAULT_PAGE_SIZE = 10

Q = TypeVar("Q", "ProductQuery", "StockQuery")

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})

# Type checks on the query fields, which also reject forged cursors.
_IDS = attrs.validators.deep_iterable(
    attrs.validators.instance_of(str), attrs.validators.instance_of(tuple)
)
_TEXTS = attrs.validators.deep_iterable(
    attrs.validators.instance_of(str), attrs.validators.instance_of(frozenset)
)
_OPTIONAL_INT = attrs.validators.optional(attrs.validators.instance_of(int))
_OPTIONAL_NUMBER = attrs.validators.optional(attrs.validators.instance_of(int | float))
_OPTIONAL_TEXT = attrs.validators.optional(attrs.validators.instance_of(str))
_OPTIONAL_BOOL = attrs.validators.optional(attrs.validators.instance_of(bool))
_INT = attrs.validators.instance_of(int)
_BOOL = attrs.validators.instance_of(bool)


@attrs.frozen
class ProductQuery:
    """The normalised filters of one product listing. Empty sets match all.

    `created_from` is inclusive and `created_to` exclusive, in Unix seconds.
    """

    ids: tuple[str, ...] = attrs.field(default=(), validator=_IDS)
    category_code: int | None = attrs.field(default=None, validator=_OPTIONAL_INT)
    created_from: float | None = attrs.field(default=None, validator=_OPTIONAL_NUMBER)
    created_to: float | None = attrs.field(default=None, validator=_OPTIONAL_NUMBER)
    seller_sku: str | None = attrs.field(default=None, validator=_OPTIONAL_TEXT)
    shop_id: str | None = attrs.field(default=None, validator=_OPTIONAL_TEXT)
    qc_statuses: frozenset[str] = attrs.field(default=frozenset(), validator=_TEXTS)
    visible: bool | None = attrs.field(default=None, validator=_OPTIONAL_BOOL)
    status: str | None = attrs.field(default=None, validator=_OPTIONAL_TEXT)
    latest_first: bool = attrs.field(default=False, validator=_BOOL)
    size: int = attrs.field(default=DEFAULT_PAGE_SIZE, validator=_INT)

    def matches(self, product_set: ProductSet) -> bool:
        """Check the set-level filters and whether any listing matches the rest."""
        if self.category_code is not None and (
            product_set.category.code != self.category_code
        ):
            return False
        if self.created_from is not None and product_set.created < self.created_from:
            return False
        if self.created_to is not None and product_set.created >= self.created_to:
            return False
        if self.shop_id is not None and product_set.shop.id != self.shop_id:
            return False
        if self.seller_sku is not None and not any(
            variation.seller_sku == self.seller_sku
            for variation in product_set.variations
        ):
            return False
        return any(
            (not self.qc_statuses or listing.qc_status in self.qc_statuses)
            and (self.visible is None or listing.visible == self.visible)
            and (self.status is None or listing.status == self.status)
            for listing in product_set.listings()
        )


def parse_product_query(query: MultiMapping[str]) -> tuple[ProductQuery, int | None]:
    """Return the listing that the parameters request and the cursor position.

    A `token` cursor carries the filters of the first page, so only `size`
    may change between pages. Raises ParamError for any parameter that the
    API rejects.
    """
    cursor = query.get("token") or query.get("nextToken")
    if cursor:
        product_query, after = decode_cursor(cursor, ProductQuery)
        if "size" in query:
            product_query = attrs.evolve(product_query, size=parse_size(query["size"]))
        return product_query, after

    ids = list_param(query, "sids")
    for value in ids:
        if not is_uuid(value):
            raise ParamError(f"invalid sids value [{value}]: expected a UUID")
    statuses = choice_list_param(query, "status", PRODUCT_STATUSES)
    if len(statuses) > 1:
        raise ParamError("invalid status value: expected one of ACTIVE, INACTIVE")
    product_query = ProductQuery(
        ids=tuple(ids),
        category_code=_parse_code(query.get("categoryCode")),
        created_from=_parse_day(query, "createdAtFrom", next_day=False),
        created_to=_parse_day(query, "createdAtTo", next_day=True),
        seller_sku=query.get("sellerSku") or None,
        shop_id=_parse_shop_id(query.get("shopId")),
        qc_statuses=choice_list_param(query, "qcStatus", QC_STATUSES),
        visible=_parse_flag(query, "visible"),
        status=next(iter(statuses), None),
        latest_first=_parse_flag(query, "latestFirst") or False,
        size=parse_size(query["size"]) if "size" in query else DEFAULT_PAGE_SIZE,
    )
    return product_query, None


@attrs.frozen
class StockQuery:
    """The filters of one /catalog/stock listing: variation ids, or all."""

    ids: tuple[str, ...] = attrs.field(default=(), validator=_IDS)
    size: int = attrs.field(default=DEFAULT_PAGE_SIZE, validator=_INT)


def parse_stock_query(query: MultiMapping[str]) -> tuple[StockQuery, int | None]:
    """Return the stock listing that the parameters request and the cursor."""
    cursor = query.get("token") or query.get("nextToken")
    if cursor:
        stock_query, after = decode_cursor(cursor, StockQuery)
        if "size" in query:
            stock_query = attrs.evolve(stock_query, size=parse_size(query["size"]))
        return stock_query, after

    ids = list_param(query, "productSids")
    for value in ids:
        if not is_uuid(value):
            raise ParamError(f"invalid productSids value [{value}]: expected a UUID")
    size = parse_size(query["size"]) if "size" in query else DEFAULT_PAGE_SIZE
    return StockQuery(ids=tuple(ids), size=size), None


def parse_size(raw: str) -> int:
    size = parse_ascii_int(raw) or 0
    if not 1 <= size <= CATALOG_PAGE_SIZE_MAX:
        raise ParamError(
            f"invalid size value [{raw}]: expected an integer from 1 to "
            f"{CATALOG_PAGE_SIZE_MAX}"
        )
    return size


def _parse_code(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    code = parse_ascii_int(raw)
    if code is None:
        raise ParamError(f"invalid categoryCode value [{raw}]: expected a number")
    return code


def _parse_shop_id(raw: str | None) -> str | None:
    if raw is None or raw == "":
        return None
    if not is_uuid(raw):
        raise ParamError(f"invalid shopId value [{raw}]: expected a UUID")
    return raw


def _parse_day(query: MultiMapping[str], name: str, *, next_day: bool) -> float | None:
    """Return the start of the named day in Unix seconds, or of the day after it."""
    raw = query.get(name)
    if not raw:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        day = datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ParamError(f"invalid {name} value [{raw}]: expected YYYY-MM-DD") from None
    return (day + timedelta(days=1 if next_day else 0)).timestamp()


def _parse_flag(query: MultiMapping[str], name: str) -> bool | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ParamError(f"invalid {name} value [{raw}]: expected true or false")


def encode_cursor(listing: ProductQuery | StockQuery, after: int) -> str:
    """Return an opaque cursor that continues `listing` after sequence `after`."""
    payload = {"v": 1, "query": _query_fields(listing), "after": after}
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _query_fields(listing: ProductQuery | StockQuery) -> dict[str, Any]:
    fields = attrs.asdict(listing)
    for name, value in fields.items():
        if isinstance(value, frozenset):
            fields[name] = sorted(value)
    return fields


def decode_cursor(cursor: str, kind: type[Q]) -> tuple[Q, int]:
    """Return the listing and position stored in a cursor from `encode_cursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if payload["v"] != 1 or not isinstance(payload["after"], int):
            raise ValueError("unsupported cursor")
        fields = dict(payload["query"])
        fields["ids"] = tuple(fields["ids"])
        if "qc_statuses" in fields:
            fields["qc_statuses"] = frozenset(fields["qc_statuses"])
        listing = kind(**fields)
        parse_size(str(listing.size))
    except (
        binascii.Error,
        ParamError,
        ValueError,
        TypeError,
        KeyError,
        RecursionError,
    ) as exc:
        raise ParamError(f"invalid token value [{cursor}]") from exc
    return listing, payload["after"]


def select_products(
    store: ProductStore, listing: ProductQuery, after: int | None
) -> tuple[list[ProductSet], int | None]:
    """Return one page of matching product sets and the cursor position after it.

    The position is None when no matching set follows the page.
    """
    candidates = store.candidates(
        ids=listing.ids, seller_sku=listing.seller_sku, shop_id=listing.shop_id
    )
    page: list[ProductSet] = []
    for product_set in page_after(candidates, after, descending=listing.latest_first):
        if not listing.matches(product_set):
            continue
        if len(page) == listing.size:
            return page, page[-1].sequence
        page.append(product_set)
    return page, None


def select_stock(
    store: ProductStore, listing: StockQuery, after: int | None
) -> tuple[list[ProductVariation], int | None]:
    """Return one page of variations for /catalog/stock and the cursor position."""
    if listing.ids:
        found = (store.variation(variation_id) for variation_id in listing.ids)
        candidates = sorted(
            {item.id: item for item in found if item is not None}.values(),
            key=lambda item: item.sequence,
        )
    else:
        candidates = store.variations()
    page: list[ProductVariation] = []
    for variation in variations_after(candidates, after):
        if len(page) == listing.size:
            return page, page[-1].sequence
        page.append(variation)
    return page, None
