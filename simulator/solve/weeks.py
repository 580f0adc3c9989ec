"""Cutting a span into week-long blocks, and the reservoir levels each week must meet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

WEEK_DAYS = 7


@dataclass(frozen=True)
class Week:
    """One week LP: the snapshots it solves and those of its solution that are kept."""

    snapshots: pd.DatetimeIndex
    keep: pd.DatetimeIndex
    """Equal to ``snapshots`` except for the last week of a span that is not whole weeks:
    it solves the span's last seven days and keeps only the days after the previous week."""


def week_blocks(snapshots: pd.DatetimeIndex) -> list[Week]:
    """Cut snapshots into weeks of seven whole days from the first day.

    All weeks have the same length, so one model serves them all. A remainder of fewer
    than seven days (a 365-day year is 52 weeks and a day) is solved as the span's last
    seven days, keeping only the remainder; its level at the start of the remainder is
    pinned to the coarse stage's, so the kept days continue the previous week exactly.
    A span shorter than a week is one block.
    """
    days = snapshots.normalize()
    day_number = np.asarray((days - days[0]).days)
    total = int(day_number.max()) + 1
    if total <= WEEK_DAYS:
        return [Week(snapshots, snapshots)]
    weeks = []
    for first in range(0, total - WEEK_DAYS + 1, WEEK_DAYS):
        block = snapshots[(day_number >= first) & (day_number < first + WEEK_DAYS)]
        weeks.append(Week(block, block))
    covered = len(weeks) * WEEK_DAYS
    if covered < total:
        block = snapshots[day_number >= total - WEEK_DAYS]
        weeks.append(Week(block, snapshots[day_number >= covered]))
    return weeks


def describe_week(index: int, count: int, block: pd.DatetimeIndex) -> str:
    """Name a week for messages, e.g. ``week 3 of 53 (2022-01-15 to 2022-01-21)``."""
    return f"week {index + 1} of {count} ({block[0]:%Y-%m-%d} to {block[-1]:%Y-%m-%d})"


def day_ends(snapshots: pd.DatetimeIndex) -> np.ndarray:
    """Return True at the last snapshot of each day."""
    days = snapshots.normalize()
    return np.append(days[1:] != days[:-1], True)


@dataclass(frozen=True)
class WeekTask:
    """One week to solve and the reservoir levels it must meet."""

    index: int
    count: int
    week: Week
    start_mwh: pd.Series
    levels_mwh: pd.DataFrame


def week_tasks(weeks: list[Week], daily_mwh: pd.DataFrame, initial_mwh: pd.Series) -> list[WeekTask]:
    """Pair every week with its start level and the day-end levels it must meet.

    A week starts at the coarse level of the day before it (``initial_mwh`` for the first)
    and ends at the coarse level of its last day; a week whose kept days start later also
    meets the level of the day before them. ``daily_mwh`` is day x storage unit.
    """
    tasks = []
    for i, week in enumerate(weeks):
        first_day = week.snapshots[0].normalize()
        before = daily_mwh.loc[daily_mwh.index < first_day]
        start = before.iloc[-1] if len(before) else initial_mwh
        ends = day_ends(week.snapshots)
        level_at = week.snapshots[ends][-1:]
        if week.keep[0] != week.snapshots[0]:
            pin = week.snapshots[week.snapshots < week.keep[0]][-1:]
            level_at = pin.append(level_at)
        levels = daily_mwh.loc[level_at.normalize()].set_axis(level_at)
        tasks.append(WeekTask(i, len(weeks), week, start, levels))
    return tasks
