"""Horizontal bar charts laid out for SVG drawn on the server: geometry here, markup in statistics/_chart.html.

No script and no inline style (the CSP forbids both): bars are coloured by CSS classes, sizes are SVG attributes
in viewBox units, so the chart scales with the phone's width. Each label sits above its bar, so long Polish labels
get the whole width; the table beside the chart carries the full text and exact figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.statistics.figures import Table

WIDTH = 360.0
BAR_MAX = 280.0
BAR_HEIGHT = 18.0
ROW = 50.0
TOP = 18.0
FONT = 15.0  # viewBox units: on a 390 px phone the chart is ~330 px wide, so this reads as ~14 px
LABEL_MAX = 40


@dataclass(frozen=True)
class PlacedBar:
    """One bar with its label above it and its value after it, in viewBox units."""

    label: str
    label_y: float
    bar_y: float
    width: float
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class SvgChart:
    """A laid-out chart: its accessible title and description, its height and bars."""

    id: str
    title: str
    desc: str
    width: float
    height: float
    bar_height: float
    track_width: float
    bars: tuple[PlacedBar, ...]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


def layout(table: Table) -> SvgChart | None:
    """The chart of a table, or None when there is nothing to draw."""
    if not table.bars:
        return None
    top = max(b.value for b in table.bars) or 1.0
    bars = []
    for index, bar in enumerate(table.bars):
        y = TOP + index * ROW
        width = round(BAR_MAX * bar.value / top, 1) if bar.value > 0 else 0.0
        width = max(width, 2.0) if bar.value > 0 else 0.0
        bars.append(PlacedBar(_short(bar.label), y, y + 7, width, bar.text, width + 6, y + 7 + BAR_HEIGHT - 4))
    desc = "; ".join(f"{b.label}: {b.text}" for b in table.bars)
    return SvgChart(f"chart-{table.id}", table.chart_title or table.title, desc, WIDTH,
                    TOP + len(bars) * ROW - 4, BAR_HEIGHT, BAR_MAX, tuple(bars))
