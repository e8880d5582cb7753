"""Geometry for the server-rendered SVG charts. Pure: numbers in, shapes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

HEAT_COLOURS = ["#ebedf0", "#c6e0f5", "#8dbfe6", "#4a93cc", "#1f5f8b"]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    colour: str
    label: str
    level: int


def bars(points: list[tuple[date, int]], width: int = 600, height: int = 140) -> list[Bar]:
    top = max((v for _, v in points), default=0) or 1
    step = width / max(len(points), 1)
    return [Bar(x=round(i * step + 1, 1), y=round(height - v / top * height, 1),
                width=round(step - 2, 1), height=round(v / top * height, 1),
                label=f"{d:%a %d %b}: {v} due", value=v)
            for i, (d, v) in enumerate(points)]


def heat_level(value: int, top: int) -> int:
    if value <= 0:
        return 0
    return min(4, 1 + int(3 * value / max(top, 1)))


def heatmap(points: list[tuple[date, int]], size: int = 11, gap: int = 2) -> list[Cell]:
    """One cell per day, columns are weeks (Monday at the top)."""
    if not points:
        return []
    top = max(v for _, v in points)
    first = points[0][0]
    offset = first.weekday()
    cells = []
    for index, (day, value) in enumerate(points):
        slot = index + offset
        level = heat_level(value, top)
        cells.append(Cell(x=(slot // 7) * (size + gap), y=(slot % 7) * (size + gap),
                          colour=HEAT_COLOURS[level], level=level,
                          label=f"{day:%a %d %b %Y}: {value} review{'s' if value != 1 else ''}"))
    return cells
