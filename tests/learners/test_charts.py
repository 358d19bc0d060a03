"""The trend chart's geometry, from plain tables of days: no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from learners.charts import Bar, DayTick, Frame, Point, Tick, count_axis, trend_chart

# A plot area of exactly 100 x 100 units, so every coordinate below can be checked by eye.
FRAME = Frame(width=140, height=130, left=20, right=120, top=10, bottom=110)
MONDAY = date(2024, 3, 11)


@dataclass(frozen=True)
class Day:
    day: date
    answered: int
    correct: int


def days(*figures: tuple[int, int]) -> list[Day]:
    return [
        Day(MONDAY + timedelta(days=offset), answered, correct)
        for offset, (answered, correct) in enumerate(figures)
    ]


@pytest.mark.parametrize(
    ("largest", "step", "top"),
    [
        (0, 1, 1),
        (1, 1, 1),
        (3, 1, 3),
        (4, 1, 4),
        (5, 2, 6),
        (7, 2, 8),
        (9, 5, 10),
        (30, 10, 30),
        (31, 10, 40),
        (100, 50, 100),
        (101, 50, 150),
        (1234, 500, 1500),
    ],
)
def test_the_count_axis_rises_in_at_most_four_round_steps(
    largest: int, step: int, top: int
) -> None:
    assert count_axis(largest) == (step, top)


def test_bars_stand_on_the_plot_floor_in_the_middle_of_each_day() -> None:
    chart = trend_chart(days((4, 2), (0, 0), (2, 2), (1, 0)), frame=FRAME)

    assert chart.bars == [
        Bar(x=25, y=10, width=15, height=100, day=MONDAY, answered=4),
        Bar(x=75, y=60, width=15, height=50, day=MONDAY + timedelta(days=2), answered=2),
        Bar(x=100, y=85, width=15, height=25, day=MONDAY + timedelta(days=3), answered=1),
    ]


def test_the_percent_line_breaks_at_a_day_without_answers() -> None:
    chart = trend_chart(days((4, 2), (0, 0), (2, 2), (1, 0)), frame=FRAME)

    assert chart.points == [
        Point(x=32.5, y=60, day=MONDAY, percent=50.0),
        Point(x=82.5, y=10, day=MONDAY + timedelta(days=2), percent=100.0),
        Point(x=107.5, y=110, day=MONDAY + timedelta(days=3), percent=0.0),
    ]
    # Monday stands alone (drawn as a dot only); Wednesday and Thursday are joined.
    assert chart.lines == ["82.5,10 107.5,110"]


def test_axes_are_labelled_with_counts_left_and_percentages_right() -> None:
    chart = trend_chart(days((4, 2), (0, 0), (2, 2), (1, 0)), frame=FRAME)

    assert chart.count_max == 4
    assert chart.count_ticks == [
        Tick(110, 0),
        Tick(85, 1),
        Tick(60, 2),
        Tick(35, 3),
        Tick(10, 4),
    ]
    assert chart.percent_ticks == [Tick(110, 0), Tick(60, 50), Tick(10, 100)]
    assert (FRAME.count_label_x, FRAME.percent_label_x, FRAME.day_label_y) == (14, 126, 128)


def test_days_are_labelled_weekly_back_from_the_last_one() -> None:
    month = days(*[(0, 0)] * 30)

    chart = trend_chart(month, frame=FRAME)

    assert [tick.day for tick in chart.day_ticks] == [
        month[index].day for index in (1, 8, 15, 22, 29)
    ]
    assert chart.day_ticks[-1] == DayTick(position=118.33, day=month[29].day)


def test_a_longer_chart_can_be_labelled_every_fortnight() -> None:
    quarter = days(*[(0, 0)] * 90)

    chart = trend_chart(quarter, frame=FRAME, label_every=14)

    assert [tick.day for tick in chart.day_ticks] == [
        quarter[index].day for index in range(5, 90, 14)
    ]
    assert chart.day_ticks[-1].day == quarter[-1].day


def test_a_month_without_answers_draws_only_the_axes() -> None:
    chart = trend_chart(days(*[(0, 0)] * 30), frame=FRAME)

    assert chart.bars == []
    assert chart.points == []
    assert chart.lines == []
    assert [tick.value for tick in chart.count_ticks] == [0, 1]


def test_an_empty_list_of_days_still_gives_a_chart() -> None:
    chart = trend_chart([], frame=FRAME)

    assert (chart.bars, chart.lines, chart.day_ticks) == ([], [], [])
    assert chart.count_max == 1
