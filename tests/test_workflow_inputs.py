"""Reading the workflows' input files, and the commands' handling of bad input."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workflows._product_rows import read_rows

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "workflows" / "examples"


def run_command(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUMIA_")}
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_oversized_cell_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    cell = "x" * (csv.field_size_limit() + 1)
    path.write_text(f"seller_sku,stock\nSKU-1,5\nSKU-2,{cell}\nSKU-3,1\n")

    with pytest.raises(ValueError, match=r"huge\.csv") as raised:
        read_rows(path)

    message = str(raised.value)
    assert "line 3" in message
    assert "longer than" in message


def test_header_without_seller_sku_rejected(tmp_path: Path) -> None:
    path = tmp_path / "no_header.csv"
    path.write_text("SKU-1,5\nSKU-2,6\n")

    with pytest.raises(ValueError, match="no 'seller_sku' column") as raised:
        read_rows(path)

    assert "no_header.csv" in str(raised.value)
    assert "SKU-1" in str(raised.value)


def test_header_names_normalized(tmp_path: Path) -> None:
    path = tmp_path / "spaced.csv"
    path.write_text(" Seller_SKU ,Stock\nSKU-1,5\n")

    rows = read_rows(path)

    assert [row.cells for row in rows] == [{"seller_sku": "SKU-1", "stock": "5"}]
    assert rows[0].number == 2


def test_non_utf8_file_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("seller_sku,name\nSKU-1,caf\u00e9\n".encode("latin-1"))

    with pytest.raises(ValueError, match=r"latin1\.csv is not UTF-8"):
        read_rows(path)


@pytest.mark.parametrize(
    "module", ["workflows.sync_stock_price", "workflows.create_products"]
)
def test_command_exits_2_on_unreadable_csv(tmp_path: Path, module: str) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(f"seller_sku,stock\nSKU-1,{'x' * 200_000}\n")

    completed = run_command(module, str(path), "--no-progress")

    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "line 2" in completed.stderr
    assert completed.stdout == ""


def test_help_explains_sku_in_several_shops() -> None:
    completed = run_command("workflows.sync_stock_price", "--help")

    assert completed.returncode == 0
    assert "several shops" in completed.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["workflows.sync_stock_price", str(EXAMPLES / "stock_prices.csv")],
        ["workflows.fulfil_orders", "--sandbox-orders", "4", "--output", "{tmp}"],
        [
            "workflows.create_products",
            str(EXAMPLES / "products.csv"),
            "--qc-wait",
            "0",
        ],
    ],
    ids=["sync_stock_price", "fulfil_orders", "create_products"],
)
def test_closed_output_pipe_no_traceback(tmp_path: Path, command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUMIA_")}
    arguments = [part.replace("{tmp}", str(tmp_path)) for part in command]
    process = subprocess.Popen(
        [sys.executable, "-m", *arguments, "--no-progress"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # With the reading end closed, the command's first write to standard
    # output fails with EPIPE, as when `head` has exited.
    assert process.stdout is not None
    process.stdout.close()
    _, stderr = process.communicate(timeout=180)

    assert process.returncode == 1
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
