"""Helpers shared by the resource modules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from .._converter import structure
from .._errors import BatchWriteError, JumiaError, PaginationError
from .._models.common import CursorPage
from .._transport import Transport

T = TypeVar("T")
R = TypeVar("R")


class Resource:
    """Base of the resource classes, with the transport they send through."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    async def _get(self, path: str, cls: type[T], params: Any = None) -> T:
        payload = await self._transport.request("GET", path, params=params)
        return structure(payload, cls, method="GET", path=path)


async def run_write_batches(
    batches: Sequence[tuple[str, ...]],
    send: Callable[[tuple[str, ...]], Awaitable[R]],
    merge: Callable[[list[R]], R],
    what: str,
) -> R:
    """Send write batches one after another and merge their results.

    Every batch is attempted even when an earlier one fails, so one failure
    never loses the others. A single batch's error propagates as is; with
    several batches, failures raise BatchWriteError carrying the merged
    result of the batches that succeeded.
    """
    results: list[R] = []
    failures: list[tuple[tuple[str, ...], JumiaError]] = []
    for batch in batches:
        try:
            results.append(await send(batch))
        except JumiaError as error:
            if len(batches) == 1:
                raise
            failures.append((batch, error))
    merged = merge(results)
    if failures:
        failed_ids = sum(len(ids) for ids, _ in failures)
        raise BatchWriteError(
            f"{what}: {len(failures)} of {len(batches)} batches failed "
            f"({failed_ids} ids); first error: {failures[0][1]}",
            result=merged,
            failures=failures,
        )
    return merged


async def gather_batches(
    batches: Sequence[T], read: Callable[[T], Awaitable[R]]
) -> list[R]:
    """Run read batches concurrently; the limiter paces them."""
    return list(await asyncio.gather(*(read(batch) for batch in batches)))


P = TypeVar("P", bound=CursorPage)


async def walk_cursor(
    path: str,
    fetch: Callable[[str | None], Awaitable[P]],
    items_of: Callable[[P], Sequence[T]],
) -> AsyncIterator[T]:
    """Yield the items of every cursor page, from the first page on.

    Stops on `isLastPage` or an empty cursor, and raises PaginationError
    when the API returns a cursor it already returned.
    """
    seen: set[str] = set()
    token: str | None = None
    while True:
        page = await fetch(token)
        for item in items_of(page):
            yield item
        if not page.has_next:
            return
        next_token = page.next_token
        assert next_token is not None
        if next_token in seen:
            raise PaginationError(
                f"GET {path} returned the cursor {next_token[:24]!r} twice after "
                f"{len(seen)} pages; stopping to avoid a loop"
            )
        seen.add(next_token)
        token = next_token
