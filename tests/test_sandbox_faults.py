"""The sandbox's test hooks: injected faults and poisoned orders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from jumia_async.sandbox import Order, Sandbox, SandboxConfig, run_sandbox


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    config = SandboxConfig(orders_per_shop=10, rate_limit=False)
    async with run_sandbox(config) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
async def headers(session: aiohttp.ClientSession, sandbox: Sandbox) -> dict[str, str]:
    form = {
        "grant_type": "refresh_token",
        "client_id": sandbox.client_id,
        "refresh_token": sandbox.refresh_token,
    }
    async with session.post(f"{sandbox.url}/token", data=form) as response:
        body = await response.json()
    return {"Authorization": f"Bearer {body['access_token']}"}


def pending_order(sandbox: Sandbox) -> Order:
    return next(
        order
        for order in sandbox.state.accounts[0].orders
        if order.status == "PENDING"
        and not order.has_items_fulfilled_by_jumia
        and not any(item.is_packed for item in order.items)
    )


async def cancel(
    session: aiohttp.ClientSession,
    sandbox: Sandbox,
    headers: dict[str, str],
    order: Order,
) -> tuple[int, Any]:
    body = {"orderItemIds": [order.items[0].id]}
    async with session.put(
        f"{sandbox.url}/orders/cancel", headers=headers, json=body
    ) as response:
        return response.status, await response.json()


async def test_fault_before_skips_the_write(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """A "before" fault returns the status and leaves the state unchanged."""
    order = pending_order(sandbox)
    sandbox.state.inject_fault("PUT", "/orders/cancel", status=503)

    status, body = await cancel(session, sandbox, headers, order)
    assert status == 503
    assert body == {"message": "Service Unavailable (injected fault)", "status": 503}
    assert order.items[0].status == "PENDING"

    status, _ = await cancel(session, sandbox, headers, order)
    assert status == 200
    assert order.items[0].status == "CANCELED"


async def test_fault_after_applies_the_write(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """An "after" fault applies the write, then returns the error status."""
    order = pending_order(sandbox)
    sandbox.state.inject_fault("put", "/orders/cancel", status=502, mode="after")

    status, _ = await cancel(session, sandbox, headers, order)

    assert status == 502
    assert order.items[0].status == "CANCELED"


async def test_fault_drop_closes_connection(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """A "drop" fault applies the write and closes the connection unanswered."""
    # aiohttp (3.14) resends an idempotent request such as PUT once when a reused
    # connection drops, so this test drops a POST.
    item = next(
        item
        for order in sandbox.state.accounts[0].orders
        for item in order.items
        if item.status == "PENDING" and item.is_packed
    )
    sandbox.state.inject_fault("POST", "/orders/ready-to-ship", mode="drop")

    with pytest.raises(aiohttp.ServerDisconnectedError):
        async with session.post(
            f"{sandbox.url}/orders/ready-to-ship",
            headers=headers,
            json={"orderItemIds": [item.id]},
        ) as response:
            await response.read()

    assert item.status == "READY_TO_SHIP"


async def test_fault_counts_down(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """A fault armed for N requests hits exactly the next N matching requests."""
    fault = sandbox.state.inject_fault("GET", "/shops", status=500, times=2)
    statuses = []
    for _ in range(3):
        async with session.get(f"{sandbox.url}/shops", headers=headers) as response:
            statuses.append(response.status)
            if response.status == 500:
                body = await response.json()
                assert set(body) == {"timestamp", "status", "error", "message", "path"}

    assert statuses == [500, 500, 200]
    assert fault.remaining == 0
    assert sandbox.state.faults.pending() == []


async def test_fault_matches_method_and_path(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    sandbox.state.inject_fault("POST", "/shops", status=500)
    async with session.get(f"{sandbox.url}/shops", headers=headers) as response:
        assert response.status == 200
    sandbox.state.clear_faults()

    assert sandbox.state.faults.pending() == []


async def test_fault_on_token_uses_oauth_shape(
    session: aiohttp.ClientSession, sandbox: Sandbox
) -> None:
    sandbox.state.inject_fault("POST", "/token", status=503)
    form = {
        "grant_type": "refresh_token",
        "client_id": sandbox.client_id,
        "refresh_token": sandbox.refresh_token,
    }
    async with session.post(f"{sandbox.url}/token", data=form) as response:
        body = await response.json()

    assert response.status == 503
    assert body["error"] == "server_error"
    assert "error_description" in body


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"status": 200}, "HTTP error status"),
        ({"mode": "later"}, "mode"),
        ({"times": 0}, "times"),
    ],
)
def test_inject_fault_invalid_arguments(kwargs: dict[str, Any], match: str) -> None:
    from jumia_async.sandbox import SandboxState

    state = SandboxState(SandboxConfig(orders_per_shop=0))
    with pytest.raises(ValueError, match=match):
        state.inject_fault("GET", "/orders", **kwargs)


def test_inject_fault_rejects_relative_path() -> None:
    from jumia_async.sandbox import SandboxState

    state = SandboxState(SandboxConfig(orders_per_shop=0))
    with pytest.raises(ValueError, match="path"):
        state.inject_fault("GET", "orders")


async def test_poisoned_order_fails_batches(
    session: aiohttp.ClientSession, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    """A batch naming a poisoned order gets 422; the other orders work alone."""
    orders = list(sandbox.state.accounts[0].orders)[:4]
    sandbox.state.poison_orders(orders[2].id)

    async def items_status(batch: list[Order]) -> int:
        params = [("orderId", order.id) for order in batch]
        async with session.get(
            f"{sandbox.url}/orders/items", headers=headers, params=params
        ) as response:
            if response.status == 422:
                body = await response.json()
                assert set(body) == {"message", "status"}
            return response.status

    assert await items_status(orders) == 422
    assert await items_status(orders[:2]) == 200
    assert await items_status(orders[3:]) == 200
    assert await items_status(orders[2:3]) == 422

    sandbox.state.unpoison_orders(orders[2].id)
    assert await items_status(orders) == 200
