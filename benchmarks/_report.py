"""Text tables for the terminal and the Markdown page of a benchmark run."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import attrs

from ._harness import BenchmarkResult, Table

# BENCHMARKS.md keeps the text above this line when it is written again.
GENERATED_MARKER = "<!-- Everything below is written by `python -m benchmarks`. -->"

DEFAULT_INTRO = """\
# Benchmarks

Figures of the client against the local sandbox, written by
`python -m benchmarks`.
"""


@attrs.frozen
class Machine:
    """The hardware and software a run measured."""

    cpu_model: str
    cores: int
    usable_cores: int
    load_average: tuple[float, float, float]
    python: str
    packages: tuple[tuple[str, str], ...]
    system: str


def describe_machine() -> Machine:
    """Read the CPU model, core counts, load and package versions of this machine."""
    packages = []
    for name in ("jumia_async", "aiohttp", "aiolimiter", "cattrs", "matplotlib"):
        try:
            packages.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            packages.append((name, "not installed"))
    return Machine(
        cpu_model=_cpu_model(),
        cores=os.cpu_count() or 0,
        usable_cores=len(os.sched_getaffinity(0)),
        load_average=os.getloadavg(),
        python=f"{platform.python_implementation()} {platform.python_version()}",
        packages=tuple(packages),
        system=platform.platform(),
    )


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def format_text_table(table: Table) -> str:
    """Render a table as aligned columns for a terminal."""
    rows = [table.header, *table.rows]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [table.title]
    for position, row in enumerate(rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
        if position == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def format_text_result(result: BenchmarkResult) -> str:
    """Render one benchmark's tables and target checks for a terminal."""
    parts = [f"== {result.title} ({result.seconds:.0f} s) =="]
    parts.extend(format_text_table(table) for table in result.tables)
    if result.checks:
        parts.append(format_text_table(_checks_table(result)))
    parts.extend(str(figure) for figure in result.figures)
    return "\n\n".join(parts)


def _checks_table(result: BenchmarkResult) -> Table:
    return Table(
        title="Targets",
        header=("figure", "measured", "target", "met"),
        rows=tuple(
            (check.description, check.measured, check.target, _met(check.met))
            for check in result.checks
        ),
    )


def _met(met: bool) -> str:
    return "yes" if met else "**no**"


def _markdown_table(table: Table) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    lines = [f"**{table.title}**", "", line(table.header)]
    lines.append("|" + "|".join(" --- " for _ in table.header) + "|")
    lines.extend(line(row) for row in table.rows)
    return lines


def render_markdown(
    results: Sequence[BenchmarkResult],
    *,
    intro: str,
    command: str,
    machine: Machine,
    started: datetime,
    total_seconds: float,
    page_dir: Path,
) -> str:
    """Render the page: the kept intro, then the run, the targets and each benchmark.

    Figure links are relative to `page_dir`, the folder of the page.
    """
    out: list[str] = [intro.rstrip(), "", GENERATED_MARKER, ""]
    add: Callable[..., None] = out.extend

    load = ", ".join(f"{value:.2f}" for value in machine.load_average)
    packages = ", ".join(f"{name} {version}" for name, version in machine.packages)
    add(
        [
            "## Run",
            "",
            f"- Command: `{command}`",
            f"- Started: {started.astimezone(UTC):%Y-%m-%d %H:%M} UTC, "
            f"took {total_seconds / 60:.1f} min",
            f"- CPU: {machine.cpu_model}, {machine.cores} cores "
            f"({machine.usable_cores} usable), load average at start {load}",
            f"- Python: {machine.python} on {machine.system}",
            f"- Packages: {packages}",
            "",
        ]
    )

    checks = [check for result in results for check in result.checks]
    if checks:
        summary = Table(
            title="Every target of this run",
            header=("figure", "measured", "target", "met"),
            rows=tuple(
                (check.description, check.measured, check.target, _met(check.met))
                for check in checks
            ),
        )
        add(["## Targets", "", *_markdown_table(summary), ""])

    for number, result in enumerate(results, start=1):
        add([f"## {number}. {result.title}", ""])
        for note in result.notes:
            add([note, ""])
        for table in result.tables:
            add([*_markdown_table(table), ""])
        for figure in result.figures:
            link = os.path.relpath(figure, page_dir)
            add([f"![{result.title}]({link})", ""])
        add([f"Run time: {result.seconds:.0f} s.", ""])
    return "\n".join(out).rstrip() + "\n"


def read_intro(path: Path) -> str:
    """Return the text above the generated part of `path`, or the default intro."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULT_INTRO
    head, marker, _ = text.partition(GENERATED_MARKER)
    return head if marker else DEFAULT_INTRO
