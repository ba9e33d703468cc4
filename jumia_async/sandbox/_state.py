"""The sandbox's mutable state: Mastershops, their orders and products, test hooks."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

import attrs

from ._catalog_seed import seed_products
from ._catalog_state import CatalogState
from ._clock import Clock, SystemClock
from ._config import SandboxConfig
from ._consignment_book import ConsignmentOrder
from ._faults import Fault, FaultBook, FaultMode
from ._feed_model import Feed
from ._model import Order, OrderItem, Shop, TrackingNumbers
from ._order_query import CursorKey, OrderQuery
from ._products import Listing, ProductVariation
from ._qc import approve, reject
from ._ratelimit import AccountCounters, SlidingWindowLimiter
from ._reference import ReferenceCatalog, build_reference_catalog
from ._seed import seed_mastershop
from ._tokens import AccessTokenIssuer, RefreshTokenStore


def _created_key(order: Order) -> CursorKey:
    return order.created, order.number


def _updated_key(order: Order) -> CursorKey:
    return order.updated, order.number


def _created_time(order: Order) -> int:
    return order.created


def _updated_time(order: Order) -> int:
    return order.updated


class OrderBook:
    """The orders of one Mastershop, indexed for listing by date and shop."""

    def __init__(self, orders: list[Order]) -> None:
        # `orders` is sorted by creation time and numbered in that order.
        self._by_created = orders
        self._by_shop: dict[str, list[Order]] = {}
        for order in orders:
            self._by_shop.setdefault(order.shop.id, []).append(order)
        self._by_updated = sorted(orders, key=_updated_key)
        self._orders = {order.id: order for order in orders}
        self._items = {item.id: item for order in orders for item in order.items}

    def __len__(self) -> int:
        return len(self._by_created)

    def __iter__(self) -> Iterator[Order]:
        return iter(self._by_created)

    def get_order(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def get_item(self, item_id: str) -> OrderItem | None:
        return self._items.get(item_id)

    def select(
        self, query: OrderQuery, after: CursorKey | None
    ) -> tuple[list[Order], CursorKey | None]:
        """Return one page of matching orders and the key of the page's last order.

        The key is None when no matching order follows the page. The scan
        starts after the cursor key and stops one match past the page size.
        """
        index, key, moment = self._index_for(query)
        low = 0 if query.after is None else bisect_left(index, query.after, key=moment)
        high = len(index)
        if query.before is not None:
            high = bisect_left(index, query.before, key=moment)
        if after is not None and query.descending:
            high = min(high, bisect_left(index, after, key=key))
        elif after is not None:
            low = max(low, bisect_right(index, after, key=key))

        positions = (
            range(high - 1, low - 1, -1) if query.descending else range(low, high)
        )
        matches: list[Order] = []
        for position in positions:
            order = index[position]
            if _matches(order, query):
                matches.append(order)
                if len(matches) > query.size:
                    page = matches[: query.size]
                    return page, key(page[-1])
        return matches, None

    def touch(self, order: Order, now: int) -> None:
        """Set the order's update time and move it in the update-time index."""
        position = bisect_left(self._by_updated, _updated_key(order), key=_updated_key)
        if self._by_updated[position] is not order:
            raise RuntimeError(f"update index out of sync for order {order.id}")
        del self._by_updated[position]
        order.updated = now
        insort(self._by_updated, order, key=_updated_key)

    def _index_for(
        self, query: OrderQuery
    ) -> tuple[list[Order], Callable[[Order], CursorKey], Callable[[Order], int]]:
        if query.date_field == "updated":
            return self._by_updated, _updated_key, _updated_time
        if len(query.shop_ids) == 1:
            (shop_id,) = query.shop_ids
            return self._by_shop.get(shop_id, []), _created_key, _created_time
        return self._by_created, _created_key, _created_time


def _matches(order: Order, query: OrderQuery) -> bool:
    if query.shop_ids and order.shop.id not in query.shop_ids:
        return False
    if query.countries and order.shop.country.code not in query.countries:
        return False
    return not query.statuses or order.status in query.statuses


