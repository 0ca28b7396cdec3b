"""The table the cold-start benchmarks print: median and min seconds per row, and the median as a multiple of a
baseline row measured in the same run (ratios carry from one machine to another; seconds do not)."""

from __future__ import annotations

import statistics


def print_ratio_table(
    times: dict[str, list[float]],
    baseline: str,
    *,
    label: str,
    ratio: str,
    notes: dict[str, str] | None = None,
    notes_label: str = "note",
) -> None:
    """One row per entry of `times` (seconds per run), `ratio` the column of median / `baseline`'s median."""
    base = statistics.median(times[baseline])
    width = max(len(label), *(len(name) for name in times))
    print(f"{label:{width}} {'median s':>9} {'min s':>7} {ratio:>{max(len(ratio), 8)}}" + (f"  {notes_label}" if notes else ""))
    for name, values in times.items():
        median = statistics.median(values)
        note = f"  {notes[name]}" if notes else ""
        print(f"{name:{width}} {median:9.2f} {min(values):7.2f} {median / base:{max(len(ratio), 8)}.2f}{note}")
