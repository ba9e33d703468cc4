"""Shops: `/shops` and `/shops-of-master-shop`."""

from __future__ import annotations

import builtins
from typing import Any

from .._converter import structure
from .._models.shops import Shop
from ._base import Resource

__all__ = ["ShopsResource"]


def _shop_list(payload: Any) -> Any:
    """Accept a bare array or `{"shops": [...]}`; both forms are seen."""
    if isinstance(payload, dict) and "shops" in payload:
        return payload["shops"]
    return [] if payload is None else payload


class ShopsResource(Resource):
    """Read the shops the token covers."""

    async def list(self) -> builtins.list[Shop]:
        """Return the shops of the token (`GET /shops`)."""
        return await self._read("/shops")

    async def list_of_master_shop(self) -> builtins.list[Shop]:
        """Return every shop under the Mastershop, across countries."""
        return await self._read("/shops-of-master-shop")

    async def _read(self, path: str) -> builtins.list[Shop]:
        payload = await self._transport.request("GET", path)
        return structure(
            _shop_list(payload), builtins.list[Shop], method="GET", path=path
        )
