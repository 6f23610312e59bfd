"""The rules of a subject access request, as plain functions: no database, no clock.

- The answer is due one calendar month from the day the request was received, holidays
  included: 3 March -> 3 April; a month without that day ends on its last day, so 31 January ->
  28 February (29 in a leap year).
- The school may extend by up to two further months in all, with a reason: 31 January + 1 + 2
  -> 30 April.
- The DPO and headteacher are reminded a week before the due date and on it (once each).
- Redacting replaces the chosen names, or whole fields, with "[redacted]".
"""

from __future__ import annotations

import re
from datetime import date

from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]  # types-python-dateutil is not a dev dependency yet

MONTHS_TO_ANSWER = 1
MAX_EXTENSION_MONTHS = 2
REDACTED = "[redacted]"

# Reminder windows: (name, days before the due date from which it is sent).
WEEK_BEFORE, DUE_DAY = "week", "due"
REMINDER_WINDOWS: list[tuple[str, int]] = [(WEEK_BEFORE, 7), (DUE_DAY, 0)]


def due_date(received_on: date, extended_months: int = 0) -> date:
    """One calendar month from receipt, plus any extension (relativedelta keeps to the month's end)."""
    if not 0 <= extended_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"An extension is 0 to {MAX_EXTENSION_MONTHS} months, not {extended_months}.")
    return received_on + relativedelta(months=MONTHS_TO_ANSWER + extended_months)


def extension_refusal(already: int, more: int) -> str:
    """Why `more` months cannot be added to an extension of `already` months ("" if they can)."""
    if more < 1:
        return "Choose how many months to extend by."
    if already + more > MAX_EXTENSION_MONTHS:
        left = MAX_EXTENSION_MONTHS - already
        if left <= 0:
            return "This request has been extended by the full two months already."
        return f"A request can be extended by two months at most; {left} month{'s' if left > 1 else ''} left."
    return ""


def reminder_window(due_on: date, today: date) -> str:
    """The latest window that has opened for `due_on` ("due" from the due date on, "week" in the
    seven days before it, "" before that). A sweep that missed a day still sends it."""
    days_left = (due_on - today).days
    for name, before in sorted(REMINDER_WINDOWS, key=lambda window: window[1]):
        if days_left <= before:
            return name
    return ""


def _name_pattern(names: list[str]) -> re.Pattern[str] | None:
    """Each chosen name in full (in any case), and each word of it as written (a first name on
    its own, a surname), as whole words, longest first: "Sam Other" also takes out "Sam" and
    "Other", but not the "other" of "other people"."""
    full: set[str] = set()
    parts: set[str] = set()
    for name in names:
        name = " ".join(name.split())
        if not name:
            continue
        full.add(name)
        parts.update(part for part in name.split(" ") if len(part) >= 2)
    if not full:
        return None
    whole = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in sorted(full, key=len, reverse=True))
    words = "|".join(re.escape(part) for part in sorted(parts, key=len, reverse=True))
    alternatives = f"(?i:{whole})" + (f"|{words}" if words else "")
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def redact_text(text: str, names: list[str]) -> str:
    pattern = _name_pattern(names)
    return pattern.sub(REDACTED, text) if pattern else text


def redacted_fields(text: dict[str, str], *, names: list[str], fields: list[str]) -> dict[str, str]:
    """The item's text as released: whole fields replaced, the chosen names taken out of the rest."""
    return {
        label: REDACTED if label in fields else redact_text(str(value or ""), names) for label, value in text.items()
    }
