"""School-day deadlines: weekends and holidays are skipped."""

from datetime import date, timedelta

import pytest

from complaints.deadlines import NEARING, OVERDUE, add_school_days, deadline_state, school_days_between

MON, FRI, SAT = date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 7)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (MON, 1, date(2026, 3, 3)),
        (MON, 5, date(2026, 3, 9)),  # a week later
        (FRI, 1, date(2026, 3, 9)),  # Friday + 1 is Monday
        (SAT, 1, date(2026, 3, 9)),  # received at the weekend: Monday is the first school day
        (SAT, 5, date(2026, 3, 13)),
        (MON, 15, date(2026, 3, 23)),
        (SAT, 0, date(2026, 3, 9)),
        (MON, 0, MON),
    ],
)
def test_add_school_days_skips_weekends(start, days, expected):
    assert add_school_days(start, days) == expected


def test_add_school_days_skips_holidays():
    half_term = {date(2026, 2, 16) + timedelta(days=i) for i in range(5)}
    # Friday 13 Feb + 1 school day, with half term the week after: Monday 23 Feb.
    assert add_school_days(date(2026, 2, 13), 1, half_term) == date(2026, 2, 23)
    assert add_school_days(date(2026, 2, 12), 5, half_term) == date(2026, 2, 26)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_school_days(MON, -1)


def test_school_days_between():
    assert school_days_between(FRI, date(2026, 3, 9)) == 1
    assert school_days_between(MON, MON) == 0
    assert school_days_between(date(2026, 3, 9), MON) == 0


def test_deadline_state():
    due = date(2026, 3, 10)  # Tuesday
    assert deadline_state(due, date(2026, 3, 11), 2) == OVERDUE
    assert deadline_state(due, date(2026, 3, 10), 2) == NEARING
    assert deadline_state(due, FRI, 2) == NEARING  # Mon, Tue: two school days
    assert deadline_state(due, date(2026, 3, 5), 2) == ""  # Thu: three school days
    assert deadline_state(None, MON, 2) == ""
