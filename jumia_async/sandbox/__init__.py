"""A local, stateful emulator of the Jumia Vendor Center API.

Start one in the current event loop::

    async with run_sandbox(SandboxConfig(orders_per_shop=50)) as sandbox:
        ...  # point a client at sandbox.url with sandbox.client_id and
        ...  # sandbox.refresh_token; inspect or steer sandbox.state

or from a shell with ``python -m jumia_async.sandbox --port 8080``. The
sandbox binds 127.0.0.1 only and does not import the client.
"""

from ._app import create_app
from ._catalog_state import CatalogState
from ._clock import Clock, ManualClock, SystemClock
from ._config import SandboxConfig
from ._consignment_book import ConsignmentOrder, ConsignmentStock
from ._faults import Fault, FaultMode
from ._feed_model import Feed, FeedItem
from ._model import Order, OrderItem, Product, ShipmentProvider, Shop
from ._products import Listing, ProductSet, ProductVariation
from ._ratelimit import AccountCounters, max_requests_in_window
from ._reference import ReferenceCatalog
from ._server import Sandbox, run_sandbox
from ._state import Account, Credentials, OrderBook, SandboxState

__all__ = [
    "Account",
    "AccountCounters",
    "CatalogState",
    "Clock",
    "ConsignmentOrder",
    "ConsignmentStock",
    "Credentials",
    "Fault",
    "FaultMode",
    "Feed",
    "FeedItem",
    "Listing",
    "ManualClock",
    "Order",
    "OrderBook",
    "OrderItem",
    "Product",
    "ProductSet",
    "ProductVariation",
    "ReferenceCatalog",
    "Sandbox",
    "SandboxConfig",
    "SandboxState",
    "ShipmentProvider",
    "Shop",
    "SystemClock",
    "create_app",
    "max_requests_in_window",
    "run_sandbox",
]
