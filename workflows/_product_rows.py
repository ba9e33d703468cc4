"""Reading product spreadsheets (CSV or JSON) into rows for the workflows.

Every input row is kept, with its position in the file, so that a report
can account for each one, including rows that could not be read.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import attrs

__all__ = [
    "InputRow",
    "RowError",
    "cell",
    "column_of",
    "earlier_rows",
    "optional_date",
    "optional_int",
    "optional_number",
    "read_rows",
]

# How much of a header row without seller_sku the error message quotes.
_HEADER_NAMES_QUOTED = 8
_HEADER_NAME_LENGTH_QUOTED = 40


class RowError(ValueError):
    """A cell that cannot be read; the message names the column and the fix."""


@attrs.frozen
class InputRow:
    """One row of the input file, as text cells keyed by column name."""

    number: int
    cells: Mapping[str, str]

    @property
    def seller_sku(self) -> str:
        """The row's seller SKU, or a placeholder naming the row."""
        return self.cells.get("seller_sku", "").strip() or f"(row {self.number})"


def read_rows(path: Path) -> list[InputRow]:
    """Read a CSV file with a header row, or a JSON list of objects.

    Column names are lowercased and stripped. A CSV header must name a
    `seller_sku` column. Raises ValueError naming the file, and for a CSV
    the line, when the file cannot be read.
    """
    if not path.is_file():
        raise ValueError(f"input file {path} does not exist; pass a CSV or JSON file")
    try:
        if path.suffix.lower() == ".json":
            return list(_json_rows(path))
        return list(_csv_rows(path))
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{path} is not UTF-8 text ({error}); save it as UTF-8"
        ) from error
    except OSError as error:
        raise ValueError(
            f"input file {path} cannot be read: {error.strerror or error}"
        ) from error


def _normalize(record: Mapping[Any, Any]) -> dict[str, str]:
    cells: dict[str, str] = {}
    for key, value in record.items():
        if key is None:
            continue
        name = str(key).strip().lower()
        if value is None:
            text = ""
        elif isinstance(value, list | dict):
            text = json.dumps(value)
        else:
            text = str(value)
        cells[name] = text.strip()
    return cells


def _csv_rows(path: Path) -> Iterator[InputRow]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        # Counted here because csv.reader.line_num can lag by one line when
        # the reader raises.
        lines_read = 0

        def counted_lines() -> Iterator[str]:
            nonlocal lines_read
            for line in handle:
                lines_read += 1
                yield line

        reader = csv.DictReader(counted_lines())
        try:
            if reader.fieldnames is None:
                raise ValueError(
                    f"{path} is empty; it needs a header row and data rows"
                )
            _check_header(path, reader.fieldnames)
            # The header is line 1, so the first data row is line 2.
            for number, record in enumerate(reader, start=2):
                yield InputRow(number=number, cells=_normalize(record))
        except csv.Error as error:
            raise ValueError(
                f"{path}, line {lines_read}: {error}; a cell may be longer "
                f"than {csv.field_size_limit()} characters or miss its closing "
                "quote"
            ) from error


def _check_header(path: Path, fieldnames: Sequence[str]) -> None:
    names = [name.strip() for name in fieldnames]
    if "seller_sku" in (name.lower() for name in names):
        return
    quoted = ", ".join(
        repr(name[:_HEADER_NAME_LENGTH_QUOTED]) for name in names[:_HEADER_NAMES_QUOTED]
    )
    raise ValueError(
        f"{path}: the header row (line 1) has no 'seller_sku' column; it reads "
        f"{quoted}. Make the first line name the columns, for example "
        "seller_sku,stock"
    )


def _json_rows(path: Path) -> Iterator[InputRow]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise ValueError(f"{path} must contain a JSON list of objects, one per product")
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            yield InputRow(number=number, cells={"_invalid": repr(record)[:80]})
            continue
        yield InputRow(number=number, cells=_normalize(record))


def cell(row: InputRow, column: str, *, required: bool = True) -> str:
    """Return a cell's text; raise RowError when a required one is blank."""
    value = row.cells.get(column, "")
    if required and not value:
        raise RowError(f"column {column!r} is missing or blank; fill it in")
    return value


def optional_number(row: InputRow, column: str) -> float | None:
    """Read a decimal number, or None when the cell is blank."""
    text = row.cells.get(column, "")
    if not text:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise RowError(
            f"column {column!r} is {text!r}, not a number; use e.g. 1500.50"
        ) from None


def optional_int(row: InputRow, column: str) -> int | None:
    """Read a whole number, or None when the cell is blank."""
    number = optional_number(row, column)
    if number is None:
        return None
    if number != int(number):
        raise RowError(f"column {column!r} is {number}, not a whole number")
    return int(number)


def optional_date(row: InputRow, column: str) -> date | datetime | None:
    """Read `YYYY-MM-DD` or `YYYY-MM-DD HH:MM` (UTC), or None when blank."""
    text = row.cells.get(column, "")
    if not text:
        return None
    try:
        if len(text) <= 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowError(
            f"column {column!r} is {text!r}; use YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def earlier_rows(rows: Sequence[InputRow]) -> dict[int, int]:
    """Map each row that repeats an earlier row's seller SKU to that row's number.

    Keys and values are row numbers. Rows with a blank seller SKU are left
    out. SKUs are compared exactly, as the feeds compare them.
    """
    first_row: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for row in rows:
        sku = row.cells.get("seller_sku", "").strip()
        if not sku:
            continue
        if sku in first_row:
            repeats[row.number] = first_row[sku]
        else:
            first_row[sku] = row.number
    return repeats


# Fields named by validation issues, and the input column to edit for each.
_FIELD_COLUMNS = {
    "price.sale_price.start_at": "sale_start",
    "price.sale_price.end_at": "sale_end",
    "price.sale_price.value": "sale_price",
    "price.sale_price": "sale_price",
    "price.value": "price",
    "price.currency": "currency",
    "category_code": "category",
    "brand_code": "brand",
}


def column_of(field: str) -> str:
    """Return the input column behind a validation issue's field name."""
    if field in _FIELD_COLUMNS:
        return _FIELD_COLUMNS[field]
    if field.startswith("attributes[") and field.endswith("]"):
        return f"attr:{field[len('attributes[') : -1]}"
    return field