@attrs.define(eq=False)
class Account:
    """One Mastershop: its client application, shops, orders and request counts.

    `catalog` contains the product side: products, feeds and consignments.
    """

    index: int
    client_id: str
    user_id: str
    name: str
    shops: tuple[Shop, ...]
    orders: OrderBook = attrs.field(repr=False)
    refresh_tokens: RefreshTokenStore = attrs.field(repr=False)
    counters: AccountCounters = attrs.field(repr=False)
    # None when the rate limit is lifted.
    limiter: SlidingWindowLimiter | None = attrs.field(repr=False)
    catalog: CatalogState = attrs.field(repr=False)
    # Without the "VC - Order Manager" role, order writes respond with 403.
    order_manager_role: bool = True
    # A deleted client's refresh tokens stop working, but access tokens
    # already issued keep working until they expire, as on the real API.
    deleted: bool = False


class Credentials(NamedTuple):
    """A Mastershop's client id and a refresh token for the /token endpoint."""

    client_id: str
    refresh_token: str


class SandboxState:
    """Everything that one sandbox server serves, plus hooks for tests.

    Building the state seeds every Mastershop's shops, orders and products
    from `config.seed` and the clock's current time, and issues one refresh
    token per Mastershop. The catalog of brands, categories and attribute
    sets in `reference` is shared by all Mastershops.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, clock: Clock | None = None
    ) -> None:
        self.config = config if config is not None else SandboxConfig()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.access_tokens = AccessTokenIssuer()
        self.faults = FaultBook()
        self.tracking_numbers = TrackingNumbers()
        self.poisoned_order_ids: set[str] = set()
        self.reference: ReferenceCatalog = build_reference_catalog(
            self.config.seed, self.config.catalog_brands
        )

        now = self.now()
        self.accounts: tuple[Account, ...] = tuple(self._build_accounts(now))
        self._accounts_by_client_id = {
            account.client_id: account for account in self.accounts
        }
        self.initial_credentials: tuple[Credentials, ...] = tuple(
            Credentials(account.client_id, account.refresh_tokens.issue(now))
            for account in self.accounts
        )

    def _build_accounts(self, now: int) -> Iterable[Account]:
        config = self.config
        # Order numbers on the real API are 9-digit strings.
        first_number = 300_000_000
        for index in range(config.mastershops):
            seeded = seed_mastershop(
                config, index, now, self.tracking_numbers, first_number
            )
            first_number += len(seeded.orders)
            limiter = None
            if config.rate_limit:
                limiter = SlidingWindowLimiter(
                    config.requests_per_second, config.requests_per_minute
                )
            catalog = CatalogState(config, self.reference, seeded.shops, index)
            seed_products(catalog, now)
            yield Account(
                index=index,
                client_id=seeded.client_id,
                user_id=seeded.user_id,
                name=seeded.name,
                shops=seeded.shops,
                orders=OrderBook(seeded.orders),
                refresh_tokens=RefreshTokenStore(
                    lifetime=config.refresh_expires_in,
                    revoke_on_use=config.revoke_rotated_refresh_tokens,
                ),
                counters=AccountCounters.with_arrival_log(config.arrival_log_size),
                limiter=limiter,
                catalog=catalog,
            )

    def now(self) -> int:
        """Return the clock's wall time in whole Unix seconds."""
        return int(self.clock.time())

    def find_account(self, client_id: str) -> Account | None:
        return self._accounts_by_client_id.get(client_id)

    def account(self, client_id: str) -> Account:
        """Return the Mastershop with this client id, or raise KeyError."""
        account = self._accounts_by_client_id.get(client_id)
        if account is None:
            raise KeyError(f"no Mastershop has client id {client_id!r}")
        return account

    def issue_refresh_token(self, client_id: str) -> str:
        """Issue one more refresh token, like Vendor Center's "Generate Token"."""
        return self.account(client_id).refresh_tokens.issue(self.clock.time())

    def delete_client(self, client_id: str) -> None:
        """Delete the client application, so that its refresh tokens stop working."""
        self.account(client_id).deleted = True

    def set_order_manager_role(self, client_id: str, granted: bool) -> None:
        """Grant or withdraw "VC - Order Manager". Without it, order writes get 403."""
        self.account(client_id).order_manager_role = granted

    def inject_fault(
        self,
        method: str,
        path: str,
        *,
        status: int = 503,
        mode: FaultMode = "before",
        times: int = 1,
    ) -> Fault:
        """Arm a fault for the next `times` requests to `method` `path`.

        `path` is the exact request path without the query, for example
        "/v2/orders/pack". Faults apply after authentication and the rate
        limit. See FaultMode for what each mode does.
        """
        return self.faults.inject(method, path, status=status, mode=mode, times=times)

    def clear_faults(self) -> None:
        self.faults.clear()

    def poison_orders(self, *order_ids: str) -> None:
        """Make each GET /orders/items call naming one of these orders fail with 422."""
        self.poisoned_order_ids.update(order_ids)

    def unpoison_orders(self, *order_ids: str) -> None:
        self.poisoned_order_ids.difference_update(order_ids)

    def settle_catalog(self) -> None:
        """Apply every feed, quality-control and consignment event due by now.

        Product-side requests do this themselves. Tests call it before
        reading product state directly.
        """
        now = self.clock.time()
        for account in self.accounts:
            account.catalog.settle(now)

    def _catalog(self, client_id: str) -> CatalogState:
        catalog = self.account(client_id).catalog
        catalog.settle(self.clock.time())
        return catalog

    def feed(self, client_id: str, feed_id: str) -> Feed:
        """Return a feed of the Mastershop, processed up to now, or raise KeyError."""
        feed = self._catalog(client_id).feeds.get(feed_id)
        if feed is None:
            raise KeyError(f"the Mastershop of {client_id!r} has no feed {feed_id!r}")
        return feed

    def variation(self, client_id: str, variation_id: str) -> ProductVariation:
        """Return a variation (product sid) of the Mastershop, or raise KeyError."""
        variation = self._catalog(client_id).products.variation(variation_id)
        if variation is None:
            raise KeyError(
                f"the Mastershop of {client_id!r} has no variation {variation_id!r}"
            )
        return variation

    def approve_product(
        self,
        client_id: str,
        variation_id: str,
        *,
        business_client_code: str | None = None,
    ) -> None:
        """Approve a variation now, in one business client or in all of them.

        Quality control's own scheduled decision no longer applies to it.
        """
        catalog = self._catalog(client_id)
        variation = self.variation(client_id, variation_id)
        now = self.clock.time()
        for listing in _listings(variation, business_client_code):
            approve(catalog, variation, listing, now)

    def reject_product(
        self,
        client_id: str,
        variation_id: str,
        *,
        reason: str = "Other Reason",
        comment: str = "Rejected",
        business_client_code: str | None = None,
    ) -> None:
        """Reject a variation now, in one business client or in all of them."""
        variation = self.variation(client_id, variation_id)
        now = self.clock.time()
        for listing in _listings(variation, business_client_code):
            reject(variation, listing, now, reason, comment)

    def consignment_orders(self, client_id: str) -> tuple[ConsignmentOrder, ...]:
        """Return the Mastershop's consignment orders, oldest first."""
        return tuple(self._catalog(client_id).consignments.orders.values())

    def set_consignment_enabled(
        self, client_id: str, shop_id: str, enabled: bool
    ) -> None:
        """Allow or reject consignment orders for a shop. All shops start allowed."""
        catalog = self.account(client_id).catalog
        if shop_id not in catalog.shops:
            raise KeyError(f"the Mastershop of {client_id!r} has no shop {shop_id!r}")
        if enabled:
            catalog.consignments.disabled_shop_ids.discard(shop_id)
        else:
            catalog.consignments.disabled_shop_ids.add(shop_id)


def _listings(
    variation: ProductVariation, business_client_code: str | None
) -> list[Listing]:
    if business_client_code is None:
        return list(variation.listings.values())
    listing = variation.listings.get(business_client_code.lower())
    if listing is None:
        raise KeyError(
            f"variation {variation.id!r} is not listed in {business_client_code!r}"
        )
    return [listing]
