"""School years run from 1 September to 31 August and are written "2025/26" (see
schoolsocial/lib/school_years.py). A school's year starts early when the office rolls the school
over in July: the agreement then asks for the new year's signature at once."""

from __future__ import annotations

from django.utils import timezone

from schoolsocial.lib.school_years import (  # noqa: F401  (this module's API since before the move)
    YEAR_PATTERN,
    academic_year_for,
    is_valid_academic_year,
    later_of,
    year_bounds,
)


def current_academic_year(school=None) -> str:
    """The school year today: the calendar's, or the school's own once it has rolled over early."""
    calendar_year = academic_year_for(timezone.localdate())
    return later_of(calendar_year, getattr(school, "academic_year", "") if school is not None else "")
