"""A sandbox server process that the benchmarks control over standard input.

    python -m benchmarks._sandbox_server '{"mastershops": 2, "rate_limit": true}'

The argument is a JSON object of `SandboxConfig` fields. The process serves
the sandbox on a free loopback port and prints one JSON line with `url` and
`credentials` (one `[client_id, refresh_token]` pair per Mastershop). Then,
for each command line read from standard input, it writes one JSON line:

- `counters`: the CPU seconds of this process and, per Mastershop, the
  admitted and rejected counts, the requests per route, every admitted
  arrival as a monotonic time with its route, and the time of each 429;
- `orders`: every order of every Mastershop with its items, for computing
  the work that a workflow has to do;
- `stop`, or the end of standard input: stop serving and exit.

Arrival times come from `time.monotonic()`, which on Linux is one clock for
every process, so they compare directly with the event loop times of the
benchmark process.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import attrs

from jumia_async.sandbox import (
    AccountCounters,
    Order,
    Sandbox,
    SandboxConfig,
    run_sandbox,
)


@attrs.define
class RouteLoggingCounters(AccountCounters):
    """Account counters that also log arrival routes and the times of 429s."""

    arrival_routes: list[str] = attrs.field(factory=list, repr=False)
    rejected_times: list[float] = attrs.field(factory=list, repr=False)

    def record_admitted(self, route: str, now: float) -> None:
        super().record_admitted(route, now)
        if self.arrivals is not None:
            self.arrival_routes.append(route)

    def record_rejected(self, route: str) -> None:
        super().record_rejected(route)
        # The sandbox passes no time here. Its rate limit reads time.monotonic
        # through SystemClock, so both times come from one clock.
        self.rejected_times.append(time.monotonic())


def _install_route_logging(sandbox: Sandbox, log_size: int) -> None:
    for account in sandbox.state.accounts:
        arrivals = account.counters.arrivals
        if arrivals is None or log_size <= 0:
            continue
        account.counters = RouteLoggingCounters(arrivals=arrivals)


def _counters(sandbox: Sandbox) -> dict[str, Any]:
    accounts = []
    for account in sandbox.state.accounts:
        counters = account.counters
        routes: list[str] = []
        rejected_times: list[float] = []
        if isinstance(counters, RouteLoggingCounters):
            routes = counters.arrival_routes
            rejected_times = counters.rejected_times
        arrivals = list(counters.arrivals) if counters.arrivals is not None else []
        # The arrival deque has a maximum length, the route list does not, so
        # keep the routes of the arrivals that the deque still holds.
        routes = routes[len(routes) - len(arrivals) :] if routes else []
        accounts.append(
            {
                "client_id": account.client_id,
                "admitted": counters.admitted,
                "rejected": counters.rejected,
                "routes": dict(counters.routes),
                "rejected_routes": dict(counters.rejected_routes),
                "arrivals": arrivals,
                "arrival_routes": routes,
                "rejected_times": rejected_times,
            }
        )
    return {"cpu_seconds": time.process_time(), "accounts": accounts}


def _order_json(order: Order) -> dict[str, Any]:
    return {
        "id": order.id,
        "status": order.status,
        "country": order.shop.country.code,
        "items": [
            {
                "id": item.id,
                "status": item.status,
                "fulfilled_by_jumia": item.fulfilled_by_jumia,
                "packed": item.is_packed,
                "provider": item.provider.id if item.provider is not None else None,
                "offered": [provider.id for provider in item.offered_providers],
            }
            for item in order.items
        ],
    }


def _orders(sandbox: Sandbox) -> dict[str, Any]:
    return {
        "accounts": [
            {
                "client_id": account.client_id,
                "orders": [_order_json(order) for order in account.orders],
            }
            for account in sandbox.state.accounts
        ]
    }


def _reply(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, separators=(",", ":")) + "\n")
    sys.stdout.flush()


async def _serve(config: SandboxConfig) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    async with run_sandbox(config) as sandbox:
        _install_route_logging(sandbox, config.arrival_log_size)
        _reply(
            {
                "url": sandbox.url,
                "credentials": [list(pair) for pair in sandbox.credentials],
            }
        )
        while True:
            line = await reader.readline()
            command = line.decode().strip()
            if command in ("", "stop"):
                return
            if command == "counters":
                _reply(_counters(sandbox))
            elif command == "orders":
                _reply(_orders(sandbox))
            else:
                _reply({"error": f"unknown command {command!r}"})


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(
            "usage: python -m benchmarks._sandbox_server '<SandboxConfig fields "
            "as a JSON object>'",
            file=sys.stderr,
        )
        return 2
    config = SandboxConfig(**json.loads(argv[0]))
    asyncio.run(_serve(config))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
