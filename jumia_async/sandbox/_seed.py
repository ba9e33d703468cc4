"""Deterministic shops and orders for each Mastershop."""

from __future__ import annotations

import random
from collections.abc import Iterator

import attrs

from ._config import SandboxConfig
from ._countries import COUNTRIES
from ._model import (
    CANCELED,
    DELIVERED,
    FAILED,
    READY_TO_SHIP,
    RETURNED,
    SHIPPED,
    Order,
    OrderItem,
    Product,
    ShipmentProvider,
    Shop,
    TrackingNumbers,
)

_DAY = 86_400
_PRODUCTS_PER_SHOP = 30
_PRODUCT_STYLES = ("Classic", "Compact", "Deluxe", "Everyday", "Pro", "Slim")
_PRODUCT_KINDS = (
    "Wireless Earbuds",
    "Phone Case",
    "Power Bank",
    "Rice Cooker",
    "Blender",
    "Sneakers",
    "Backpack",
    "Wall Clock",
    "Desk Lamp",
    "Water Bottle",
    "T-Shirt",
    "Bluetooth Speaker",
    "Electric Kettle",
)

# Share of orders per scenario, as cumulative upper bounds of a uniform draw.
# Most orders wait to be packed. "mixed" orders have one canceled item and
# the rest pending.
_SCENARIOS: tuple[tuple[float, str], ...] = (
    (0.70, "pending"),
    (0.76, "packed"),
    (0.82, READY_TO_SHIP),
    (0.88, SHIPPED),
    (0.93, DELIVERED),
    (0.96, CANCELED),
    (0.98, "mixed"),
    (0.99, FAILED),
    (1.00, RETURNED),
)
_FULFILLED_BY_JUMIA_SHARE = 0.03
# Share of multi-item orders whose last item is offered a different provider
# from the rest, so the order cannot go into a single package.
_SPLIT_PROVIDER_SHARE = 0.03


@attrs.frozen
class SeededMastershop:
    """The generated identity, shops and orders of one Mastershop."""

    client_id: str
    user_id: str
    name: str
    shops: tuple[Shop, ...]
    # Sorted by creation time and numbered in that order.
    orders: list[Order]


def seed_mastershop(
    config: SandboxConfig,
    index: int,
    now: int,
    tracking_numbers: TrackingNumbers,
    first_number: int,
) -> SeededMastershop:
    """Generate Mastershop `index` from the seed.

    The data depends only on the seed, the index, the counts in `config`,
    `now` and the numbers handed in, so adding Mastershops leaves earlier ones
    unchanged. Orders are numbered from `first_number` by creation time.
    """
    rng = random.Random(f"jumia-sandbox:{config.seed}:{index}")
    client_id = _uuid(rng)
    user_id = _uuid(rng)
    shops = tuple(
        _make_shop(rng, index, position)
        for position in range(config.shops_per_mastershop)
    )

    orders: list[Order] = []
    for shop, count in zip(shops, _orders_per_shop(config), strict=True):
        products = _make_products(rng, shop)
        orders.extend(
            _make_orders(rng, config, shop, products, count, now, tracking_numbers)
        )
    orders.sort(key=_creation_time)
    for position, order in enumerate(orders):
        order.number = first_number + position

    return SeededMastershop(
        client_id=client_id,
        user_id=user_id,
        name=f"Sandbox Mastershop {index + 1}",
        shops=shops,
        orders=orders,
    )


def _uuid(rng: random.Random) -> str:
    """Return a version 4 UUID string drawn from `rng`."""
    digits = f"{rng.getrandbits(128):032x}"
    variant = "89ab"[int(digits[16], 16) & 3]
    return (
        f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-"
        f"{variant}{digits[17:20]}-{digits[20:]}"
    )


def _creation_time(order: Order) -> int:
    return order.created


def _orders_per_shop(config: SandboxConfig) -> list[int]:
    shops = config.shops_per_mastershop
    if config.orders_per_mastershop is None:
        return [config.orders_per_shop] * shops
    base, extra = divmod(config.orders_per_mastershop, shops)
    return [base + (1 if position < extra else 0) for position in range(shops)]


