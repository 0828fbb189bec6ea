"""What the report's chart draws, as data: free of Textual, so the Overview's read-ahead
process can build it before the console has loaded Textual."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ChartSeries:
    """One stacked measure: its name picks the colour variable ``$chart-<name>``."""

    name: str
    label: str
    values: Sequence[int]


@dataclass(frozen=True)
class ChartData:
    labels: Sequence[str]  # one short label per period
    stacks: Sequence[ChartSeries]  # drawn bottom first
    # (successful, sent) per period: summed per bucket, so a bucket's rate is right
    rate_parts: Sequence[tuple[int, int]]
    show_rate: bool = True
    running: int | None = None  # index of the period still running
    unit: str = "period"  # "hour", "day", "month": for the bucket note
