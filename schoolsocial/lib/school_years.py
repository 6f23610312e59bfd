"""School years run from 1 September to 31 August and are written "2025/26".

A school may start its new year early: the office's year-end rollover in July starts it at once
(`School.academic_year`), so the calendar's year and the school's year are both asked for here.
"""

from __future__ import annotations

import re
from datetime import date

YEAR_PATTERN = re.compile(r"^(\d{4})/(\d{2})$")


def academic_year_for(day: date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def following_year(value: str) -> str:
    """ "2025/26" -> "2026/27"."""
    start = int(value[:4]) + 1
    return f"{start}/{(start + 1) % 100:02d}"


def later_of(calendar_year: str, started: str) -> str:
    """The year a school is in: the calendar's, unless the school has started the next one already.
    (Written the same way, "2025/26" < "2026/27" as text.)"""
    return max(calendar_year, started) if started else calendar_year


def is_valid_academic_year(value: str) -> bool:
    match = YEAR_PATTERN.match(value or "")
    return match is not None and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def year_bounds(value: str) -> tuple[date, date]:
    """First and last day of a school year such as "2025/26"."""
    start = int(value[:4])
    return date(start, 9, 1), date(start + 1, 8, 31)
