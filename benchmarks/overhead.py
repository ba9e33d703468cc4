"""Per-request overhead: the client against bare aiohttp on the same reads.

The sandbox runs in its own process with the rate limit off, so the CPU
time measured here is this process's only. Both sides send the same
requests in the same order: pages of `GET /orders`, batches of
`GET /orders/items` and `GET /orders/shipment-providers`, and `GET /shops`.
The client goes through `UnlimitedLimiter`, its retry wrapper, the token
check and the cattrs conversion to models. Bare aiohttp sends the same URL,
query and headers and only calls `await response.json()`. A third side sends
the same requests through the client's transport, which returns the decoded
JSON, to tell the transport's cost from the conversion's. Rounds rotate which
side goes first, so drifts in machine load hit every side alike.
"""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import attrs

from jumia_async import JumiaClient, UnlimitedLimiter, __version__
from jumia_async._resources.orders import build_orders_query

from ._harness import BenchmarkResult, Check, SandboxProcess, Scale, Table

NAME = "overhead"
TITLE = "Per-request overhead"

ROUNDS = {Scale.FULL: 40, Scale.QUICK: 10, Scale.SMOKE: 1}
# Requests of each endpoint per round and side.
REPEATS = 3
PAGE_SIZE = 100
BATCH_SIZE = 50
TARGET_RATIO = 1.5

CLIENT = "client"
TRANSPORT = "client JSON only"
BARE = "aiohttp"

ENDPOINTS = (
    "GET /orders (100 orders)",
    "GET /orders/items (50 orders)",
    "GET /orders/shipment-providers (50 items)",
    "GET /shops",
)

Call = Callable[[], Awaitable[Any]]


@attrs.define
class _Totals:
    cpu: dict[str, float] = attrs.field(factory=lambda: defaultdict(float))
    wall: dict[str, float] = attrs.field(factory=lambda: defaultdict(float))
    count: dict[str, int] = attrs.field(factory=lambda: defaultdict(int))


@attrs.frozen
class _Workload:
    """The calls of one round, per endpoint, for one side."""

    calls: tuple[tuple[str, Call], ...]


async def _measure(workload: _Workload, totals: _Totals) -> None:
    for endpoint, call in workload.calls:
        cpu = time.process_time()
        wall = time.perf_counter()
        await call()
        totals.wall[endpoint] += time.perf_counter() - wall
        totals.cpu[endpoint] += time.process_time() - cpu
        totals.count[endpoint] += 1


def _client_workload(
    client: JumiaClient,
    window: tuple[datetime, datetime],
    page_tokens: list[str | None],
    order_batches: list[list[str]],
    item_batches: list[list[str]],
) -> _Workload:
    after, before = window

    def orders_page(token: str | None) -> Call:
        return lambda: client.orders.list(
            created_after=after, created_before=before, size=PAGE_SIZE, token=token
        )

    def items(batch: list[str]) -> Call:
        return lambda: client.orders.items(batch)

    def providers(batch: list[str]) -> Call:
        return lambda: client.orders.shipment_providers(batch)

    calls: list[tuple[str, Call]] = []
    for position in range(REPEATS):
        calls.append((ENDPOINTS[0], orders_page(page_tokens[position])))
        calls.append((ENDPOINTS[1], items(order_batches[position])))
        calls.append((ENDPOINTS[2], providers(item_batches[position])))
        calls.append((ENDPOINTS[3], client.shops.list))
    return _Workload(tuple(calls))