def _make_shop(rng: random.Random, index: int, position: int) -> Shop:
    country = COUNTRIES[(index + position) % len(COUNTRIES)]
    city = country.cities[(index + position) % len(country.cities)]
    label = f"{index + 1}.{position + 1}"
    station = ShipmentProvider(
        id=_uuid(rng),
        name=f"{country.code}-VDO-OWN-{city}-Station",
        tracking_code_required=False,
    )
    courier = ShipmentProvider(
        id=_uuid(rng),
        name=f"{country.code}-Sandbox-Express",
        tracking_code_required=True,
    )
    return Shop(
        id=_uuid(rng),
        name=f"Sandbox {country.name} Shop {label}",
        email=f"shop-{index + 1}-{position + 1}@sandbox.invalid",
        country=country,
        providers=(station, courier),
    )


def _make_products(rng: random.Random, shop: Shop) -> list[Product]:
    products = []
    for number in range(1, _PRODUCTS_PER_SHOP + 1):
        style = _PRODUCT_STYLES[number % len(_PRODUCT_STYLES)]
        kind = _PRODUCT_KINDS[number % len(_PRODUCT_KINDS)]
        price_usd = rng.uniform(3.0, 120.0)
        products.append(
            Product(
                name=f"{style} {kind}",
                seller_sku=f"SB-{shop.country.code}-{shop.id[:8]}-{number:03d}",
                price_local=round(price_usd * shop.country.exchange_rate, 2),
            )
        )
    return products


def _make_orders(
    rng: random.Random,
    config: SandboxConfig,
    shop: Shop,
    products: list[Product],
    count: int,
    now: int,
    tracking_numbers: TrackingNumbers,
) -> Iterator[Order]:
    today = now // _DAY * _DAY
    station, courier = shop.providers
    for _ in range(count):
        created = _creation_instant(rng, today, now, config.order_days)
        order = Order(id=_uuid(rng), shop=shop, created=created, updated=created)
        fulfilled_by_jumia = rng.random() < _FULFILLED_BY_JUMIA_SHARE
        offered = _offered_providers(rng.random(), station, courier)
        item_count = rng.randint(config.min_items_per_order, config.max_items_per_order)
        order.items = tuple(
            OrderItem(
                id=_uuid(rng),
                order=order,
                product=products[rng.randrange(len(products))],
                offered_providers=offered,
                fulfilled_by_jumia=fulfilled_by_jumia,
            )
            for _ in range(item_count)
        )
        if item_count > 1 and rng.random() < _SPLIT_PROVIDER_SHARE:
            other = courier if offered == (station,) else station
            order.items[-1].offered_providers = (other,)
        _apply_scenario(rng, order, _pick_scenario(rng.random()), now, tracking_numbers)
        yield order


def _creation_instant(rng: random.Random, today: int, now: int, days: int) -> int:
    """Return a creation time on one of the last `days` days, never after `now`."""
    days_ago = rng.randrange(days)
    day_start = today - days_ago * _DAY
    span = now - day_start + 1 if days_ago == 0 else _DAY
    return day_start + int(rng.random() * span)


def _offered_providers(
    draw: float, station: ShipmentProvider, courier: ShipmentProvider
) -> tuple[ShipmentProvider, ...]:
    """Return the station for most orders, else the courier or both.

    The courier needs a tracking code, so some orders exercise that rule.
    """
    if draw < 0.85:
        return (station,)
    if draw < 0.95:
        return (courier,)
    return (station, courier)


def _pick_scenario(draw: float) -> str:
    for bound, scenario in _SCENARIOS:
        if draw < bound:
            return scenario
    return _SCENARIOS[-1][1]


def _apply_scenario(
    rng: random.Random,
    order: Order,
    scenario: str,
    now: int,
    tracking_numbers: TrackingNumbers,
) -> None:
    """Move the order's items to the scenario's state and set its update time."""
    if scenario == "pending":
        return
    order.updated = order.created + int(rng.random() * (now - order.created + 1))
    if scenario == CANCELED:
        _set_status(order, CANCELED)
        return
    if scenario == "mixed":
        order.items[0].status = CANCELED
        return
    if order.items[0].fulfilled_by_jumia and scenario == "packed":
        return

    _pack(order, tracking_numbers)
    if scenario != "packed":
        _set_status(order, scenario)


def _pack(order: Order, tracking_numbers: TrackingNumbers) -> None:
    """Pack the items in one package per provider, using each item's first offer."""
    tracking_by_provider: dict[str, str] = {}
    for item in order.items:
        provider = item.offered_providers[0]
        if provider.id not in tracking_by_provider:
            tracking_by_provider[provider.id] = tracking_numbers.issue(
                order.shop.country.code
            )
        item.provider = provider
        item.tracking_number = tracking_by_provider[provider.id]


def _set_status(order: Order, status: str) -> None:
    for item in order.items:
        item.status = status
