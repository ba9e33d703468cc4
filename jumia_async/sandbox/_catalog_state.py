"""Product-side state of one Mastershop, and the queue of its timed events."""

from __future__ import annotations

import heapq
import itertools
import logging
import random
from collections.abc import Callable, Iterable

from ._config import SandboxConfig
from ._consignment_book import ConsignmentBook
from ._feed_model import Feed
from ._model import Shop
from ._products import ProductStore
from ._reference import ReferenceCatalog, new_uuid

logger = logging.getLogger(__name__)

# An action runs with the time it was due, which may be earlier than now.
Action = Callable[[float], None]


class Scheduler:
    """Actions due at given sandbox-clock times, run in time order on demand.

    Nothing runs in the background: `run_due` runs whatever is due, so
    feeds and quality control move exactly as far as the clock has.
    """

    def __init__(self) -> None:
        self._queue: list[tuple[float, int, Action]] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._queue)

    def at(self, due: float, action: Action) -> None:
        heapq.heappush(self._queue, (due, next(self._order), action))

    def run_due(self, now: float) -> int:
        """Run every action due by `now`, including ones that actions add.

        An action that raises is logged and dropped, so the request that
        settles the clock and the actions after it still run.
        """
        count = 0
        while self._queue and self._queue[0][0] <= now:
            due, _, action = heapq.heappop(self._queue)
            try:
                action(due)
            except Exception:
                logger.exception("scheduled action %r due at %s failed", action, due)
            count += 1
        return count


class IdSource:
    """Ids, Jumia SKUs and purchase order numbers, drawn in a repeatable order."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._skus = itertools.count(1)
        self._purchase_orders = itertools.count(1)

    def uuid(self) -> str:
        return new_uuid(self._rng)

    def jumia_sku(self, brand_name: str, country_code: str) -> str:
        """Return a new SKU in the style of Jumia's, such as AN0000001NAFAMGH."""
        prefix = (brand_name[:2] or "SB").upper()
        return f"{prefix}{next(self._skus):07d}NAFAM{country_code}"

    def purchase_order_number(self, country_code: str) -> str:
        return f"PO-{country_code}-{next(self._purchase_orders):08d}"


class CatalogState:
    """Products, feeds and consignments of one Mastershop.

    `reference` is the shared catalog of brands, categories and attribute
    sets. Feeds, quality control and consignment receipts move
    forward through `scheduler`, which every product-side request and test
    hook runs up to the current time.
    """

    def __init__(
        self,
        config: SandboxConfig,
        reference: ReferenceCatalog,
        shops: Iterable[Shop],
        index: int,
    ) -> None:
        self.config = config
        self.index = index
        self.reference = reference
        self.shops = {shop.id: shop for shop in shops}
        self.ids = IdSource(
            random.Random(f"jumia-sandbox-products:{config.seed}:{index}")
        )
        self.products = ProductStore()
        self.feeds: dict[str, Feed] = {}
        self.consignments = ConsignmentBook()
        self.scheduler = Scheduler()

    def settle(self, now: float) -> None:
        """Apply every feed, quality-control and consignment event due by `now`."""
        self.scheduler.run_due(now)
