"""School-day arithmetic for complaint deadlines. Pure functions: no database, no clock.

A complaints procedure counts in school days: Monday to Friday, less the school's holidays.
A complaint that arrives on a Saturday starts counting on Monday, so "acknowledge within 5
school days" of a Saturday is the following Friday.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta

NEARING = "nearing"
OVERDUE = "overdue"


def is_school_day(day: date, holidays: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_school_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The date `days` school days after `start`. With days=0: `start` itself if it is a
    school day, otherwise the next school day."""
    if days < 0:
        raise ValueError("days must not be negative")
    holidays = frozenset(holidays)
    day = start
    if days == 0:
        while not is_school_day(day, holidays):
            day += timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_school_day(day, holidays):
            counted += 1
    return day


def school_days_between(start: date, end: date, holidays: Collection[date] = ()) -> int:
    """School days after `start` up to and including `end` (0 if end <= start)."""
    holidays = frozenset(holidays)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_school_day(day, holidays):
            count += 1
    return count


def deadline_state(due: date | None, today: date, warn_school_days: int, holidays: Collection[date] = ()) -> str:
    """OVERDUE after the due date, NEARING within `warn_school_days` school days of it, else ""."""
    if due is None:
        return ""
    if today > due:
        return OVERDUE
    if school_days_between(today, due, holidays) <= warn_school_days:
        return NEARING
    return ""


def parse_holidays(values: Iterable[str]) -> frozenset[date]:
    """ISO dates as stored in ComplaintSettings.holidays; anything unreadable is ignored."""
    days = set()
    for value in values:
        try:
            days.add(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return frozenset(days)
