"""Smoke tests of the benchmarks: each one runs on a tiny configuration.

These check that every benchmark starts, talks to its sandbox processes and
reports its tables, targets and figures. They assert no timings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.__main__ import BENCHMARKS, Benchmark, main
from benchmarks._figures import matplotlib_available
from benchmarks._harness import Scale, allowed_starts, optimal_makespan
from benchmarks._report import GENERATED_MARKER

# Benchmarks that draw a timeline of request starts.
DRAWING = {"limiter", "workflow"}


@pytest.mark.parametrize("benchmark", BENCHMARKS, ids=lambda b: b.name)
async def test_benchmark_reports_figures(benchmark: Benchmark, tmp_path: Path) -> None:
    result = await benchmark.run(Scale.SMOKE, tmp_path)

    assert result.name == benchmark.name
    assert result.tables
    for table in result.tables:
        assert table.rows, table.title
        for row in table.rows:
            assert len(row) == len(table.header), table.title
    assert result.checks
    if benchmark.name in DRAWING and matplotlib_available():
        assert len(result.figures) == 1
    for figure in result.figures:
        assert figure.parent == tmp_path
        assert figure.read_bytes().startswith(b"\x89PNG")


def test_optimal_schedule_of_the_two_windows() -> None:
    # Four start at once, then four a second; the 201st waits for the minute.
    assert optimal_makespan(4) == 0.0
    assert optimal_makespan(11) == 2.0
    assert optimal_makespan(200) == 49.0
    assert optimal_makespan(201) == 60.0
    assert optimal_makespan(11, margin=0.025) == pytest.approx(2.05)


def test_allowed_starts_in_a_run() -> None:
    assert allowed_starts(1.0) == 4
    assert allowed_starts(8.0) == 32
    assert allowed_starts(60.0) == 200
    assert allowed_starts(61.0) == 204


def test_command_writes_page_and_keeps_intro(tmp_path: Path) -> None:
    page = tmp_path / "BENCHMARKS.md"
    page.write_text(f"# Kept intro\n\n{GENERATED_MARKER}\nold figures\n")
    figures = tmp_path / "figures"

    status = main(
        [
            "--only",
            "fan_in",
            "--quick",
            "--output",
            str(page),
            "--figures-dir",
            str(figures),
        ]
    )

    text = page.read_text()
    assert status == 0
    assert text.startswith("# Kept intro\n")
    assert "old figures" not in text
    assert "`python -m benchmarks --only fan_in --quick --output" in text
    assert "## 1. Fan-in of waiting tasks" in text
    assert "| fan_in: waiters served in arrival order |" in text
