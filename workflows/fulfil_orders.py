"""Fulfil drop-shipping (DS) orders: pack, mark ready to ship, print labels.

The sequence follows Jumia's guide: list orders, read their items, read the
shipment providers, create packages, mark them ready to ship, print labels.
Calls are batched across orders to use as few requests as the API allows,
and run concurrently within the client's rate limiter.

Each order is isolated: a refusal or failure for one order is recorded in
the report and the others go on. The run is resumable because it reads the
state back from the API: packed items are not packed again, items already
ready to ship are not sent again, and a package whose label file is already
in the output folder is not printed again.

Run `python -m workflows.fulfil_orders --help` for the command.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import logging
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import partial
from pathlib import Path

import attrs

from jumia_async import (
    AmbiguousWriteError,
    JumiaClient,
    JumiaError,
    Label,
    Order,
    OrderItem,
    OrderStatus,
    PackageRequest,
    PackResult,
    ReadyToShipResult,
    ShipmentProvider,
    ValidationError,
)
from jumia_async.sandbox import SandboxConfig

from ._common import (
    CREDENTIALS_HELP,
    NoProgress,
    Progress,
    add_credential_arguments,
    open_target,
    print_table,
    run_command,
    terminal_progress,
)

logger = logging.getLogger("workflows.fulfil_orders")

EXIT_HELP = """
exit status:
  0 when every order was fulfilled or skipped, 1 when an order failed, the
  listing stopped early or the merged label PDF could not be written, 2 on
  invalid arguments.
