"""School terms in England, near enough for "this term" on a search form.

Autumn runs from 1 September to 31 December, spring from 1 January to Easter Sunday, summer from
Easter Monday to 31 August. Schools' own dates differ by days, not weeks.
"""

from __future__ import annotations

from datetime import date, timedelta


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def term_for(day: date) -> tuple[str, date, date]:
    """(name, first day, last day) of the term `day` falls in."""
    if day.month >= 9:
        return f"Autumn term {day.year}", date(day.year, 9, 1), date(day.year, 12, 31)
    easter = easter_sunday(day.year)
    if day <= easter:
        return f"Spring term {day.year}", date(day.year, 1, 1), easter
    return f"Summer term {day.year}", easter + timedelta(days=1), date(day.year, 8, 31)
