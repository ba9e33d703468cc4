"""Catalog (GPM): brands, categories, attribute sets, products and stock."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import attrs

from .._converter import structure
from .._errors import PaginationError
from .._limits import CATALOG_PAGE_SIZE_MAX
from .._models.catalog import (
    AttributeSet,
    Brand,
    BrandsPage,
    CategoriesPage,
    Category,
    ProductSet,
    ProductsPage,
    ProductStatus,
    StockEntry,
    StockPage,
    VariationRef,
)
from .._models.common import QcStatus, normalize_status
from .._protocol import require_aware, require_ids
from .._validation import CategoryRules
from ._base import Resource, walk_cursor

__all__ = [
    "CatalogResource",
    "VariationResolver",
    "build_products_query",
    "build_stock_query",
    "normalize_attribute_set",
    "normalize_products",
]

T = TypeVar("T")

DateLike = datetime | date

# Keys of the attribute `validations` object, matched after lower-casing and
# dropping underscores, so that `MaxLength` and `max_length` both count.
_VALIDATION_KEYS = {
    "minlength": "minLength",
    "maxlength": "maxLength",
    "decimalplaces": "decimalPlaces",
    "dateformat": "dateFormat",
    "percentage": "percentage",
    "notzeroornegative": "notZeroOrNegative",
    "selectedbydefault": "selectedByDefault",
}


# --- argument checks and queries ------------------------------------------


def _check_page(page: object) -> int:
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise ValueError(f"page={page!r} is invalid; pages are numbered from 1")
    return page


def _check_size(size: object, maximum: int | None) -> int:
    if (
        isinstance(size, int)
        and not isinstance(size, bool)
        and size >= 1
        and (maximum is None or size <= maximum)
    ):
        return size
    bound = f"1 to {maximum}" if maximum is not None else "a whole number >= 1"
    raise ValueError(f"size={size!r} is invalid; use {bound}")


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}={value!r} is invalid; pass a non-empty string")
    return value.strip()


def _check_flag(name: str, value: object) -> str:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True, False or None, got {value!r}")
    return "true" if value else "false"


def _check_code(name: str, value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return value.strip()
    raise ValueError(
        f"{name}={value!r} is invalid; pass a numeric category code such as 1004141"
    )


def _check_qc_status(value: QcStatus | str) -> str:
    text = normalize_status(str(value)) or ""
    valid = {member.value for member in QcStatus}
    if text not in valid:
        raise ValueError(
            f"qc_status={value!r} is invalid; use one of {', '.join(sorted(valid))}"
        )
    return text


def _check_product_status(value: ProductStatus | str) -> ProductStatus:
    text = normalize_status(str(value)) or ""
    if text == ProductStatus.ACTIVE:
        return ProductStatus.ACTIVE
    if text == ProductStatus.INACTIVE:
        return ProductStatus.INACTIVE
    raise ValueError(
        f"status={value!r} is invalid; use 'ACTIVE' or 'INACTIVE' (the API has "
        "no DELETED filter)"
    )


def build_products_query(
    *,
    sids: Sequence[str] | None = None,
    category_code: int | str | None = None,
    created_at_from: DateLike | None = None,
    created_at_to: DateLike | None = None,
    seller_sku: str | None = None,
    shop_id: str | None = None,
    qc_status: QcStatus | str | None = None,
    visible: bool | None = None,
    latest_first: bool | None = None,
    status: ProductStatus | str | None = None,
    size: int = CATALOG_PAGE_SIZE_MAX,
    token: str | None = None,
) -> tuple[list[tuple[str, str]], bool]:
    """Check `/catalog/products` filters and build the query.

    Returns the query and whether the caller must keep only inactive
    variations itself: `status=INACTIVE` makes the API hang, so it is never
    sent. Raises ValueError or TypeError naming the bad argument.
    """
    query: list[tuple[str, str]] = []
    if sids is not None:
        query.append(("sids", ",".join(require_ids("sids", sids))))
    if category_code is not None:
        query.append(("categoryCode", _check_code("category_code", category_code)))

    start = (
        require_aware("created_at_from", created_at_from) if created_at_from else None
    )
    end = require_aware("created_at_to", created_at_to) if created_at_to else None
    if start is not None and end is not None and end.date() < start.date():
        raise ValueError(
            f"created_at_to={end.date()} is earlier than "
            f"created_at_from={start.date()}; swap them"
        )
    if start is not None:
        query.append(("createdAtFrom", start.date().isoformat()))
    if end is not None:
        query.append(("createdAtTo", end.date().isoformat()))

    if seller_sku is not None:
        query.append(("sellerSku", _check_text("seller_sku", seller_sku)))
    if shop_id is not None:
        query.append(("shopId", _check_text("shop_id", shop_id)))
    if qc_status is not None:
        query.append(("qcStatus", _check_qc_status(qc_status)))
    if visible is not None:
        query.append(("visible", _check_flag("visible", visible)))
    if latest_first is not None:
        query.append(("latestFirst", _check_flag("latest_first", latest_first)))

    inactive_only = False
    if status is not None:
        checked = _check_product_status(status)
        inactive_only = checked is ProductStatus.INACTIVE
        if not inactive_only:
            query.append(("status", checked.value))

    query.append(("size", str(_check_size(size, CATALOG_PAGE_SIZE_MAX))))
    if token:
        query.append(("token", token))
    return query, inactive_only


def build_stock_query(
    *,
    product_sids: Sequence[str] | None = None,
    size: int = CATALOG_PAGE_SIZE_MAX,
    token: str | None = None,
) -> list[tuple[str, str]]:
    """Check `/catalog/stock` arguments and build the query.

    Product sids are sent as repeated `productSids` keys.
    """
    query: list[tuple[str, str]] = []
    if product_sids is not None:
        query.extend(
            ("productSids", sid) for sid in require_ids("product_sids", product_sids)
        )
    query.append(("size", str(_check_size(size, CATALOG_PAGE_SIZE_MAX))))
    if token:
        query.append(("token", token))
    return query


def _page_query(
    page: int, size: int | None, extra: builtins.list[tuple[str, str]]
) -> builtins.list[tuple[str, str]]:
    query = [("page", str(_check_page(page)))]
    if size is not None:
        query.append(("size", str(_check_size(size, None))))
    return query + extra


# --- payload normalisation ------------------------------------------------


def _listed(payload: Any, key: str) -> Any:
    """Wrap a bare array in `{key: [...]}`; the page lists are sent both ways."""
    if payload is None:
        return {key: []}
    if isinstance(payload, list):
        return {key: payload}
    return payload


def _validations(value: Any) -> Any:
    """Read `validations` sent as an object or as an array of entries.

    Array entries are merged. An entry is either `{"MaxLength": 255}` or
    `{"name": "MaxLength", "value": 255}`. Keys are matched without case or
    underscores; unknown keys are dropped.
    """
    if value is None:
        return None
    entries = value if isinstance(value, list) else [value]
    merged: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        pairs: Iterable[tuple[Any, Any]] = entry.items()
        label = entry.get("name", entry.get("type"))
        if isinstance(label, str) and "value" in entry:
            pairs = [(label, entry["value"])]
        for key, item in pairs:
            wire = _VALIDATION_KEYS.get(str(key).replace("_", "").lower())
            if wire is not None and item is not None:
                merged[wire] = item
    return merged


def normalize_attribute_set(payload: Any, sid: str) -> Any:
    """Turn either reply form of an attribute set into one object shape."""
    if isinstance(payload, list):
        body: dict[str, Any] = {"attributes": payload}
    elif isinstance(payload, dict):
        body = dict(payload)
        if not isinstance(body.get("attributes"), list):
            body["attributes"] = []
    else:
        body = {"attributes": []}
    body.setdefault("sid", sid)
    body["attributes"] = [
        _normalize_attribute(attribute) for attribute in body["attributes"]
    ]
    return body


def _normalize_attribute(attribute: Any) -> Any:
    if not isinstance(attribute, dict):
        return attribute
    return {
        **attribute,
        "options": attribute.get("options") or [],
        "translations": attribute.get("translations") or [],
        "validations": _validations(attribute.get("validations")),
    }


def _text(value: Any) -> Any:
    """Read text sent as a string or as `{"value": ...}`."""
    if isinstance(value, dict):
        return value.get("value")
    return value


def _attribute_entries(entries: Any) -> Any:
    if not isinstance(entries, list):
        return entries
    fixed = []
    for entry in entries:
        if isinstance(entry, dict):
            value = _text(entry.get("value"))
            if isinstance(value, list):
                value = ",".join(str(part) for part in value)
            entry = {**entry, "value": value}
        fixed.append(entry)
    return fixed


def _normalize_variation(variation: Any) -> Any:
    if not isinstance(variation, dict):
        return variation
    return {
        **variation,
        "attributes": _attribute_entries(variation.get("attributes") or []),
        "businessClients": variation.get("businessClients") or [],
    }


def _normalize_product(product: Any) -> Any:
    """Flatten `{"value": ...}` texts and read null lists as empty."""
    if not isinstance(product, dict):
        return product
    fixed = dict(product)
    for key in ("name", "description"):
        if key in fixed:
            fixed[key] = _text(fixed[key])
    fixed["images"] = fixed.get("images") or []
    fixed["attributes"] = _attribute_entries(fixed.get("attributes") or [])
    variations = fixed.get("variations") or []
    if isinstance(variations, list):
        variations = [_normalize_variation(variation) for variation in variations]
    fixed["variations"] = variations
    return fixed


def normalize_products(payload: Any) -> Any:
    """Flatten `{"value": ...}` names and list attribute values in a products page."""
    body = _listed(payload, "products")
    if isinstance(body, dict) and isinstance(body.get("products"), list):
        body = {**body, "products": [_normalize_product(p) for p in body["products"]]}
    return body


def keep_inactive(products: Iterable[ProductSet]) -> builtins.list[ProductSet]:
    """Keep the inactive variations (see `Variation.is_inactive`) of each product.

    Product sets without one are dropped.
    """
    kept = []
    for product in products:
        variations = [
            variation for variation in product.variations if variation.is_inactive
        ]
        if variations:
            kept.append(attrs.evolve(product, variations=variations))
    return kept


# --- the resource ---------------------------------------------------------


class CatalogResource(Resource):
    """Brands, categories, attribute sets, products and stock (GPM reads)."""

    async def brands(self, page: int = 1, *, size: int | None = None) -> BrandsPage:
        """Return one page of brands (`GET /catalog/brands`, pages from 1).

        `size` is sent only when given.
        """
        query = _page_query(page, size, [])
        payload = await self._transport.request("GET", "/catalog/brands", params=query)
        return structure(
            _listed(payload, "brands"), BrandsPage, method="GET", path="/catalog/brands"
        )

    def iter_brands(self, *, size: int | None = None) -> AsyncIterator[Brand]:
        """Yield every brand, page after page (see `iter_categories` for stops)."""
        _page_query(1, size, [])

        async def fetch(page: int) -> tuple[builtins.list[Brand], int | None]:
            result = await self.brands(page, size=size)
            return result.brands, result.total_pages

        return _walk_pages("/catalog/brands", fetch, lambda brand: brand.code)

    async def categories(
        self,
        page: int = 1,
        *,
        size: int | None = None,
        attribute_set_name: str | None = None,
    ) -> CategoriesPage:
        """Return one page of categories (`GET /catalog/categories`, pages from 1)."""
        query = _page_query(page, size, self._category_filters(attribute_set_name))
        path = "/catalog/categories"
        payload = await self._transport.request("GET", path, params=query)
        return structure(
            _listed(payload, "categories"), CategoriesPage, method="GET", path=path
        )

    def iter_categories(
        self, *, size: int | None = None, attribute_set_name: str | None = None
    ) -> AsyncIterator[Category]:
        """Yield every category, page after page.

        Empty pages in the middle are skipped. The walk stops after page
        `totalOfPages`, or, when the API sends no `page` envelope, at the
        first empty page. It raises PaginationError when a page repeats the
        previous one, which means the API ignored the page number.
        """
        _page_query(1, size, self._category_filters(attribute_set_name))

        async def fetch(page: int) -> tuple[builtins.list[Category], int | None]:
            result = await self.categories(
                page, size=size, attribute_set_name=attribute_set_name
            )
            return result.categories, result.total_pages

        return _walk_pages("/catalog/categories", fetch, lambda category: category.code)

    @staticmethod
    def _category_filters(
        attribute_set_name: str | None,
    ) -> builtins.list[tuple[str, str]]:
        if attribute_set_name is None:
            return []
        return [
            ("attributeSetName", _check_text("attribute_set_name", attribute_set_name))
        ]

    async def attribute_set(self, sid: str) -> AttributeSet:
        """Return an attribute set by `Category.attribute_set.sid`.

        Reads `{"attributes": [...]}` or a bare array, attribute types as
        names or numbers, and `validations` as an object or an array.
        """
        checked = _check_text("sid", sid)
        path = f"/catalog/attribute-sets/{quote(checked, safe='')}"
        payload = await self._transport.request("GET", path)
        return structure(
            normalize_attribute_set(payload, checked),
            AttributeSet,
            method="GET",
            path=path,
        )

    async def category_rules(
        self, categories: Iterable[Category]
    ) -> builtins.list[CategoryRules]:
        """Fetch the attribute set of each category, for `split_valid`.

        Attribute sets are read concurrently, once per set. A category
        without an attribute set gets an empty one, so that validation
        reports it as not listable.
        """
        chosen = list(categories)
        for position, category in enumerate(chosen):
            if not isinstance(category, Category):
                raise TypeError(f"categories[{position}] is {category!r}; use Category")
        sids = list(
            dict.fromkeys(c.attribute_set.sid for c in chosen if c.attribute_set)
        )
        sets = await asyncio.gather(*(self.attribute_set(sid) for sid in sids))
        by_sid = dict(zip(sids, sets, strict=True))
        return [
            CategoryRules(
                category=category,
                attribute_set=(
                    by_sid[category.attribute_set.sid]
                    if category.attribute_set
                    else AttributeSet(sid="")
                ),
            )
            for category in chosen
        ]

    async def products(
        self,
        *,
        sids: Sequence[str] | None = None,
        category_code: int | str | None = None,
        created_at_from: DateLike | None = None,
        created_at_to: DateLike | None = None,
        seller_sku: str | None = None,
        shop_id: str | None = None,
        qc_status: QcStatus | str | None = None,
        visible: bool | None = None,
        latest_first: bool | None = None,
        status: ProductStatus | str | None = None,
        size: int = CATALOG_PAGE_SIZE_MAX,
        token: str | None = None,
    ) -> ProductsPage:
        """Return one page of product sets and the cursor of the next page.

        `sids` are product sids, sent as a comma list. Dates are sent as
        `YYYY-MM-DD` (UTC). `status="INACTIVE"` is never sent, because the
        API hangs on it: the page is read without a status filter and
        only inactive variations are kept (see `Variation.is_inactive`),
        so such a page may be empty while `has_next` is True.
        """
        query, inactive_only = build_products_query(
            sids=sids,
            category_code=category_code,
            created_at_from=created_at_from,
            created_at_to=created_at_to,
            seller_sku=seller_sku,
            shop_id=shop_id,
            qc_status=qc_status,
            visible=visible,
            latest_first=latest_first,
            status=status,
            size=size,
            token=token,
        )
        path = "/catalog/products"
        payload = await self._transport.request("GET", path, params=query)
        page = structure(
            normalize_products(payload), ProductsPage, method="GET", path=path
        )
        if inactive_only:
            page = attrs.evolve(page, products=keep_inactive(page.products))
        return page

    def iter_products(
        self,
        *,
        sids: Sequence[str] | None = None,
        category_code: int | str | None = None,
        created_at_from: DateLike | None = None,
        created_at_to: DateLike | None = None,
        seller_sku: str | None = None,
        shop_id: str | None = None,
        qc_status: QcStatus | str | None = None,
        visible: bool | None = None,
        latest_first: bool | None = None,
        status: ProductStatus | str | None = None,
        size: int = CATALOG_PAGE_SIZE_MAX,
    ) -> AsyncIterator[ProductSet]:
        """Yield every product set matching the filters, page after page.

        With `status="INACTIVE"` every product is read and filtered on the
        client (see `products`), which costs one request per page of the
        whole catalog. Stops on `isLastPage` or an empty cursor, and raises
        PaginationError when the API repeats a cursor.
        """
        filters: dict[str, Any] = {
            "sids": sids,
            "category_code": category_code,
            "created_at_from": created_at_from,
            "created_at_to": created_at_to,
            "seller_sku": seller_sku,
            "shop_id": shop_id,
            "qc_status": qc_status,
            "visible": visible,
            "latest_first": latest_first,
            "status": status,
            "size": size,
        }
        build_products_query(**filters)

        async def fetch(token: str | None) -> ProductsPage:
            return await self.products(**filters, token=token)

        return walk_cursor("/catalog/products", fetch, lambda page: page.products)

    async def stock(
        self,
        *,
        product_sids: Sequence[str] | None = None,
        size: int = CATALOG_PAGE_SIZE_MAX,
        token: str | None = None,
    ) -> StockPage:
        """Return one page of global stock levels (`GET /catalog/stock`)."""
        query = build_stock_query(product_sids=product_sids, size=size, token=token)
        return await self._get("/catalog/stock", StockPage, query)

    def iter_stock(
        self,
        *,
        product_sids: Sequence[str] | None = None,
        size: int = CATALOG_PAGE_SIZE_MAX,
    ) -> AsyncIterator[StockEntry]:
        """Yield the stock of every product, page after page."""
        build_stock_query(product_sids=product_sids, size=size)

        async def fetch(token: str | None) -> StockPage:
            return await self.stock(product_sids=product_sids, size=size, token=token)

        return walk_cursor("/catalog/stock", fetch, lambda page: page.products)


# Empty pages in a row after which a page walk stops. The API leaves some
# pages empty mid-walk, but a long run of them under a large `totalOfPages`
# means the walk would otherwise spend thousands of requests on nothing.
EMPTY_PAGES_MAX = 20


async def _walk_pages(
    path: str,
    fetch: Callable[[int], Awaitable[tuple[builtins.list[T], int | None]]],
    key: Callable[[T], str],
) -> AsyncIterator[T]:
    seen_pages: dict[int, int] = {}
    empty_in_a_row = 0
    page = 1
    while True:
        items, total_pages = await fetch(page)
        if items:
            fingerprint = hash(tuple(key(item) for item in items))
            if fingerprint in seen_pages:
                raise PaginationError(
                    f"GET {path} returned the same {len(items)} entries for pages "
                    f"{seen_pages[fingerprint]} and {page}; the API ignored the page "
                    "number, so the walk stopped to avoid a loop"
                )
            seen_pages[fingerprint] = page
            empty_in_a_row = 0
        else:
            empty_in_a_row += 1
        for item in items:
            yield item
        if total_pages is not None:
            if page >= total_pages:
                return
            if empty_in_a_row >= EMPTY_PAGES_MAX:
                raise PaginationError(
                    f"GET {path} returned {empty_in_a_row} empty pages in a row up "
                    f"to page {page} of {total_pages}; stopping the walk"
                )
        elif not items:
            return
        page += 1


# --- variation ids --------------------------------------------------------


SkuKey = tuple[str | None, str]


class VariationResolver:
    """Cache that maps seller SKUs to variation ids and classifies ids by level.

    Every product read through it is remembered at both levels: each
    variation id with its product-set id, and each product-set id with its
    variations. The cache lives as long as the resolver; ids never change,
    but a seller SKU created later is looked up again.
    """

    def __init__(self, catalog: CatalogResource) -> None:
        self._catalog = catalog
        self._by_sku: dict[SkuKey, dict[str, VariationRef]] = {}
        self._variations: dict[str, VariationRef] = {}
        self._product_sets: dict[str, tuple[VariationRef, ...]] = {}

    def remember(self, products: Iterable[ProductSet], shop_id: str | None) -> int:
        """Add the products' ids to the cache; return the variations added."""
        count = 0
        for product in products:
            refs = tuple(
                VariationRef(
                    seller_sku=variation.seller_sku,
                    variation_id=variation.id,
                    product_set_id=product.id,
                )
                for variation in product.variations
            )
            self._product_sets[product.id] = refs
            for ref in refs:
                self._variations[ref.variation_id] = ref
                if ref.seller_sku:
                    self._by_sku.setdefault((shop_id, ref.seller_sku), {})[
                        ref.variation_id
                    ] = ref
                count += 1
        return count

    def variations_of(self, product_set_id: str) -> tuple[VariationRef, ...]:
        """Return the cached variations of a product set (empty if unknown)."""
        return self._product_sets.get(product_set_id, ())

    def forget(self) -> None:
        """Empty the cache."""
        self._by_sku.clear()
        self._variations.clear()
        self._product_sets.clear()

    async def preload(self, shop_id: str | None) -> int:
        """Read every product of the shop (or of all shops) into the cache."""
        products = [
            product async for product in self._catalog.iter_products(shop_id=shop_id)
        ]
        return self.remember(products, shop_id)

    async def lookup_skus(
        self, seller_skus: Iterable[str], shop_id: str | None
    ) -> dict[str, builtins.list[VariationRef]]:
        """Return the variations matching each seller SKU (possibly none or several).

        SKUs missing from the cache are looked up concurrently with
        `GET /catalog/products?sellerSku=`. A SKU without an exact match
        falls back to a match that ignores case.
        """
        wanted = list(dict.fromkeys(seller_skus))
        missing = [sku for sku in wanted if (shop_id, sku) not in self._by_sku]
        found = await asyncio.gather(
            *(self._fetch_sku(sku, shop_id) for sku in missing)
        )
        for sku, refs in zip(missing, found, strict=True):
            if refs:
                self._by_sku[(shop_id, sku)] = {ref.variation_id: ref for ref in refs}
        return {
            sku: list(self._by_sku.get((shop_id, sku), {}).values()) for sku in wanted
        }

    async def _fetch_sku(
        self, seller_sku: str, shop_id: str | None
    ) -> builtins.list[VariationRef]:
        products = [
            product
            async for product in self._catalog.iter_products(
                seller_sku=seller_sku, shop_id=shop_id
            )
        ]
        self.remember(products, shop_id)
        exact = self._by_sku.get((shop_id, seller_sku))
        if exact:
            return list(exact.values())
        folded = seller_sku.casefold()
        return [
            VariationRef(
                seller_sku=variation.seller_sku,
                variation_id=variation.id,
                product_set_id=product.id,
            )
            for product in products
            for variation in product.variations
            if (variation.seller_sku or "").casefold() == folded
        ]

    async def classify_ids(
        self, ids: Iterable[str]
    ) -> dict[str, VariationRef | tuple[VariationRef, ...] | None]:
        """Tell, for each id, whether it is a variation id or a product-set id.

        Returns the VariationRef for a variation id, the product set's
        variations for a product-set id, and None for an id that no lookup
        returned. Unknown ids are looked up with `sids=` in pages of 100.
        """
        wanted = list(dict.fromkeys(ids))
        unknown = [
            sid
            for sid in wanted
            if sid not in self._variations and sid not in self._product_sets
        ]
        chunks = [
            unknown[start : start + CATALOG_PAGE_SIZE_MAX]
            for start in range(0, len(unknown), CATALOG_PAGE_SIZE_MAX)
        ]
        await asyncio.gather(*(self._fetch_sids(chunk) for chunk in chunks))
        result: dict[str, VariationRef | tuple[VariationRef, ...] | None] = {}
        for sid in wanted:
            if sid in self._variations:
                result[sid] = self._variations[sid]
            elif sid in self._product_sets:
                result[sid] = self._product_sets[sid]
            else:
                result[sid] = None
        return result

    async def _fetch_sids(self, sids: builtins.list[str]) -> None:
        # NOTE: which level `sids` filters on is not documented. Whichever it
        # is, every product returned is remembered at both levels, so a
        # product-set id is recognised whenever its product comes back.
        products = [product async for product in self._catalog.iter_products(sids=sids)]
        self.remember(products, None)
