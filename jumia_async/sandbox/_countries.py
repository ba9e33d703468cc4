"""Countries where the sandbox opens shops, with their currencies."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class Country:
    """One Jumia country and the figures the sandbox derives from it.

    `exchange_rate` is in local currency per US dollar. The values are fixed
    sandbox figures of the right order of magnitude, not market rates.
    """

    code: str
    name: str
    currency: str
    exchange_rate: float
    cities: tuple[str, ...]

    @property
    def business_client_code(self) -> str:
        return f"jumia-{self.code.lower()}"

    def to_json(self) -> dict[str, Any]:
        """Return the country object that orders and items carry."""
        return {"code": self.code, "name": self.name, "currencyCode": self.currency}


# Shops are spread over these countries in this order.
COUNTRIES: tuple[Country, ...] = (
    Country("GH", "Ghana", "GHS", 15.0, ("Accra", "Kumasi", "Tema")),
    Country("NG", "Nigeria", "NGN", 1500.0, ("Lagos", "Abuja", "Ibadan")),
    Country("KE", "Kenya", "KES", 130.0, ("Nairobi", "Mombasa", "Kisumu")),
    Country("MA", "Morocco", "MAD", 10.0, ("Casablanca", "Rabat", "Marrakech")),
    Country("EG", "Egypt", "EGP", 48.0, ("Cairo", "Alexandria", "Giza")),
    Country("CI", "Ivory-Coast", "XOF", 600.0, ("Abidjan", "Bouake")),
    Country("SN", "Senegal", "XOF", 600.0, ("Dakar", "Thies")),
    Country("UG", "Uganda", "UGX", 3700.0, ("Kampala", "Entebbe")),
)

# Values that the `country` filter of GET /orders accepts, per the API's
# documentation. DZ, TN and ZA are valid filters but have no sandbox shops.
ORDER_FILTER_COUNTRIES = frozenset(
    {"CI", "DZ", "EG", "GH", "KE", "MA", "NG", "SN", "TN", "UG", "ZA"}
)
