"""The sandbox's configuration, seeded data and public names."""

from __future__ import annotations

import ast
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import jumia_async.sandbox as sandbox_package
from jumia_async.sandbox import ManualClock, SandboxConfig, SandboxState

START = datetime(2025, 6, 24, 12, 0, tzinfo=UTC).timestamp()
CURRENCIES = {
    "GH": "GHS",
    "NG": "NGN",
    "KE": "KES",
    "MA": "MAD",
    "EG": "EGP",
    "CI": "XOF",
    "SN": "XOF",
    "UG": "UGX",
}


def build(**settings: Any) -> SandboxState:
    return SandboxState(SandboxConfig(**settings), clock=ManualClock(start=START))


def snapshot(state: SandboxState) -> list[tuple[Any, ...]]:
    return [
        (order.id, order.number, order.created, order.status, len(order.items))
        for account in state.accounts
        for order in account.orders
    ]


def test_all_is_sorted_and_complete() -> None:
    names = sandbox_package.__all__

    assert names == sorted(names)
    for name in names:
        assert hasattr(sandbox_package, name), name


def test_sandbox_imports_only_limits_from_package() -> None:
    """Sandbox modules import nothing from the package except _limits."""
    package_dir = Path(sandbox_package.__file__).parent
    for path in sorted(package_dir.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                module = node.module or ""
                if module.startswith("jumia_async"):
                    assert module == "jumia_async._limits", (path.name, module)
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 1, (path.name, node.module)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("jumia_async"), path.name


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"mastershops": 0}, "mastershops"),
        ({"shops_per_mastershop": 0}, "shops_per_mastershop"),
        ({"orders_per_shop": -1}, "orders_per_shop"),
        ({"orders_per_mastershop": -5}, "orders_per_mastershop"),
        ({"min_items_per_order": 3, "max_items_per_order": 2}, "max_items_per_order"),
        ({"order_days": 0}, "order_days"),
        ({"expires_in": 0}, "expires_in"),
        ({"shops_form": "dict"}, "shops_form"),
        ({"tracking_flag_name": "required"}, "tracking_flag_name"),
        ({"label_form": "url"}, "label_form"),
    ],
)
def test_config_invalid_values(settings: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SandboxConfig(**settings)


def test_config_rejects_wrong_types() -> None:
    with pytest.raises(TypeError, match="seed"):
        SandboxConfig(seed="1")  # type: ignore[arg-type]


def test_seed_is_deterministic() -> None:
    first = build(seed=11, mastershops=2)
    second = build(seed=11, mastershops=2)
    other = build(seed=12, mastershops=2)

    assert snapshot(first) == snapshot(second)
    assert snapshot(first) != snapshot(other)
    assert [a.client_id for a in first.accounts] == [
        a.client_id for a in second.accounts
    ]


def test_credentials_per_mastershop() -> None:
    state = build(mastershops=3, orders_per_shop=1)

    client_ids = [credentials.client_id for credentials in state.initial_credentials]
    assert client_ids == [account.client_id for account in state.accounts]
    assert len(set(client_ids)) == 3
    assert len({c.refresh_token for c in state.initial_credentials}) == 3


def test_orders_per_mastershop_spread_over_shops() -> None:
    state = build(orders_per_mastershop=10, shops_per_mastershop=3)
    per_shop = Counter(order.shop.id for order in state.accounts[0].orders)

    assert sorted(per_shop.values()) == [3, 3, 4]


def test_shops_countries_and_currencies() -> None:
    state = build(mastershops=2, shops_per_mastershop=8, orders_per_shop=1)

    for account in state.accounts:
        countries = [shop.country.code for shop in account.shops]
        assert sorted(countries) == sorted(CURRENCIES)
        for shop in account.shops:
            assert shop.country.currency == CURRENCIES[shop.country.code]
            code = shop.country.business_client_code
            assert code == f"jumia-{shop.country.code.lower()}"
            station = shop.providers[0]
            assert station.name.endswith("-Station")
            assert station.tracking_code_required is False
            assert shop.providers[1].tracking_code_required is True


def test_seed_variety() -> None:
    """Mostly pending orders, plus packed, shipped, canceled and FBJ ones."""
    state = build(orders_per_shop=400)
    orders = list(state.accounts[0].orders)
    statuses = Counter(order.status for order in orders)

    assert statuses["PENDING"] > len(orders) / 2
    for status in ("READY_TO_SHIP", "SHIPPED", "DELIVERED", "CANCELED"):
        assert statuses[status] > 0, status
    assert any(order.has_items_fulfilled_by_jumia for order in orders)
    assert any(order.has_multiple_status for order in orders)
    assert any(order.status == "PENDING" and order.packed_items > 0 for order in orders)
    assert {len(order.items) for order in orders} == {1, 2, 3}


def test_orders_span_days_up_to_now() -> None:
    state = build(orders_per_shop=200, order_days=4)
    orders = list(state.accounts[0].orders)
    today = int(datetime(2025, 6, 24, tzinfo=UTC).timestamp())

    days = {(order.created - today) // 86400 for order in orders}
    assert days == {-3, -2, -1, 0}
    assert max(order.created for order in orders) <= START
    assert all(order.created <= order.updated <= START for order in orders)
    assert [order.created for order in orders] == sorted(o.created for o in orders)
    numbers = [order.number for order in orders]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == len(numbers)


def test_order_numbers_unique_across_mastershops() -> None:
    state = build(mastershops=3, orders_per_shop=5)
    numbers = [order.number for account in state.accounts for order in account.orders]

    assert len(set(numbers)) == len(numbers)
    assert all(len(str(number)) == 9 for number in numbers)


def test_many_mastershops_seed_quickly() -> None:
    """500 Mastershops with a few orders each build in well under a second."""
    started = time.perf_counter()
    state = build(mastershops=500, orders_per_shop=2)
    elapsed = time.perf_counter() - started

    assert len(state.accounts) == 500
    assert len({account.client_id for account in state.accounts}) == 500
    assert elapsed < 5.0


def test_hundred_thousand_orders_page_quickly() -> None:
    """One Mastershop with 100,000 orders seeds in seconds and pages by index."""
    from jumia_async.sandbox._order_query import OrderQuery

    started = time.perf_counter()
    state = build(orders_per_mastershop=100_000)
    seeded = time.perf_counter() - started
    book = state.accounts[0].orders
    query = OrderQuery(
        statuses=frozenset({"PENDING"}),
        countries=frozenset(),
        shop_ids=frozenset(),
        date_field="created",
        after=None,
        before=None,
        descending=False,
        size=300,
    )

    started = time.perf_counter()
    page, key = book.select(query, None)
    for _ in range(49):
        page, key = book.select(query, key)
    paged = time.perf_counter() - started

    assert len(book) == 100_000
    assert len(page) == 300
    assert key is not None
    assert seeded < 15.0
    assert paged < 2.0
