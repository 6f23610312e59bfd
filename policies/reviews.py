"""When a policy's owner is reminded about its review date. Pure: no database, no clock.

Before the review date there are three windows, each reminded once: 60, 30 and 7 days before
(a policy approved 20 days before its review date starts in the 30-day window). After the date
the policy is overdue and the owner is reminded once a week until a new version is approved.
"""

from __future__ import annotations

from datetime import date

# (days before the review date at which the window opens, window name), nearest first.
BEFORE_WINDOWS: tuple[tuple[int, str], ...] = ((7, "7-days"), (30, "30-days"), (60, "60-days"))
# The sweep only needs versions whose review date is at most this far ahead.
HORIZON_DAYS = max(days for days, _ in BEFORE_WINDOWS)


def reminder_window(review_date: date, today: date) -> str | None:
    """The reminder window `today` falls in for a policy reviewed on `review_date`, or None."""
    days_left = (review_date - today).days
    if days_left < 0:
        week = (-days_left - 1) // 7  # days 1-7 overdue are week 0, days 8-14 week 1...
        return f"overdue-week-{week}"
    for days, name in BEFORE_WINDOWS:
        if days_left <= days:
            return name
    return None


def describe_window(window: str) -> str:
    """Plain words for an email: "in 30 days or less", "overdue"."""
    if window.startswith("overdue"):
        return "overdue"
    return f"due within {window.split('-')[0]} days"