def _read_queries(
    window: tuple[datetime, datetime],
    page_tokens: list[str | None],
    order_batches: list[list[str]],
    item_batches: list[list[str]],
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Return (endpoint, path, query) of each request of one round."""
    after, before = window
    reads = []
    for position in range(REPEATS):
        query = build_orders_query(
            created_after=after,
            created_before=before,
            size=PAGE_SIZE,
            token=page_tokens[position],
        )
        item_query = [("orderId", order_id) for order_id in order_batches[position]]
        provider_query = [("orderItemId", i) for i in item_batches[position]]
        reads.append((ENDPOINTS[0], "/orders", query))
        reads.append((ENDPOINTS[1], "/orders/items", item_query))
        reads.append((ENDPOINTS[2], "/orders/shipment-providers", provider_query))
        reads.append((ENDPOINTS[3], "/shops", []))
    return reads


def _bare_workload(
    session: aiohttp.ClientSession,
    base_url: str,
    headers: dict[str, str],
    reads: list[tuple[str, str, list[tuple[str, str]]]],
) -> _Workload:
    def get(path: str, params: list[tuple[str, str]]) -> Call:
        async def call() -> Any:
            async with session.get(
                base_url + path, params=params, headers=headers
            ) as response:
                return await response.json()

        return call

    return _Workload(tuple((name, get(path, query)) for name, path, query in reads))


def _transport_workload(
    client: JumiaClient, reads: list[tuple[str, str, list[tuple[str, str]]]]
) -> _Workload:
    # The client's transport returns the decoded JSON without converting it
    # to models. It has no public accessor, so the private attribute is read.
    transport = client._transport
    assert transport is not None

    def get(path: str, params: list[tuple[str, str]]) -> Call:
        return lambda: transport.request("GET", path, params=params)

    return _Workload(tuple((name, get(path, query)) for name, path, query in reads))


async def _prepare(
    client: JumiaClient, window: tuple[datetime, datetime]
) -> tuple[list[str | None], list[list[str]], list[list[str]]]:
    """Read the page cursors, order ids and item ids that both sides request."""
    after, before = window
    page_tokens: list[str | None] = [None]
    order_ids: list[str] = []
    while len(page_tokens) <= REPEATS:
        page = await client.orders.list(
            created_after=after,
            created_before=before,
            size=PAGE_SIZE,
            token=page_tokens[-1],
        )
        order_ids.extend(order.id for order in page.orders)
        if not page.has_next:
            raise RuntimeError("the sandbox has too few orders for the workload")
        page_tokens.append(page.next_token)
    order_batches = [
        order_ids[i * BATCH_SIZE : (i + 1) * BATCH_SIZE] for i in range(REPEATS)
    ]
    items = await client.orders.items(order_ids[: REPEATS * BATCH_SIZE])
    item_ids = [item.id for entry in items.orders for item in entry.items]
    item_batches = [
        item_ids[i * BATCH_SIZE : (i + 1) * BATCH_SIZE] for i in range(REPEATS)
    ]
    return page_tokens[:REPEATS], order_batches, item_batches


def _per_request(totals: _Totals, endpoint: str | None) -> tuple[float, float]:
    """Return (CPU µs, wall µs) per request of one endpoint, or of all if None."""
    if endpoint is None:
        count = sum(totals.count.values())
        return (
            sum(totals.cpu.values()) / count * 1e6,
            sum(totals.wall.values()) / count * 1e6,
        )
    count = totals.count[endpoint]
    return totals.cpu[endpoint] / count * 1e6, totals.wall[endpoint] / count * 1e6


def _rows(sides: dict[str, _Totals]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for endpoint in (*ENDPOINTS, None):
        client_cpu, client_wall = _per_request(sides[CLIENT], endpoint)
        raw_cpu, _ = _per_request(sides[TRANSPORT], endpoint)
        bare_cpu, bare_wall = _per_request(sides[BARE], endpoint)
        counts = sides[CLIENT].count
        requests = counts[endpoint] if endpoint else sum(counts.values())
        rows.append(
            (
                endpoint or "all",
                str(requests),
                f"{client_cpu:.0f}",
                f"{raw_cpu:.0f}",
                f"{bare_cpu:.0f}",
                f"{client_cpu / bare_cpu:.2f}",
                f"{raw_cpu / bare_cpu:.2f}",
                f"{client_wall:.0f}",
                f"{bare_wall:.0f}",
            )
        )
    return rows


async def _measure_rounds(
    workloads: dict[str, _Workload], rounds: int
) -> dict[str, _Totals]:
    """Run every workload once per round, rotating which one goes first."""
    names = list(workloads)
    # One unmeasured round warms connections and conversion hooks.
    for name in names:
        await _measure(workloads[name], _Totals())
    gc.collect()
    totals = {name: _Totals() for name in names}
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            await _measure(workloads[name], totals[name])
    return totals


async def run(scale: Scale, figures_dir: Path) -> BenchmarkResult:
    """Send the same reads through the client and bare aiohttp, round by round."""
    rounds = ROUNDS[scale]
    config = {
        "orders_per_mastershop": (REPEATS + 1) * PAGE_SIZE,
        "rate_limit": False,
        "arrival_log_size": 0,
    }
    now = datetime.now(UTC)
    window = (now - timedelta(days=7), now + timedelta(minutes=10))

    async with SandboxProcess(config) as sandbox:
        client_id, refresh_token = sandbox.credentials[0]
        async with (
            JumiaClient(
                client_id=client_id,
                refresh_token=refresh_token,
                base_url=sandbox.url,
                limiter=UnlimitedLimiter(),
            ) as client,
            aiohttp.ClientSession() as session,
        ):
            page_tokens, order_batches, item_batches = await _prepare(client, window)
            reads = _read_queries(window, page_tokens, order_batches, item_batches)
            headers = {
                "Accept": "application/json",
                "User-Agent": f"jumia_async/{__version__}",
                "Authorization": f"Bearer {await client.authenticator.access_token()}",
            }
            workloads = {
                CLIENT: _client_workload(
                    client, window, page_tokens, order_batches, item_batches
                ),
                TRANSPORT: _transport_workload(client, reads),
                BARE: _bare_workload(session, sandbox.url, headers, reads),
            }
            sides = await _measure_rounds(workloads, rounds)

    result = BenchmarkResult(name=NAME, title=TITLE)
    result.tables.append(
        Table(
            title=f"CPU and wall time per request, {rounds} rounds per side",
            header=(
                "endpoint",
                "requests per side",
                "client CPU µs",
                "client JSON only CPU µs",
                "aiohttp CPU µs",
                "client ÷ aiohttp",
                "client JSON only ÷ aiohttp",
                "client wall µs",
                "aiohttp wall µs",
            ),
            rows=tuple(_rows(sides)),
        )
    )
    client_cpu, _ = _per_request(sides[CLIENT], None)
    raw_cpu, _ = _per_request(sides[TRANSPORT], None)
    bare_cpu, _ = _per_request(sides[BARE], None)
    result.checks.append(
        Check(
            description=f"{NAME}: client CPU ÷ bare aiohttp CPU, models",
            measured=f"{client_cpu / bare_cpu:.2f}",
            target=f"≤ {TARGET_RATIO}",
            met=client_cpu / bare_cpu <= TARGET_RATIO,
        )
    )
    result.checks.append(
        Check(
            description=f"{NAME}: client CPU ÷ bare aiohttp CPU, JSON only",
            measured=f"{raw_cpu / bare_cpu:.2f}",
            target=f"≤ {TARGET_RATIO}",
            met=raw_cpu / bare_cpu <= TARGET_RATIO,
        )
    )
    result.notes.append(
        "CPU is `time.process_time()` of the benchmark process around each "
        "awaited request, so it covers the client or aiohttp and the event loop, "
        "and not the sandbox, which runs in another process. Wall time includes "
        "the sandbox's work and varies with the machine's load. Each round sends "
        f"each endpoint {REPEATS} times per side, one request at a time, over "
        "keep-alive connections, and the side that goes first rotates. 'Client' "
        "is the public call (`client.orders.list()` and so on): it builds the "
        "query, checks the token, goes through the limiter and the retry "
        "wrapper, decodes the JSON and converts it to attrs models. 'Client JSON "
        "only' sends the same requests through the client's transport, which "
        "does all of that except the conversion to models."
    )
    return result