"""

# The API rejects a created-at range longer than 3 calendar months, and the
# shortest 3 calendar months are 89 days (January 31 to April 30).
DAYS_MAX = 89

# Batch sizes the API accepts; requests are split to these. Orders are
# listed 300 a page, the documented maximum, falling back to 100 when an
# account rejects that.
ORDERS_PAGE_SIZE = 300
SAFE_PAGE_SIZE = 100
PROVIDERS_BATCH = 50
PACKAGES_BATCH = 100
ITEM_IDS_BATCH = 200

# Label file names keep these characters and replace any other with "_".
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]")
# Longer order numbers or tracking numbers are cut, to stay well below the
# 255-byte file name limit of common file systems.
NAME_PART_MAX = 100

TrackingCodeFactory = Callable[[Order, ShipmentProvider, int], str | None]


class Outcome(StrEnum):
    """Final state of one order in a run."""

    FULFILLED = "fulfilled"
    SKIPPED = "skipped"
    FAILED = "failed"


@attrs.define
class OrderReport:
    """Outcome of the run for one order."""

    order_id: str
    order_number: str | None
    outcome: Outcome = Outcome.SKIPPED
    stage: str = "items"
    reason: str | None = None
    items_packed: int = 0
    items_ready: int = 0
    items_labelled: int = 0
    label_files: list[Path] = attrs.field(factory=list)

    @property
    def name(self) -> str:
        """The order number when known, else the order id."""
        return self.order_number or self.order_id

    def fail(self, stage: str, reason: str) -> None:
        """Record the first failure; later stages skip a failed order."""
        if self.outcome is not Outcome.FAILED:
            self.outcome = Outcome.FAILED
            self.stage = stage
            self.reason = reason


@attrs.define
class FulfilmentReport:
    """Outcome of a run, per order, with totals."""

    orders: dict[str, OrderReport] = attrs.field(factory=dict)
    listing_error: str | None = None
    merged_pdf: Path | None = None
    merge_error: str | None = None
    # Orders ready to ship whose label files were already in the folder.
    labels_on_disk: int = 0
    requests: int = 0
    elapsed: float = 0.0

    def with_outcome(self, outcome: Outcome) -> list[OrderReport]:
        """Return the orders that ended with `outcome`."""
        return [order for order in self.orders.values() if order.outcome is outcome]

    @property
    def items_packed(self) -> int:
        """Items packed in this run."""
        return sum(order.items_packed for order in self.orders.values())

    @property
    def items_ready(self) -> int:
        """Items marked ready to ship in this run."""
        return sum(order.items_ready for order in self.orders.values())

    @property
    def items_labelled(self) -> int:
        """Items whose label was written in this run."""
        return sum(order.items_labelled for order in self.orders.values())

    def format(self) -> str:
        """Render the report as text for a terminal."""
        lines: list[str] = []
        fulfilled = self.with_outcome(Outcome.FULFILLED)
        skipped = self.with_outcome(Outcome.SKIPPED)
        failed = self.with_outcome(Outcome.FAILED)
        lines.append(
            f"Orders: {len(self.orders)} seen, {len(fulfilled)} fulfilled, "
            f"{len(skipped)} skipped, {len(failed)} failed"
        )
        lines.append(
            f"Items: {self.items_packed} packed, {self.items_ready} ready to ship, "
            f"{self.items_labelled} labelled"
        )
        lines.append(f"Requests: {self.requests} in {self.elapsed:.1f} s")
        if self.merged_pdf is not None:
            lines.append(f"Labels for printing: {self.merged_pdf}")
        if self.merge_error:
            lines.append(f"Merged label PDF not written: {self.merge_error}")
        if self.labels_on_disk:
            lines.append(
                f"Labels already in the output folder for {self.labels_on_disk} "
                "orders; not printed again"
            )
        if self.listing_error:
            lines.append(f"Listing stopped early: {self.listing_error}")
        if skipped:
            lines.append("")
            lines.append("Skipped:")
            rows = [("order", "reason")]
            rows += [(order.name, order.reason or "") for order in skipped]
            print_table(rows, lines.append)
        if failed:
            lines.append("")
            lines.append("Failed:")
            failed_rows = [("order", "stage", "reason")]
            failed_rows += [(o.name, o.stage, o.reason or "") for o in failed]
            print_table(failed_rows, lines.append)
        return "\n".join(lines)


def sandbox_tracking_code(
    order: Order, provider: ShipmentProvider, package: int
) -> str:
    """Make up a tracking code, unique per order and package, for the sandbox.

    Never use this against the real API: the code goes on the label and to
    Jumia, so it must come from the carrier.
    """
    return f"TRK-{order.number or order.id[:8]}-{package}"


def no_tracking_code(order: Order, provider: ShipmentProvider, package: int) -> None:
    """Supply no tracking code, so orders whose provider needs one fail."""
    return None


class TrackingCodeFile:
    """Tracking codes from a CSV file with columns `order_number,tracking_code`.

    An order split into several packages takes its codes in file order, one
    row per package. The order id may stand in for the order number.
    """

    def __init__(self, path: Path) -> None:
        self.codes: dict[str, list[str]] = defaultdict(list)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = {name.strip().lower() for name in reader.fieldnames or ()}
            if not {"order_number", "tracking_code"} <= columns:
                raise ValueError(
                    f"{path} needs the columns order_number and tracking_code; "
                    f"found {sorted(columns)}"
                )
            for record in reader:
                cells = {
                    k.strip().lower(): (v or "").strip() for k, v in record.items() if k
                }
                if cells["order_number"] and cells["tracking_code"]:
                    self.codes[cells["order_number"]].append(cells["tracking_code"])

    def __call__(
        self, order: Order, provider: ShipmentProvider, package: int
    ) -> str | None:
        """Return the code of package number `package` (from 1), or None."""
        codes = self.codes.get(order.number or "") or self.codes.get(order.id) or []
        return codes[package - 1] if package <= len(codes) else None


@attrs.define
class _Work:
    """Per-order working state during a run."""

    order: Order
    report: OrderReport
    to_pack: list[OrderItem] = attrs.field(factory=list)
    packed: list[str] = attrs.field(factory=list)
    ready: list[str] = attrs.field(factory=list)
    # Provider id per packed item, when this run chose it.
    provider_of: dict[str, str] = attrs.field(factory=dict)
    # Tracking number per packed or ready item, when the API gave one.
    tracking_of: dict[str, str] = attrs.field(factory=dict)
    # Ready items whose package has no label file in the output folder.
    unlabelled: list[str] = attrs.field(factory=list)

    def note_tracking(self, item_id: str, tracking: str | None) -> None:
        if tracking:
            self.tracking_of[item_id] = tracking


class _Run:
    def __init__(
        self,
        client: JumiaClient,
        output_dir: Path,
        tracking_code: TrackingCodeFactory,
        progress: Progress,
    ) -> None:
        self.client = client
        self.output_dir = output_dir
        self.tracking_code = tracking_code
        self.progress = progress
        self.work: dict[str, _Work] = {}
        self.report = FulfilmentReport()
        self.labels: list[bytes] = []
        # Tracking numbers whose label file this run wrote, and the items
        # counted as labelled, so a package split over two print-labels
        # batches is written and counted once.
        self.written_tracking: set[str] = set()
        self.labelled_items: set[str] = set()

    def finish(self, work: _Work, outcome: Outcome | None = None) -> None:
        if outcome is not None and work.report.outcome is not Outcome.FAILED:
            work.report.outcome = outcome
        self.progress.advance(stage=work.report.stage)

    def active(self) -> list[_Work]:
        return [w for w in self.work.values() if w.report.outcome is not Outcome.FAILED]

    def label_path(self, work: _Work, package: str) -> Path:
        """Return `<order>-<package>.pdf` in the output folder.

        Both parts come from the API, so they are reduced to safe
        characters. Raises ValueError if the path would leave the folder.
        """
        name = f"{_name_part(work.report.name)}-{_name_part(package)}.pdf"
        path = self.output_dir / name
        if path.resolve().parent != self.output_dir.resolve():
            raise ValueError(
                f"label file {name!r} is outside the output folder {self.output_dir}"
            )
        return path


def _name_part(text: str) -> str:
    safe = _UNSAFE_NAME_CHARACTERS.sub("_", text)[:NAME_PART_MAX]
    # A leading dot would hide the file.
    if safe.startswith("."):
        safe = "_" + safe[1:]
    return safe or "_"


async def fulfil_orders(
    client: JumiaClient,
    *,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
    shop_id: str | None = None,
    country: str | Sequence[str] | None = None,
    output_dir: Path = Path("labels"),
    tracking_code: TrackingCodeFactory = no_tracking_code,
    progress: Progress | None = None,
    page_size: int = ORDERS_PAGE_SIZE,
) -> FulfilmentReport:
    """Pack, ship and label the pending orders of a time window.

    Orders are those created between `created_after` and `created_before`
    (the API's default without them is today only) that are PENDING or
    READY_TO_SHIP, optionally of one shop or country. Labels are written to
    `output_dir`, one PDF per package, plus one merged PDF of this run's
    labels for printing. `tracking_code` supplies the carrier's tracking
    code for packages whose provider requires one; an order that needs a
    code and gets None fails with that reason. Returns the report; a
    failure of one order never stops the others.
    """
    started = time.perf_counter()
    requests_before = client.limiter.stats().acquired
    run = _Run(client, output_dir, tracking_code, progress or NoProgress())
    output_dir.mkdir(parents=True, exist_ok=True)

    await _list_orders(run, created_after, created_before, shop_id, country, page_size)
    if run.work:
        await _read_items(run)
        await _pack(run)
        await _ready_to_ship(run)
        await _print_labels(run)
        _close_orders(run)
        _merge_labels(run)

    run.report.requests = client.limiter.stats().acquired - requests_before
    run.report.elapsed = time.perf_counter() - started
    run.progress.close()
    return run.report


async def _list_orders(
    run: _Run,
    created_after: datetime | None,
    created_before: datetime | None,
    shop_id: str | None,
    country: str | Sequence[str] | None,
    page_size: int,
) -> None:
    try:
        await _collect_orders(
            run, created_after, created_before, shop_id, country, page_size
        )
    except ValueError as error:
        # The client checks the filters before sending, for example that the
        # window spans at most 3 calendar months.
        run.report.listing_error = str(error)
    except ValidationError as error:
        if page_size <= SAFE_PAGE_SIZE or "size" not in error.message.lower():
            run.report.listing_error = str(error)
            return
        # Some accounts reject pages above 100 orders; fall back once.
        logger.warning(
            "Page size %d rejected (%s); using %d", page_size, error, SAFE_PAGE_SIZE
        )
        try:
            await _collect_orders(
                run, created_after, created_before, shop_id, country, SAFE_PAGE_SIZE
            )
        except ValidationError as again:
            run.report.listing_error = str(again)


async def _collect_orders(
    run: _Run,
    created_after: datetime | None,
    created_before: datetime | None,
    shop_id: str | None,
    country: str | Sequence[str] | None,
    page_size: int,
) -> None:
    orders = run.client.orders.iter(
        status=[OrderStatus.PENDING, OrderStatus.READY_TO_SHIP],
        created_after=created_after,
        created_before=created_before,
        shop_id=shop_id,
        country=country,
        size=page_size,
    )
    try:
        async for order in orders:
            if order.id in run.work:
                continue
            report = OrderReport(order_id=order.id, order_number=order.number)
            run.report.orders[order.id] = report
            run.work[order.id] = _Work(order=order, report=report)
            run.progress.add_total(1)
    except ValidationError as error:
        if not run.work:
            raise
        run.report.listing_error = str(error)
    except JumiaError as error:
        # Orders already listed still go through the sequence.
        run.report.listing_error = str(error)
        logger.error("Listing orders failed after %d orders: %s", len(run.work), error)


async def _read_items(run: _Run) -> None:
    result = await run.client.orders.items(list(run.work))
    for order_id, error in result.failed.items():
        run.work[order_id].report.fail("items", f"could not read items: {error}")
    for order_id in result.missing:
        run.work[order_id].report.fail("items", "GET /orders/items returned no entry")
    for entry in result.orders:
        work = run.work.get(entry.order_id)
        if work is None:
            continue
        if entry.order_number and not work.report.order_number:
            work.report.order_number = entry.order_number
        _classify(work, entry.items)


def _classify(work: _Work, items: Iterable[OrderItem]) -> None:
    for item in items:
        if item.is_fulfilled_by_jumia:
            continue
        if item.status == OrderStatus.PENDING:
            if item.is_packed:
                work.packed.append(item.id)
                work.note_tracking(item.id, item.tracking_number)
            else:
                work.to_pack.append(item)
        elif item.status == OrderStatus.READY_TO_SHIP:
            work.ready.append(item.id)
            work.note_tracking(item.id, item.tracking_number)


async def _pack(run: _Run) -> None:
    pending = [work for work in run.active() if work.to_pack]
    # Items packed before this run are looked up too, in the same calls, so
    # that ready-to-ship can group them by provider as the API requires.
    prepacked = [work for work in run.active() if work.packed]
    item_ids = [item.id for work in pending for item in work.to_pack]
    known_ids = [item_id for work in prepacked for item_id in work.packed]
    if not item_ids and not known_ids:
        return
    offered = await _read_providers(run, pending, item_ids + known_ids)
    for work in prepacked:
        for item_id in work.packed:
            choices = offered.get(item_id, [])
            if len(choices) == 1:
                work.provider_of[item_id] = choices[0].id

    packages: list[tuple[_Work, PackageRequest]] = []
    for work in pending:
        if work.report.outcome is Outcome.FAILED:
            continue
        planned = _plan_packages(run, work, offered)
        packages.extend((work, package) for package in planned)

    batches = [
        packages[i : i + PACKAGES_BATCH]
        for i in range(0, len(packages), PACKAGES_BATCH)
    ]
    await asyncio.gather(*(_send_packages(run, batch) for batch in batches))


async def _read_providers(
    run: _Run, pending: list[_Work], item_ids: list[str]
) -> dict[str, list[ShipmentProvider]]:
    """Read the providers of `item_ids`; a failure fails only orders to pack."""
    owner = {item.id: work for work in pending for item in work.to_pack}
    offered: dict[str, list[ShipmentProvider]] = {}

    async def read(batch: list[str]) -> None:
        try:
            offered.update(await run.client.orders.shipment_providers(batch))
        except JumiaError as error:
            for item_id in batch:
                work = owner.get(item_id)
                if work is not None:
                    work.report.fail("providers", f"could not read providers: {error}")

    batches = [
        item_ids[i : i + PROVIDERS_BATCH]
        for i in range(0, len(item_ids), PROVIDERS_BATCH)
    ]
    await asyncio.gather(*(read(batch) for batch in batches))
    return offered


def _plan_packages(
    run: _Run, work: _Work, offered: dict[str, list[ShipmentProvider]]
) -> list[PackageRequest]:
    """Group an order's items into packages, one provider per package.

    Items that share a provider go into one package; the provider offered
    for the most items is taken first.
    """
    remaining = [item.id for item in work.to_pack]
    providers: dict[str, ShipmentProvider] = {}
    offers: dict[str, set[str]] = {}
    for item_id in remaining:
        choices = offered.get(item_id, [])
        if not choices:
            work.report.fail(
                "providers", f"no shipment provider is offered for item {item_id}"
            )
            return []
        offers[item_id] = {provider.id for provider in choices}
        for provider in choices:
            providers.setdefault(provider.id, provider)

    packages: list[PackageRequest] = []
    while remaining:
        counts: dict[str, int] = defaultdict(int)
        for item_id in remaining:
            for provider_id in offers[item_id]:
                counts[provider_id] += 1
        best = max(sorted(counts), key=lambda provider_id: counts[provider_id])
        chosen = [item_id for item_id in remaining if best in offers[item_id]]
        remaining = [item_id for item_id in remaining if best not in offers[item_id]]
        provider = providers[best]
        code = None
        if provider.tracking_code_required:
            code = run.tracking_code(work.order, provider, len(packages) + 1)
            if not code:
                work.report.fail(
                    "pack",
                    f"provider {provider.name or best} requires a tracking code "
                    f"for package {len(packages) + 1}; supply the carrier's code "
                    "(the command's --tracking-codes file)",
                )
                return []
        packages.append(
            PackageRequest(
                order_item_ids=chosen, shipment_provider_id=best, tracking_code=code
            )
        )
        for item_id in chosen:
            work.provider_of[item_id] = best
    return packages


async def _send_packages(run: _Run, batch: list[tuple[_Work, PackageRequest]]) -> None:
    owner = {
        item_id: work for work, package in batch for item_id in package.order_item_ids
    }
    try:
        result = await run.client.orders.pack([package for _, package in batch])
    except ValidationError as error:
        if len(batch) > 1:
            # Nothing was applied; send each package alone to find the bad one.
            await asyncio.gather(*(_send_packages(run, [entry]) for entry in batch))
        else:
            batch[0][0].report.fail("pack", f"pack rejected: {error.message}")
        return
    except AmbiguousWriteError as error:
        await _recover_pack(run, batch, error)
        return
    except JumiaError as error:
        for work in {id(w): w for w, _ in batch}.values():
            work.report.fail("pack", f"pack failed: {error}")
        return

    _apply_pack(result, owner)


def _apply_pack(result: PackResult, owner: dict[str, _Work]) -> None:
    """Record created and refused packages on the orders they belong to."""
    for package in result.packages:
        for item_id in package.order_item_ids:
            packer = owner.get(item_id)
            if packer is not None:
                packer.packed.append(item_id)
                packer.report.items_packed += 1
                packer.note_tracking(item_id, package.tracking_code)
    for refused in result.errors:
        for item_id in refused.order_item_ids:
            refused_work = owner.get(item_id)
            if refused_work is not None:
                refused_work.report.fail(
                    "pack", f"pack refused for item {item_id}: {refused.message}"
                )


async def _recover_pack(
    run: _Run, batch: list[tuple[_Work, PackageRequest]], error: AmbiguousWriteError
) -> None:
    """Read the items back after an ambiguous pack, then resend what is unpacked."""
    logger.warning("Pack outcome unknown (%s); reading the items back", error.cause)
    works = list({id(w): w for w, _ in batch}.values())
    try:
        state = await run.client.orders.items([w.order.id for w in works])
    except JumiaError as read_error:
        for work in works:
            work.report.fail(
                "pack", f"pack outcome unknown and read-back failed: {read_error}"
            )
        return
    items = {item.id: item for entry in state.orders for item in entry.items}
    resend: list[tuple[_Work, PackageRequest]] = []
    for work, package in batch:
        packed = [
            i for i in package.order_item_ids if items.get(i) and items[i].is_packed
        ]
        if len(packed) == len(package.order_item_ids):
            work.packed.extend(packed)
            work.report.items_packed += len(packed)
            for item_id in packed:
                work.note_tracking(item_id, items[item_id].tracking_number)
        elif not packed:
            resend.append((work, package))
        else:
            work.report.fail(
                "pack", "package was partly applied; check it in Vendor Center"
            )
    if resend:
        try:
            result = await run.client.orders.pack([package for _, package in resend])
        except JumiaError as resend_error:
            for work, _ in resend:
                work.report.fail("pack", f"pack failed twice: {resend_error}")
            return
        _apply_pack(result, {i: w for w, p in resend for i in p.order_item_ids})


async def _ready_to_ship(run: _Run) -> None:
    groups: dict[tuple[str, str], list[tuple[_Work, str]]] = defaultdict(list)
    for work in run.active():
        country = work.order.country.code if work.order.country else ""
        for item_id in work.packed:
            groups[(country, work.provider_of.get(item_id, ""))].append((work, item_id))
    batches = [
        entries[i : i + ITEM_IDS_BATCH]
        for entries in groups.values()
        for i in range(0, len(entries), ITEM_IDS_BATCH)
    ]
    await asyncio.gather(*(_send_ready(run, batch) for batch in batches))


async def _send_ready(run: _Run, batch: list[tuple[_Work, str]]) -> None:
    owner = {item_id: work for work, item_id in batch}
    try:
        result = await run.client.orders.ready_to_ship(list(owner))
    except AmbiguousWriteError as error:
        logger.warning(
            "Ready-to-ship outcome unknown (%s); reading the items back", error.cause
        )
        await _recover_ready(run, owner)
        return
    except JumiaError as error:
        for work in {id(w): w for w in owner.values()}.values():
            work.report.fail("ready_to_ship", f"ready-to-ship failed: {error}")
        return
    _apply_ready(result, owner)


def _apply_ready(result: ReadyToShipResult, owner: dict[str, _Work]) -> None:
    """Record shipped packages and refused items on their orders."""
    for package in result.packages:
        for item_id in package.order_item_ids:
            shipper = owner.get(item_id)
            if shipper is not None:
                shipper.ready.append(item_id)
                shipper.report.items_ready += 1
                shipper.note_tracking(item_id, package.tracking_number)
    for refused in result.errors:
        refused_work = owner.get(refused.id)
        if refused_work is not None:
            refused_work.report.fail(
                "ready_to_ship",
                f"ready-to-ship refused for item {refused.id}: {refused.message}",
            )


async def _recover_ready(run: _Run, owner: dict[str, _Work]) -> None:
    works = list({id(w): w for w in owner.values()}.values())
    try:
        state = await run.client.orders.items([w.order.id for w in works])
    except JumiaError as read_error:
        for work in works:
            work.report.fail(
                "ready_to_ship", f"outcome unknown and read-back failed: {read_error}"
            )
        return
    items = {item.id: item for entry in state.orders for item in entry.items}
    retry: dict[str, _Work] = {}
    for item_id, work in owner.items():
        item = items.get(item_id)
        if item is not None and item.status == OrderStatus.READY_TO_SHIP:
            work.ready.append(item_id)
            work.report.items_ready += 1
            work.note_tracking(item_id, item.tracking_number)
        else:
            retry[item_id] = work
    if retry:
        try:
            result = await run.client.orders.ready_to_ship(list(retry))
        except JumiaError as error:
            for work in retry.values():
                work.report.fail(
                    "ready_to_ship", f"ready-to-ship failed twice: {error}"
                )
            return
        _apply_ready(result, retry)


async def _print_labels(run: _Run) -> None:
    owner: dict[str, _Work] = {}
    groups: list[list[str]] = []
    for work in run.active():
        if not work.ready:
            continue
        try:
            work.unlabelled = _unlabelled(run, work)
        except ValueError as error:
            work.report.fail("labels", str(error))
            continue
        if not work.unlabelled:
            run.report.labels_on_disk += 1
            continue
        for item_id in work.unlabelled:
            owner[item_id] = work
        groups.extend(_label_groups(work))
    batches = _fill_batches(groups)
    results = await asyncio.gather(
        *(_labels_batch(run, batch, owner) for batch in batches)
    )
    for labels in results:
        for label in labels:
            _write_label(run, label, owner)


def _unlabelled(run: _Run, work: _Work) -> list[str]:
    """Return the ready items whose package has no label file yet.

    An item whose tracking number is unknown counts as unlabelled.
    """
    on_disk: dict[str, bool] = {}
    missing: list[str] = []
    for item_id in work.ready:
        tracking = work.tracking_of.get(item_id)
        if tracking is None:
            missing.append(item_id)
            continue
        if tracking not in on_disk:
            on_disk[tracking] = run.label_path(work, tracking).is_file()
        if not on_disk[tracking]:
            missing.append(item_id)
    return missing


def _label_groups(work: _Work) -> list[list[str]]:
    """Split an order's unlabelled items into groups for print-labels batches.

    The order is one group when it fits in a batch. A larger order gives one
    group per package, and a package over the batch size is cut, so its
    label comes back once per part.
    """
    if len(work.unlabelled) <= ITEM_IDS_BATCH:
        return [work.unlabelled]
    packages: dict[str, list[str]] = defaultdict(list)
    for item_id in work.unlabelled:
        packages[work.tracking_of.get(item_id, "")].append(item_id)
    return [
        item_ids[i : i + ITEM_IDS_BATCH]
        for item_ids in packages.values()
        for i in range(0, len(item_ids), ITEM_IDS_BATCH)
    ]


def _fill_batches(groups: list[list[str]]) -> list[list[str]]:
    """Put whole groups of at most ITEM_IDS_BATCH ids into batches of that size."""
    batches: list[list[str]] = []
    current: list[str] = []
    for group in groups:
        if current and len(current) + len(group) > ITEM_IDS_BATCH:
            batches.append(current)
            current = []
        current.extend(group)
    if current:
        batches.append(current)
    return batches


async def _labels_batch(
    run: _Run, batch: list[str], owner: dict[str, _Work]
) -> list[Label]:
    try:
        result = await run.client.orders.print_labels(batch)
    except JumiaError as error:
        for item_id in batch:
            owner[item_id].report.fail("labels", f"print-labels failed: {error}")
        return []
    for refused in result.errors:
        if refused.id in owner:
            owner[refused.id].report.fail(
                "labels", f"label refused for item {refused.id}: {refused.message}"
            )
    return result.labels


def _write_label(run: _Run, label: Label, owner: dict[str, _Work]) -> None:
    works = {id(owner[i]): owner[i] for i in label.order_item_ids if i in owner}
    if not works:
        return
    work = next(iter(works.values()))
    if label.pdf is None:
        work.report.fail(
            "labels", f"label for {label.tracking_number} is a link: {label.url}"
        )
        return
    tracking = label.tracking_number
    if tracking is None or tracking not in run.written_tracking:
        # NOTE: a label without a tracking number is named by its position in
        # the order, so a later run cannot tell it is on disk and prints it
        # again.
        package = tracking or f"package-{len(work.report.label_files) + 1}"
        try:
            path = run.label_path(work, package)
        except ValueError as error:
            work.report.fail("labels", str(error))
            return
        try:
            _write_file(path, label.pdf)
        except OSError as error:
            work.report.fail(
                "labels",
                f"could not write the label file {path}: {error.strerror or error}",
            )
            return
        if tracking is not None:
            run.written_tracking.add(tracking)
        run.labels.append(label.pdf)
        work.report.label_files.append(path)
    for item_id in label.order_item_ids:
        if item_id in owner and item_id not in run.labelled_items:
            run.labelled_items.add(item_id)
            owner[item_id].report.items_labelled += 1


def _write_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder.

    A failed write, on a full disk for example, leaves no partial file that
    a later run would take for a finished label.
    """
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    except OSError:
        with suppress(OSError):
            partial.unlink(missing_ok=True)
        raise


def _close_orders(run: _Run) -> None:
    for work in run.work.values():
        report = work.report
        if report.outcome is Outcome.FAILED:
            run.finish(work)
            continue
        did_something = (
            report.items_packed or report.items_ready or report.items_labelled
        )
        if did_something:
            report.stage = "labels"
            run.finish(work, Outcome.FULFILLED)
            continue
        report.stage = "done"
        if work.ready and not work.unlabelled:
            report.reason = "already ready to ship and labelled"
        elif work.ready:
            report.reason = (
                f"print-labels returned no label for {len(work.unlabelled)} ready items"
            )
        elif not (work.to_pack or work.packed):
            report.reason = "no items to fulfil by the seller"
        else:
            report.reason = "nothing left to do"
        run.finish(work, Outcome.SKIPPED)


def _merge_labels(run: _Run) -> None:
    if not run.labels:
        return
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    merged = run.output_dir / f"labels-{stamp}.pdf"
    try:
        writer = PdfWriter()
        for pdf in run.labels:
            writer.append(PdfReader(io.BytesIO(pdf)))
        document = io.BytesIO()
        writer.write(document)
        _write_file(merged, document.getvalue())
    except (OSError, PyPdfError) as error:
        # The label files are written; only the copy for printing is missing.
        run.report.merge_error = f"{merged}: {error}"
        logger.error("Writing the merged label PDF %s failed: %s", merged, error)
        return
    run.report.merged_pdf = merged


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m workflows.fulfil_orders",
        description=(
            "Pack, mark ready to ship and print labels for the pending orders "
            "of a time window. Without credentials it runs on the built-in sandbox."
        ),
        epilog=CREDENTIALS_HELP + EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--days",
        type=float,
        default=7.0,
        help=(
            f"fulfil orders created in the last DAYS days (default: 7, at most "
            f"{DAYS_MAX}, because the API accepts at most 3 calendar months)"
        ),
    )
    parser.add_argument("--shop-id", help="only orders of this shop id")
    parser.add_argument(
        "--country", action="append", help="only this country code; repeatable"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("labels"),
        help="folder for the label PDFs (default: ./labels)",
    )
    parser.add_argument(
        "--tracking-codes",
        type=Path,
        help=(
            "CSV with columns order_number,tracking_code: the carrier's codes for "
            "providers that require one (one row per package). Without it such "
            "orders fail, except on the sandbox, where codes are made up"
        ),
    )
    parser.add_argument(
        "--sandbox-orders",
        type=int,
        default=40,
        help="orders to seed when running on the sandbox (default: 40)",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="hide the progress bar"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log each request")
    add_credential_arguments(parser)
    args = parser.parse_args(argv)
    if not 0 < args.days <= DAYS_MAX:
        parser.error(
            f"--days {args.days:g} is out of range; use more than 0 and at most "
            f"{DAYS_MAX}, because the API accepts at most 3 calendar months and "
            f"the shortest 3 months are {DAYS_MAX} days"
        )
    if args.sandbox_orders < 0:
        parser.error(
            f"--sandbox-orders {args.sandbox_orders} is negative; use 0 or more"
        )
    return args


async def _main(args: argparse.Namespace) -> int:
    tracking_code: TrackingCodeFactory = no_tracking_code
    if args.tracking_codes is not None:
        try:
            tracking_code = TrackingCodeFile(args.tracking_codes)
        except (OSError, ValueError) as error:
            print(f"error: --tracking-codes: {error}", file=sys.stderr)
            return 2
    try:
        args.output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(
            f"error: --output {args.output} cannot be created: {error}", file=sys.stderr
        )
        return 2
    config = SandboxConfig(orders_per_mastershop=args.sandbox_orders)
    async with open_target(args, config) as target:
        if target.sandbox is not None and args.tracking_codes is None:
            tracking_code = sandbox_tracking_code
        progress = terminal_progress(
            "Fulfilling", enabled=False if args.no_progress else None
        )
        now = datetime.now(UTC)
        report = await fulfil_orders(
            target.client,
            created_after=now - timedelta(days=args.days),
            created_before=now,
            shop_id=args.shop_id,
            country=args.country,
            output_dir=args.output,
            tracking_code=tracking_code,
            progress=progress,
        )
        print(report.format())
        if target.sandbox is not None:
            counters = [account.counters for account in target.sandbox.state.accounts]
            admitted = sum(c.admitted for c in counters)
            rejected = sum(c.rejected for c in counters)
            print(f"Sandbox: {admitted} requests admitted, {rejected} answered 429")
    stopped = report.listing_error or report.merge_error
    return 1 if report.with_outcome(Outcome.FAILED) or stopped else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (1 when any order failed)."""
    return run_command(partial(_run, argv))


def _run(argv: Sequence[str] | None) -> int:
    args = _parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
