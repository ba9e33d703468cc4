"""Shops under a Mastershop."""

from __future__ import annotations

import attrs

__all__ = ["BusinessClient", "Shop"]


@attrs.frozen(kw_only=True)
class BusinessClient:
    """A per-country storefront of a shop, coded `jumia-<cc>`."""

    code: str
    country_code: str | None = None
    status: str | None = None


@attrs.frozen(kw_only=True)
class Shop:
    """A shop; one Mastershop token covers every shop under it."""

    id: str
    name: str | None = None
    email: str | None = None
    business_clients: list[BusinessClient] = attrs.field(factory=list)
