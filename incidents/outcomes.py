"""What each kind of step can end with, and the facts it records: data beside the ladder.

The outcome form offers only the kind's own outcomes and the fields the kind needs; the action
refuses any other outcome; the timeline and the letters read the labels from here. A kind with no
entry of its own ends "done" or "could not be done".
"""

from __future__ import annotations

from dataclasses import dataclass

from .models.choices import Outcome, StepKind


@dataclass(frozen=True)
class StepOutcomes:
    choices: tuple[Outcome, ...]
    # The label of the reference field ("Crime reference number"); empty: the kind has none.
    reference_label: str = ""
    # Outcomes that only make sense with the reference filled in.
    needs_reference: frozenset[Outcome] = frozenset()
    # A meeting: when it was, who attended, the minutes.
    meeting: bool = False
    # Outcomes that mean the meeting took place, so who attended must be said.
    needs_attendees: frozenset[Outcome] = frozenset()

    @property
    def reference_in_sentence(self) -> str:
        """The reference label inside a sentence: "the platform's own reference", but "POSH's
        reference" and "the LADO's reference" keep their capitals."""
        label = self.reference_label or "reference"
        first = label.split()[0]
        return label if first[:2].isupper() else label[0].lower() + label[1:]


PLATFORM = StepOutcomes(
    (Outcome.REMOVED, Outcome.REFUSED, Outcome.NO_REPLY, Outcome.ACCOUNT_SUSPENDED),
    reference_label="The platform's own reference",
)
DONE_OR_NOT = StepOutcomes((Outcome.DONE, Outcome.NOT_DONE))

OUTCOMES: dict[StepKind, StepOutcomes] = {
    StepKind.PLATFORM_REPORT: PLATFORM,
    StepKind.UNDERAGE_REPORT: PLATFORM,
    StepKind.REMOVAL_REQUEST: StepOutcomes((Outcome.REMOVED, Outcome.REFUSED, Outcome.NO_REPLY)),
    StepKind.HEADTEACHER_MEETING: StepOutcomes(
        (Outcome.HELD, Outcome.DECLINED, Outcome.DID_NOT_ATTEND),
        meeting=True,
        needs_attendees=frozenset({Outcome.HELD}),
    ),
    StepKind.WRITTEN_WARNING: StepOutcomes((Outcome.SENT, Outcome.REMOVED_AFTER_WARNING)),
    StepKind.POLICE_REFERRAL: StepOutcomes(
        (Outcome.CRIME_RECORDED, Outcome.ADVICE_GIVEN, Outcome.INVESTIGATING, Outcome.NO_FURTHER_ACTION),
        reference_label="Crime reference number",
        needs_reference=frozenset({Outcome.CRIME_RECORDED}),
    ),
    StepKind.LEGAL_ADVICE: StepOutcomes((Outcome.ADVICE_RECEIVED, Outcome.LETTER_BEFORE_ACTION)),
    StepKind.SAFEGUARDING_REFERRAL: StepOutcomes(
        (Outcome.ACCEPTED, Outcome.NO_FURTHER_ACTION), reference_label="The agency's reference"
    ),
    StepKind.HOST_CONTACT: StepOutcomes(
        (Outcome.REMOVED, Outcome.REFUSED, Outcome.NO_REPLY), reference_label="The provider's reference"
    ),
    StepKind.LADO_REFERRAL: StepOutcomes(
        (Outcome.ADVICE_GIVEN, Outcome.INVESTIGATING, Outcome.NO_FURTHER_ACTION),
        reference_label="The LADO's reference",
    ),
    StepKind.POSH_ESCALATION: StepOutcomes(
        (Outcome.REMOVED, Outcome.REFUSED, Outcome.ADVICE_GIVEN, Outcome.NO_REPLY),
        reference_label="POSH's reference",
    ),
    # Sent by the portal itself (incidents/cluster): no outcome is recorded by hand.
    StepKind.CLUSTER_ALERT: StepOutcomes(()),
}


def outcomes_for(kind: str) -> StepOutcomes:
    return OUTCOMES.get(StepKind(kind), DONE_OR_NOT)


def choices_for(kind: str) -> list[tuple[str, str]]:
    return [(outcome.value, outcome.label) for outcome in outcomes_for(kind).choices]


def offers(kind: str, outcome: str) -> bool:
    return outcome in outcomes_for(kind).choices


# How an outcome recorded before outcomes were per kind reads now (the data migration copies this
# table, as migrations must not import the app): "complied" is the good end of each kind, "not
# complied" the other; "not applicable" becomes a skip with its reason said.
LEGACY: dict[StepKind, dict[str, Outcome]] = {
    StepKind.PLATFORM_REPORT: {"complied": Outcome.REMOVED, "not_complied": Outcome.REFUSED},
    StepKind.UNDERAGE_REPORT: {"complied": Outcome.REMOVED, "not_complied": Outcome.REFUSED},
    StepKind.HOST_CONTACT: {"complied": Outcome.REMOVED, "not_complied": Outcome.REFUSED},
    StepKind.REMOVAL_REQUEST: {"complied": Outcome.REMOVED, "not_complied": Outcome.REFUSED},
    StepKind.HEADTEACHER_MEETING: {"complied": Outcome.HELD, "not_complied": Outcome.DECLINED},
    StepKind.WRITTEN_WARNING: {"complied": Outcome.SENT, "not_complied": Outcome.SENT},
    StepKind.POLICE_REFERRAL: {"complied": Outcome.ADVICE_GIVEN, "not_complied": Outcome.NO_FURTHER_ACTION},
    StepKind.LEGAL_ADVICE: {"complied": Outcome.ADVICE_RECEIVED, "not_complied": Outcome.ADVICE_RECEIVED},
    StepKind.SAFEGUARDING_REFERRAL: {"complied": Outcome.ACCEPTED, "not_complied": Outcome.NO_FURTHER_ACTION},
}


def from_legacy(kind: str, outcome: str, reference: str = "") -> str:
    """The outcome a legacy value becomes on a step of `kind` (a police step with a crime reference
    number is "crime reference given"); "not_applicable" becomes "skipped"."""
    if outcome == Outcome.NOT_APPLICABLE:
        return Outcome.SKIPPED
    if kind == StepKind.POLICE_REFERRAL and outcome == Outcome.COMPLIED and reference:
        return Outcome.CRIME_RECORDED
    mapped = LEGACY.get(StepKind(kind), {"complied": Outcome.DONE, "not_complied": Outcome.NOT_DONE})
    return mapped.get(outcome, outcome)
