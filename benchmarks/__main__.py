"""Command line: run the benchmarks, print their tables and write BENCHMARKS.md.

`python -m benchmarks` runs every benchmark in about 10 minutes, `--quick`
runs reduced sizes in under 2 minutes, and `--only NAME` runs one benchmark
(repeatable). `--help` lists the options.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import attrs

from . import (
    fan_in,
    limiter_efficiency,
    mastershops,
    memory,
    overhead,
    workflow,
)
from ._harness import REPO_ROOT, BenchmarkResult, Scale, Table
from ._report import (
    describe_machine,
    format_text_result,
    format_text_table,
    read_intro,
    render_markdown,
)

DEFAULT_OUTPUT = REPO_ROOT / "BENCHMARKS.md"
DEFAULT_FIGURES_DIR = REPO_ROOT / "benchmarks" / "figures"

# A benchmark that runs longer than this is stopped, so the command ends by
# itself. The full run of the slowest benchmark takes about 6 minutes.
BENCHMARK_TIMEOUT = 900.0


@attrs.frozen
class Benchmark:
    """A benchmark module's name, title and coroutine function."""

    name: str
    title: str
    run: Callable[[Scale, Path], Awaitable[BenchmarkResult]]


BENCHMARKS: tuple[Benchmark, ...] = tuple(
    Benchmark(module.NAME, module.TITLE, module.run)
    for module in (
        limiter_efficiency,
        overhead,
        workflow,
        memory,
        fan_in,
        mastershops,
    )
)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    names = [benchmark.name for benchmark in BENCHMARKS]
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Run the client benchmarks against sandbox processes on 127.0.0.1, "
            "print the figures and write them to a Markdown page."
        ),
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        metavar="NAME",
        help=f"run only this benchmark; repeatable. Names: {', '.join(names)}",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="run reduced sizes and durations (under 2 minutes in total)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="PATH",
        help="Markdown page to write (default: BENCHMARKS.md for a full run of "
        "every benchmark; --quick and --only runs write a page only when "
        "--output is given). Text above the generated part of an existing page "
        "is kept",
    )
    parser.add_argument(
        "--figures-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder for the PNG timelines (default: benchmarks/figures, or "
        "benchmarks/figures/quick with --quick)",
    )
    return parser.parse_args(argv)


async def _run_one(
    benchmark: Benchmark, scale: Scale, figures_dir: Path
) -> BenchmarkResult:
    async with asyncio.timeout(BENCHMARK_TIMEOUT):
        return await benchmark.run(scale, figures_dir)


def run_benchmarks(
    selected: Sequence[Benchmark],
    scale: Scale,
    figures_dir: Path,
    echo: Callable[[str], None] = print,
) -> list[BenchmarkResult]:
    """Run each benchmark in a new event loop and echo its tables when it ends."""
    results = []
    for benchmark in selected:
        echo(f"Running {benchmark.title} ({scale.value})...")
        started = time.perf_counter()
        result = asyncio.run(_run_one(benchmark, scale, figures_dir))
        result.seconds = time.perf_counter() - started
        echo(format_text_result(result))
        echo("")
        results.append(result)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command and return its exit status (0 when every benchmark ran)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = _parse_args(arguments)
    scale = Scale.QUICK if args.quick else Scale.FULL
    selected = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    figures_dir = args.figures_dir or (
        DEFAULT_FIGURES_DIR / "quick" if args.quick else DEFAULT_FIGURES_DIR
    )
    output = args.output
    if output is None and scale is Scale.FULL and not args.only:
        output = DEFAULT_OUTPUT

    machine = describe_machine()
    started = datetime.now(UTC)
    clock = time.perf_counter()
    results = run_benchmarks(
        selected, scale, figures_dir, lambda line: print(line, flush=True)
    )
    total = time.perf_counter() - clock

    checks = [check for result in results for check in result.checks]
    summary = Table(
        title="Targets",
        header=("figure", "measured", "target", "met"),
        rows=tuple(
            (c.description, c.measured, c.target, "yes" if c.met else "NO")
            for c in checks
        ),
    )
    print(format_text_table(summary))
    print(f"\nTotal: {total / 60:.1f} min")

    if output is not None:
        command = shlex.join(["python", "-m", "benchmarks", *arguments])
        page = render_markdown(
            results,
            intro=read_intro(output),
            command=command,
            machine=machine,
            started=started,
            total_seconds=total,
            page_dir=output.resolve().parent,
        )
        output.write_text(page, encoding="utf-8")
        print(f"Wrote {output}")
    return 0


def _configure_logging() -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    # Retries after 429 responses of the aiolimiter baseline are counted in
    # the tables, so the client's retry warnings are left out of the output.
    logging.getLogger("jumia_async").setLevel(logging.ERROR)


if __name__ == "__main__":
    _configure_logging()
    sys.exit(main())
