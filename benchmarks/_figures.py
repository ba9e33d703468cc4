"""PNG timelines of request starts against the two rate-limit windows.

matplotlib comes with the `bench` extra. Without it, drawing functions return
None and the benchmarks still report their figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from jumia_async._limits import REQUESTS_PER_MINUTE, REQUESTS_PER_SECOND

from ._harness import MINUTE_WINDOW, SECOND_WINDOW, trailing_counts


@attrs.frozen
class Series:
    """Request start times in monotonic seconds, drawn under one label."""

    label: str
    times: Sequence[float]
    dashed: bool = False


def matplotlib_available() -> bool:
    """Return whether matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def draw_window_timeline(
    path: Path,
    title: str,
    events: Sequence[Series],
    counted: Sequence[Series],
) -> Path | None:
    """Draw start times and their trailing 1 s and 60 s counts, with the limits.

    The top panel has one row of ticks per series in `events`. The two lower
    panels draw, at each start of a series in `counted`, how many starts of
    that series lie in the trailing 1 s and 60 s windows, with the limits of
    4 and 200 as horizontal lines. Time 0 is the earliest start of all
    series. Returns the path, or None when matplotlib is not installed.
    """
    if not matplotlib_available():
        return None
    from matplotlib.figure import Figure

    every_time = [t for series in (*events, *counted) for t in series.times]
    origin = min(every_time) if every_time else 0.0

    figure = Figure(figsize=(11, 8), layout="constrained")
    ticks, per_second, per_minute = figure.subplots(3, 1, sharex=True)
    figure.suptitle(title)

    # The first series goes on the top row.
    rows = len(events)
    for row, series in enumerate(events):
        ticks.eventplot(
            [t - origin for t in series.times],
            lineoffsets=rows - 1 - row,
            linelengths=0.8,
            linewidths=0.6,
        )
    ticks.set_yticks(range(rows), [series.label for series in reversed(events)])
    ticks.set_ylim(-0.6, rows - 0.4)
    ticks.set_title("request starts")

    for axes, window, limit in (
        (per_second, SECOND_WINDOW, REQUESTS_PER_SECOND),
        (per_minute, MINUTE_WINDOW, REQUESTS_PER_MINUTE),
    ):
        for series in counted:
            times = sorted(series.times)
            axes.step(
                [t - origin for t in times],
                trailing_counts(times, window),
                where="post",
                linestyle="--" if series.dashed else "-",
                linewidth=1.0,
                label=series.label,
            )
        axes.axhline(limit, color="red", linewidth=1.0, label=f"limit {limit}")
        axes.set_ylabel(f"starts in trailing {window:g} s")
        axes.legend(loc="lower right", fontsize="small")
    per_minute.set_xlabel("seconds since the first start")

    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    return path
