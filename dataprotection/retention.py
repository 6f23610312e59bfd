"""The retention schedule: how long each kind of record is kept before someone reviews it.

Plain data and pure functions, no database. The defaults follow the IRMS Information Management
Toolkit for Schools; a school may change the number of years (RetentionSetting), never the clock
that starts them. Reaching the date only puts the record on the review list: a person decides.

Each rule carries a worked example (facts, years, review date) and a test recomputes every one,
so a rule added without an example, or an example the rule no longer gives, fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


class Clock:
    """What starts a record's retention period."""

    CLOSED = "closed"  # the case or complaint was finished
    DATE_OF_BIRTH = "date_of_birth"  # the child's date of birth (closure when no child is linked)
    SUPERSEDED = "superseded"  # a later signature replaced this one
    CREATED = "created"  # the entry was written (logs)
    LEFT = "left"  # the pupil came off the school's roll


CLOCK_LABELS = {
    Clock.CLOSED: "after the case is closed",
    Clock.DATE_OF_BIRTH: "after the child's date of birth",
    Clock.SUPERSEDED: "after a newer signature replaces it",
    Clock.CREATED: "after it was written",
    Clock.LEFT: "after the pupil leaves the school",
}


@dataclass(frozen=True)
class Example:
    facts: dict[str, date | None]
    years: int
    review_on: date | None


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    default_years: int
    clock: str
    reason: str
    includes: str = ""
    # Logs are reviewed a month's worth at a time, not row by row.
    batched_by_month: bool = False
    examples: tuple[Example, ...] = field(default=())

    @property
    def clock_label(self) -> str:
        return CLOCK_LABELS[self.clock]

    def period_label(self, years: int) -> str:
        return f"{years} year{'s' if years != 1 else ''} {self.clock_label}"

    def review_on(self, facts: dict[str, date | None], years: int) -> date | None:
        """The day the record reaches review, from its facts; None while the clock has not started."""
        if self.clock == Clock.DATE_OF_BIRTH:
            closed_on = facts.get("closed_on")
            if closed_on is None:
                return None  # an open case is never reviewed
            born_or_closed = facts.get("date_of_birth") or closed_on
            return max(add_years(born_or_closed, years), closed_on)
        start = facts.get(
            {
                Clock.CLOSED: "closed_on",
                Clock.SUPERSEDED: "superseded_on",
                Clock.CREATED: "created_on",
                Clock.LEFT: "left_on",
            }[self.clock]
        )
        return add_years(start, years) if start is not None else None


def add_years(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_start(today: date, years: int) -> date:
    """The latest start date whose period of `years` has ended by `today`."""
    return add_years(today, -years)


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule(
            key="safeguarding_incident",
            label="Safeguarding incidents",
            default_years=25,
            clock=Clock.DATE_OF_BIRTH,
            includes="Cases marked as a safeguarding concern, with their evidence, letters, referral bundles, steps and timeline.",
            reason=(
                "Child-protection records are kept until the child is 25, so they are there if the child, "
                "a court or an inquiry asks as an adult. The clock runs from the date of birth of the pupil "
                "linked to the case; when no pupil is linked, from the day the case was closed."
            ),
            examples=(
                Example({"date_of_birth": date(2016, 3, 14), "closed_on": date(2024, 7, 1)}, 25, date(2041, 3, 14)),
                Example({"date_of_birth": None, "closed_on": date(2024, 7, 1)}, 25, date(2049, 7, 1)),
                Example({"date_of_birth": date(2016, 3, 14), "closed_on": None}, 25, None),
            ),
        ),
        Rule(
            key="incident",
            label="Other incidents",
            default_years=6,
            clock=Clock.CLOSED,
            includes="Every other case, with its evidence, letters, referral bundles, steps and timeline.",
            reason=(
                "Six years after a case closes covers the time in which a legal claim about it could be "
                "brought; after that the school rarely needs the details."
            ),
            examples=(
                Example({"closed_on": date(2019, 7, 10)}, 6, date(2025, 7, 10)),
                Example({"closed_on": date(2020, 2, 29)}, 6, date(2026, 2, 28)),
                Example({"closed_on": None}, 6, None),
            ),
        ),
        Rule(
            key="complaint",
            label="Complaints",
            default_years=6,
            clock=Clock.CLOSED,
            includes="Each complaint with its messages, attachments, panel decision and bundle.",
            reason="Complaints are kept for six years after they are closed, the usual period for legal claims.",
            examples=(Example({"closed_on": date(2020, 11, 2)}, 6, date(2026, 11, 2)),),
        ),
        Rule(
            key="signature",
            label="Agreement signatures",
            default_years=2,
            clock=Clock.SUPERSEDED,
            includes="A parent's signature (or withdrawal) of the home-school agreement for one child, and its PDF copy or paper scan.",
            reason=(
                "A signature matters while it is the one in force. Once the parent signs a newer version "
                "for the same child, the old one is kept two more years in case of a dispute about what was agreed."
            ),
            examples=(
                Example({"superseded_on": date(2024, 9, 5)}, 2, date(2026, 9, 5)),
                Example({"superseded_on": None}, 2, None),
            ),
        ),
        Rule(
            key="pupil",
            label="Pupils who have left",
            default_years=1,
            clock=Clock.LEFT,
            includes=(
                "The pupil's record in the portal, the links to their parents and carers, and every agreement "
                "signature for them. Cases and complaints about the pupil keep their own periods."
            ),
            reason=(
                "The pupil's school record goes to their next school; the portal only needs its copy while "
                "letters and agreements about this year might still be asked about."
            ),
            examples=(
                Example({"left_on": date(2025, 7, 22)}, 1, date(2026, 7, 22)),
                Example({"left_on": None}, 1, None),
            ),
        ),
        Rule(
            key="access_log",
            label="Access log",
            default_years=2,
            clock=Clock.CREATED,
            batched_by_month=True,
            includes="Who opened which record and when, reviewed a month at a time.",
            reason="Two years lets the school and its DPO check who looked at a record, without keeping a trail for ever.",
            examples=(Example({"created_on": date(2024, 3, 18)}, 2, date(2026, 3, 18)),),
        ),
        Rule(
            key="email",
            label="Email records",
            default_years=1,
            clock=Clock.CREATED,
            batched_by_month=True,
            includes="The copy of each email the portal sent and whether it arrived, reviewed a month at a time.",
            reason="A year is long enough to show that a letter or reminder went out; the case itself keeps what matters.",
            examples=(Example({"created_on": date(2025, 1, 31)}, 1, date(2026, 1, 31)),),
        ),
    )
}

MIN_YEARS = 1
MAX_YEARS = 100
