"""School years run from 1 September to 31 August and are written "2025/26"."""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone

YEAR_PATTERN = re.compile(r"^(\d{4})/(\d{2})$")


def academic_year_for(day: date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def current_academic_year() -> str:
    return academic_year_for(timezone.localdate())


def is_valid_academic_year(value: str) -> bool:
    match = YEAR_PATTERN.match(value or "")
    return match is not None and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def year_bounds(value: str) -> tuple[date, date]:
    """First and last day of a school year such as "2025/26"."""
    start = int(value[:4])
    return date(start, 9, 1), date(start + 1, 8, 31)
