"""The client against the sandbox: limits, rotation and reads end to end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from jumia_async import (
    JsonFileTokenStore,
    JumiaClient,
    MemoryTokenStore,
    RefreshTokenRejectedError,
    RetryPolicy,
    SlidingWindowLimiter,
    UnlimitedLimiter,
)
from jumia_async.sandbox import SandboxConfig, run_sandbox


async def test_burst_of_30_has_no_429() -> None:
    config = SandboxConfig(orders_per_shop=2)
    async with run_sandbox(config) as sandbox:
        async with JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            limiter=SlidingWindowLimiter(),
            retry=RetryPolicy.disabled(),
        ) as client:
            await asyncio.gather(*(client.shops.list() for _ in range(30)))
        counters = sandbox.state.account(sandbox.client_id).counters

    # 30 reads plus one /token call, none rejected by the strict window.
    assert counters.admitted == 31
    assert counters.rejected == 0
    assert counters.max_in_window(1.0) <= 4


async def test_sandbox_429_retried_with_retry_after() -> None:
    config = SandboxConfig(orders_per_shop=1, retry_after_header=True)
    async with run_sandbox(config) as sandbox:
        async with JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            # No client-side pacing, so the sandbox must push back.
            limiter=UnlimitedLimiter(),
            retry=RetryPolicy(max_attempts=4, base_delay=0.1),
        ) as client:
            shops = await asyncio.gather(*(client.shops.list() for _ in range(6)))
        counters = sandbox.state.account(sandbox.client_id).counters

    assert all(found for found in shops)
    assert counters.rejected >= 1
    assert counters.admitted == 7


async def test_concurrent_requests_one_token_call() -> None:
    config = SandboxConfig(orders_per_shop=1, rate_limit=False)
    async with run_sandbox(config) as sandbox:
        async with JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            limiter=UnlimitedLimiter(),
        ) as client:
            await asyncio.gather(*(client.shops.list() for _ in range(50)))
        routes = sandbox.state.account(sandbox.client_id).counters.routes

    assert routes["POST /token"] == 1
    assert routes["GET /shops"] == 50


async def test_rotation_survives_restart_with_file_store(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    store_path = tmp_path / "tokens.json"
    config = SandboxConfig(orders_per_shop=1, rate_limit=False, expires_in=60)
    async with run_sandbox(config) as sandbox:
        first = JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            token_store=JsonFileTokenStore(store_path),
            limiter=UnlimitedLimiter(),
            refresh_margin=60,
        )
        async with first as client:
            await client.shops.list()

        # The original refresh token is revoked now; a new process that only
        # has the token file still gets in.
        async with JumiaClient(
            client_id=sandbox.client_id,
            base_url=sandbox.url,
            token_store=JsonFileTokenStore(store_path),
            limiter=UnlimitedLimiter(),
            refresh_margin=60,
        ) as client:
            await client.shops.list()
            assert client.authenticator.refresh_count == 1

        # The first refresh token was rotated away and is refused.
        async with JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            token_store=MemoryTokenStore(),
            limiter=UnlimitedLimiter(),
        ) as client:
            with pytest.raises(RefreshTokenRejectedError, match="Vendor Center"):
                await client.shops.list()


async def test_deleted_client_raises_rejection() -> None:
    config = SandboxConfig(orders_per_shop=1, rate_limit=False)
    async with run_sandbox(config) as sandbox:
        sandbox.state.delete_client(sandbox.client_id)
        async with JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            limiter=UnlimitedLimiter(),
        ) as client:
            with pytest.raises(RefreshTokenRejectedError) as caught:
                await client.shops.list()
    assert "not found" in str(caught.value).lower()


async def test_iter_reads_every_order_once() -> None:
    config = SandboxConfig(orders_per_mastershop=250, rate_limit=False, order_days=5)
    async with (
        run_sandbox(config) as sandbox,
        JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            limiter=UnlimitedLimiter(),
        ) as client,
    ):
        now = datetime.now(UTC)
        ids = [
            order.id
            async for order in client.orders.iter(
                created_after=now - timedelta(days=6), created_before=now, size=40
            )
        ]
        shops = await client.shops.list_of_master_shop()

    assert len(ids) == 250
    assert len(set(ids)) == 250
    assert shops


async def test_items_split_around_poisoned_order() -> None:
    config = SandboxConfig(orders_per_mastershop=12, rate_limit=False)
    async with run_sandbox(config) as sandbox:
        account = sandbox.state.account(sandbox.client_id)
        order_ids = [order.id for order in account.orders]
        sandbox.state.poison_orders(order_ids[3])
        async with JumiaClient(
            client_id=sandbox.client_id,
            refresh_token=sandbox.refresh_token,
            base_url=sandbox.url,
            limiter=UnlimitedLimiter(),
        ) as client:
            result = await client.orders.items(order_ids)

    assert list(result.failed) == [order_ids[3]]
    assert [entry.order_id for entry in result.orders] == [
        order_id for order_id in order_ids if order_id != order_ids[3]
    ]
