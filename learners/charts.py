"""Geometry of the dashboard's SVG charts: figures in, coordinates out, no database, no clock.

The template draws what these functions compute, so a chart's shape is tested with plain
tables and the page stays free of JavaScript and inline styles (the CSP forbids both).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

# The answered-per-day axis has at most this many steps above zero.
MAX_COUNT_STEPS = 4
BAR_SHARE = 0.6
PERCENT_TICKS = (0, 50, 100)
# One day label every week, counted back from the last day so today is always labelled.
DAY_LABEL_EVERY = 7


class DayFigures(Protocol):
    """One day of practice: `learners.progress.DayProgress` has this shape."""

    @property
    def day(self) -> date: ...

    @property
    def answered(self) -> int: ...

    @property
    def correct(self) -> int: ...


@dataclass(frozen=True)
class Frame:
    """The SVG's size and the plot area inside it, in viewBox units."""

    width: float = 640
    height: float = 240
    left: float = 40
    right: float = 588
    top: float = 16
    bottom: float = 208

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    @property
    def plot_height(self) -> float:
        return self.bottom - self.top

    # Axis labels sit just outside the plot area: counts left, percentages right, days below.
    @property
    def count_label_x(self) -> float:
        return self.left - 6

    @property
    def percent_label_x(self) -> float:
        return self.right + 6

    @property
    def day_label_y(self) -> float:
        return self.bottom + 18


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    answered: int


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: date
    percent: float


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis (y for the value axes, x for the days)."""

    position: float
    value: int


@dataclass(frozen=True)
class DayTick:
    position: float
    day: date


@dataclass(frozen=True)
class TrendChart:
    frame: Frame
    bars: list[Bar]
    # Each line joins a run of consecutive days with answers, as an SVG `points` value; a day
    # without answers has no percentage, so the line breaks there instead of inventing one.
    lines: list[str]
    points: list[Point]
    count_ticks: list[Tick]
    percent_ticks: list[Tick]
    day_ticks: list[DayTick]
    count_max: int


def count_axis(largest: int) -> tuple[int, int]:
    """Return (step, top) of a count axis from 0 that holds `largest` in a few round steps."""
    largest = max(largest, 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(largest / step) <= MAX_COUNT_STEPS:
                return step, step * math.ceil(largest / step)
        magnitude *= 10


def _round(value: float) -> float:
    return round(value, 2)


def trend_chart(
    days: Sequence[DayFigures], *, frame: Frame | None = None, label_every: int = DAY_LABEL_EVERY
) -> TrendChart:
    """Lay out answered-per-day bars and a percent-correct line over `days`, oldest first."""
    frame = frame or Frame()
    step, top = count_axis(max((day.answered for day in days), default=0))
    slot = frame.plot_width / len(days) if days else frame.plot_width
    bar_width = slot * BAR_SHARE

    def count_y(count: float) -> float:
        return frame.bottom - count / top * frame.plot_height

    def percent_y(percent: float) -> float:
        return frame.bottom - percent / 100 * frame.plot_height

    bars: list[Bar] = []
    points: list[Point] = []
    runs: list[list[Point]] = []
    previous_answered = False
    for index, figures in enumerate(days):
        if not figures.answered:
            previous_answered = False
            continue
        centre = frame.left + (index + 0.5) * slot
        height = figures.answered / top * frame.plot_height
        bars.append(
            Bar(
                x=_round(centre - bar_width / 2),
                y=_round(frame.bottom - height),
                width=_round(bar_width),
                height=_round(height),
                day=figures.day,
                answered=figures.answered,
            )
        )
        percent = 100 * figures.correct / figures.answered
        point = Point(
            x=_round(centre), y=_round(percent_y(percent)), day=figures.day, percent=percent
        )
        points.append(point)
        if previous_answered:
            runs[-1].append(point)
        else:
            runs.append([point])
        previous_answered = True
    return TrendChart(
        frame=frame,
        bars=bars,
        lines=[" ".join(f"{p.x:g},{p.y:g}" for p in run) for run in runs if len(run) > 1],
        points=points,
        count_ticks=[Tick(_round(count_y(value)), value) for value in range(0, top + 1, step)],
        percent_ticks=[Tick(_round(percent_y(value)), value) for value in PERCENT_TICKS],
        day_ticks=[
            DayTick(_round(frame.left + (index + 0.5) * slot), figures.day)
            for index, figures in enumerate(days)
            if (len(days) - 1 - index) % label_every == 0
        ],
        count_max=top,
    )


def trend_context(
    days: Sequence[DayFigures], *, label_every: int = DAY_LABEL_EVERY
) -> dict[str, Any]:
    """Return what `learners/includes/trend_chart.html` reads: the chart, its rows and totals."""
    return {
        "chart": trend_chart(days, label_every=label_every),
        "trend_rows": days,
        "trend_days": len(days),
        "trend_answered": sum(day.answered for day in days),
        "trend_days_practised": sum(1 for day in days if day.answered),
    }
