"""JSON bodies of shops, orders, items and providers, in the configured forms."""

from __future__ import annotations

import time
from collections.abc import Iterable
from functools import cache
from typing import Any

from ._config import SandboxConfig
from ._countries import Country
from ._model import Order, OrderItem, ShipmentProvider, Shop

_FIRST_NAMES = (
    "Ama",
    "Kwame",
    "Chinedu",
    "Amina",
    "Wanjiru",
    "Otieno",
    "Youssef",
    "Salma",
    "Mariam",
    "Kofi",
    "Aya",
    "Ibrahim",
)
_LAST_NAMES = (
    "Mensah",
    "Okafor",
    "Kamau",
    "Benali",
    "Hassan",
    "Kone",
    "Diallo",
    "Owusu",
    "Adeyemi",
    "Mutua",
)


def rfc3339(seconds: int) -> str:
    """Format Unix seconds as RFC 3339 UTC with a Z, like the API's timestamps."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


@cache
def _country_json(country: Country) -> dict[str, Any]:
    return country.to_json()


def _money(currency: str, value: float) -> dict[str, Any]:
    return {"currency": currency, "value": value}


def _to_usd(local: float, country: Country) -> float:
    return round(local / country.exchange_rate, 2)


def render_shops(shops: Iterable[Shop], config: SandboxConfig) -> Any:
    """Return the body of GET /shops, either a bare array or {"shops": [...]}."""
    body = [render_shop(shop) for shop in shops]
    if config.shops_form == "object":
        return {"shops": body}
    return body


def render_shop(shop: Shop) -> dict[str, Any]:
    country = shop.country
    return {
        "id": shop.id,
        "name": shop.name,
        "email": shop.email,
        "businessClients": [
            {
                "code": country.business_client_code,
                "countryCode": country.code,
                "status": "ACTIVE",
            }
        ],
    }


def order_number(order: Order, config: SandboxConfig) -> str | int:
    if config.order_number_form == "number":
        return order.number
    return str(order.number)


def _delivery_option(order: Order) -> str:
    return "Home Delivery" if order.number % 5 == 0 else "Pickup Station"


def _shipping_address(order: Order) -> dict[str, Any]:
    """Return an address derived from the order number, so it needs no storage."""
    number = order.number
    country = order.shop.country
    city = country.cities[number % len(country.cities)]
    return {
        "firstName": _FIRST_NAMES[number % len(_FIRST_NAMES)],
        "lastName": _LAST_NAMES[number // 7 % len(_LAST_NAMES)],
        "address": f"{number % 97 + 1} Market Road",
        "city": city,
        "postalCode": "",
        "ward": "",
        "region": city,
        "countryName": country.name,
    }


def render_order(order: Order, config: SandboxConfig) -> dict[str, Any]:
    """Return one entry of the `orders` list of GET /orders."""
    country = order.shop.country
    total_local = round(sum(item.product.price_local for item in order.items), 2)
    return {
        "id": order.id,
        "shopIds": [order.shop.id],
        "number": order_number(order, config),
        "status": order.status,
        "totalItems": len(order.items),
        "packedItems": order.packed_items,
        "isPrepayment": order.number % 3 != 0,
        "hasMultipleStatus": order.has_multiple_status,
        "hasItemsFulfilledByJumia": order.has_items_fulfilled_by_jumia,
        "pendingSince": rfc3339(order.created),
        "deliveryOption": _delivery_option(order),
        "totalAmount": _money("USD", _to_usd(total_local, country)),
        "totalAmountLocal": _money(country.currency, total_local),
        "country": _country_json(country),
        "shippingAddress": _shipping_address(order),
        "createdAt": rfc3339(order.created),
        "updatedAt": rfc3339(order.updated),
    }


def render_order_items(
    order: Order, items: Iterable[OrderItem], config: SandboxConfig
) -> dict[str, Any]:
    """Return the entry of GET /orders/items for one order."""
    body: dict[str, Any] = {"orderId": order.id}
    if config.item_order_number:
        body["orderNumber"] = order_number(order, config)
    body["items"] = [render_item(item) for item in items]
    return body


def render_item(item: OrderItem) -> dict[str, Any]:
    order = item.order
    country = order.shop.country
    price_local = item.product.price_local
    price_usd = _to_usd(price_local, country)
    return {
        "id": item.id,
        "shopId": order.shop.id,
        "status": item.status,
        "trackingNumber": item.tracking_number,
        "trackingUrl": "",
        "shipmentType": "Consignment" if item.fulfilled_by_jumia else "Dropshipping",
        "deliveryOption": _delivery_option(order),
        "isFulfilledByJumia": item.fulfilled_by_jumia,
        "itemPrice": price_usd,
        "paidPrice": price_usd,
        "shippingAmount": 0,
        "itemPriceLocal": price_local,
        "paidPriceLocal": price_local,
        "shippingAmountLocal": 0,
        "exchangeRate": country.exchange_rate,
        "taxAmount": 0,
        "voucherAmount": 0,
        "country": _country_json(country),
        "product": {
            "name": item.product.name,
            "sellerSku": item.product.seller_sku,
            "imageUrl": f"https://images.sandbox.invalid/{item.product.seller_sku}.jpg",
        },
        "shippingAddress": _shipping_address(order),
        "createdAt": rfc3339(order.created),
        "updatedAt": rfc3339(order.updated),
    }


def render_provider(
    provider: ShipmentProvider, config: SandboxConfig
) -> dict[str, Any]:
    return {
        "id": provider.id,
        "name": provider.name,
        config.tracking_flag_name: provider.tracking_code_required,
    }
