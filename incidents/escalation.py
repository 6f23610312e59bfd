"""The escalation rules: which step to suggest next, from the facts of an incident.

Pure functions over plain data, no database and no I/O, so every rule is tested on its own.
The rules only suggest; the headteacher decides, and a step they skip is recorded with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .models.choices import DISCRIMINATORY_NATURES, Nature, Outcome, PosterKind, StepKind

# The ladder, in the order the policy climbs it. The last rung depends on the facts: police for
# threats, discrimination and harassment, legal advice for a defamatory statement.
LADDER: tuple[StepKind, ...] = (
    StepKind.PLATFORM_REPORT,
    StepKind.REMOVAL_REQUEST,
    StepKind.HEADTEACHER_MEETING,
    StepKind.WRITTEN_WARNING,
    StepKind.POLICE_REFERRAL,
)

# Days from planning a step to its due date, unless the headteacher picks another date.
DEFAULT_DUE_DAYS: dict[StepKind, int] = {
    StepKind.PLATFORM_REPORT: 1,
    StepKind.REMOVAL_REQUEST: 7,
    StepKind.HEADTEACHER_MEETING: 10,
    StepKind.WRITTEN_WARNING: 7,
    StepKind.POLICE_REFERRAL: 1,
    StepKind.LEGAL_ADVICE: 14,
    StepKind.SAFEGUARDING_REFERRAL: 1,
    StepKind.HOST_CONTACT: 7,
    StepKind.FORUM_RESTRICTION: 3,
    StepKind.PREMISES_BAN: 7,
    StepKind.STAFF_DISCIPLINARY: 5,
    StepKind.ANTI_BULLYING: 5,
    StepKind.CLUSTER_ALERT: 3,
    StepKind.UNDERAGE_REPORT: 2,
    StepKind.RISK_ASSESSMENT: 1,
    StepKind.LADO_REFERRAL: 1,
    StepKind.POSH_ESCALATION: 2,
}

# POSH (the UK Safer Internet Centre's Professionals Online Safety Helpline) asks schools to give
# the platform this long to act on a report before escalating to them.
POSH_WAIT = timedelta(hours=48)
# A platform report still waiting or marked "no reply": the platform has not acted.
NOT_ACTED = frozenset({Outcome.PENDING, Outcome.NO_REPLY})
PLATFORM_REPORTS = frozenset({StepKind.PLATFORM_REPORT, StepKind.UNDERAGE_REPORT})

# Staff safety. A threat is about a named adult when the "who is it aimed at" answer or the post
# names a member of staff (one of the school's own staff surnames, or a title or job word); the
# post's own words can show the threat or the exposure even when the reporter ticked neither box.
# Plain patterns, each with a worked example in tests/incidents/test_escalation.py.
STAFF_WORDS = re.compile(
    r"\b(mr|mrs|miss|ms|mx|dr|sir|teacher|head|headteacher|headmaster|headmistress|deputy|"
    r"staff|TA|caretaker|receptionist|office|SENCO|DSL|governor)\b\.?",
    re.IGNORECASE,
)
THREAT_CUES = re.compile(
    r"know(s)? where (s?he|they|you|him|her) live|"
    r"\b(hurt|kill|batter|smash|stab|punch|slap|beat up|sort out|come for|coming for)\s+(him|her|them|you)\b|"
    r"\bwait(ing)? for (him|her|them|you) (outside|at|after|by)\b|"
    r"watch (your|her|his|their) back|won't know what hit|regret it\b|"
    r"\b(i'll|i will|we'll|we will|i'm going to) be (waiting )?(outside|at) the (school )?gates?\b",
    re.IGNORECASE,
)
EXPOSURE_CUES = re.compile(
    r"know(s)? where (s?he|they|him|her) live|home address|\blives (at|on|in|near|round)\b|"
    r"\b(her|his|their) (house|home|husband|wife|partner)\b|"
    r"\b(her|his|their) (kids|children|son|daughter) (go|goes|attend|attends|are|is) (to|at)\b|"
    r"\b\d+[a-z]? [A-Z][a-z]+ (road|street|avenue|close|lane|drive|way|crescent|gardens)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Facts:
    """What the rules look at. Built from an incident by `facts_of`, or by hand in tests."""

    natures: frozenset[str] = frozenset()
    poster_kind: str = PosterKind.UNKNOWN
    pupils_identifiable: bool = False
    safeguarding_concern: bool = False
    harassment: bool = False
    platform_name: str = ""
    platform_minimum_age: int | None = None
    # The staff-safety decision already on the case (Incident.staff_safety), for a case read back.
    staff_safety: bool = False
    # An allegation about a member of staff that meets the harm threshold (KCSIE part four).
    staff_allegation_harm: bool = False
    # The platform report was made 48 hours ago or more and the platform has not acted.
    platform_not_acted: bool = False
    # Only while deciding (filing, triage): the post, who it is aimed at, the school's staff surnames.
    content: str = ""
    targeted: str = ""
    staff_surnames: frozenset[str] = frozenset()

    @property
    def names_staff(self) -> bool:
        """The post or the "aimed at" answer names an adult at the school."""
        text = f"{self.targeted}\n{self.content}"
        if STAFF_WORDS.search(self.targeted):
            return True
        words = {word.lower() for word in re.findall(r"[\w'-]+", text)}
        return bool(words & {name.lower() for name in self.staff_surnames})

    @property
    def threatens_staff(self) -> bool:
        """A threat of violence against a named adult."""
        return self.names_staff and (Nature.THREAT in self.natures or bool(THREAT_CUES.search(self.content)))

    @property
    def exposes_staff(self) -> bool:
        """A post that reveals a member of staff's home address or family."""
        return Nature.STAFF_PRIVATE in self.natures or (self.names_staff and bool(EXPOSURE_CUES.search(self.content)))


@dataclass(frozen=True)
class Rule:
    """When any condition holds, suggest `step`. `urgent` puts it first and says "now".

    Conditions: `natures` (any of these ticked), `flags` (any of these Facts booleans true),
    `poster` (the poster is one of these kinds).
    """

    name: str
    step: StepKind
    reason: str
    natures: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    poster: frozenset[str] = frozenset()
    urgent: bool = False
    alert_dsl: bool = False
    # Tell the headteacher and the DSL at once, and badge the case "Staff safety".
    staff_safety: bool = False


STAFF_SAFETY_FLAGS = frozenset({"staff_safety", "threatens_staff", "exposes_staff"})

RULES: tuple[Rule, ...] = (
    Rule(
        "staff-safety",
        StepKind.POLICE_REFERRAL,
        "A member of staff is threatened, or where they live or their family is revealed: "
        "tell the police today and keep them safe in the meantime.",
        flags=STAFF_SAFETY_FLAGS,
        urgent=True,
        staff_safety=True,
    ),
    Rule(
        "staff-risk-assessment",
        StepKind.RISK_ASSESSMENT,
        "Assess the risk to the member of staff with them today: the journey to and from school, "
        "the gates at drop-off and pick-up, and their home.",
        flags=STAFF_SAFETY_FLAGS,
        urgent=True,
        staff_safety=True,
    ),
    Rule(
        "lado",
        StepKind.LADO_REFERRAL,
        "The allegation about a member of staff meets the harm threshold: tell the local authority "
        "designated officer (LADO) within one working day, before investigating it yourselves.",
        flags=frozenset({"staff_allegation_harm"}),
        urgent=True,
    ),
    Rule(
        "posh",
        StepKind.POSH_ESCALATION,
        "The platform has not acted 48 hours after the report: ask POSH, the Professionals Online Safety "
        "Helpline, to escalate it with the platform. The summary for them is prepared.",
        flags=frozenset({"platform_not_acted"}),
    ),
    Rule(
        "threat",
        StepKind.POLICE_REFERRAL,
        "The post threatens violence: refer it to the police straight away.",
        natures=frozenset({Nature.THREAT}),
        urgent=True,
    ),
    Rule(
        "discriminatory",
        StepKind.POLICE_REFERRAL,
        "The post is discriminatory, which may be a hate crime: refer it to the police straight away.",
        natures=DISCRIMINATORY_NATURES,
        urgent=True,
    ),
    Rule(
        "harassment",
        StepKind.POLICE_REFERRAL,
        "Repeated posts aimed at the same person may be harassment: refer it to the police.",
        flags=frozenset({"harassment"}),
        urgent=True,
    ),
    Rule(
        "safeguarding",
        StepKind.SAFEGUARDING_REFERRAL,
        "Pupils can be identified or a safeguarding concern was raised: the DSL should consider a referral today.",
        flags=frozenset({"pupils_identifiable", "safeguarding_concern"}),
        urgent=True,
        alert_dsl=True,
    ),
    Rule(
        "images",
        StepKind.PLATFORM_REPORT,
        "Pictures of pupils were posted without consent: ask the platform to take them down.",
        natures=frozenset({Nature.IMAGES}),
        urgent=True,
    ),
    Rule(
        "underage",
        StepKind.UNDERAGE_REPORT,
        "The account looks under the platform's minimum age: report it to the platform.",
        natures=frozenset({Nature.UNDERAGE}),
    ),
    Rule(
        "pupil-poster",
        StepKind.ANTI_BULLYING,
        "The poster is a pupil: follow the school's anti-bullying procedure.",
        poster=frozenset({PosterKind.PUPIL}),
    ),
    Rule(
        "staff-poster",
        StepKind.STAFF_DISCIPLINARY,
        "The poster is a member of staff: this follows the staff disciplinary route.",
        poster=frozenset({PosterKind.STAFF}),
    ),
    Rule(
        "staff-conduct",
        StepKind.STAFF_DISCIPLINARY,
        "The report is about a member of staff's conduct online: this follows the staff disciplinary route.",
        natures=frozenset({Nature.STAFF_CONDUCT}),
    ),
    Rule(
        "defamatory",
        StepKind.LEGAL_ADVICE,
        "A defamatory statement may need legal advice if the poster will not remove it.",
        natures=frozenset({Nature.DEFAMATORY}),
    ),
)


@dataclass(frozen=True)
class Suggestion:
    step: StepKind
    reasons: tuple[str, ...]
    urgent: bool = False
    detail: str = ""

    @property
    def label(self) -> str:
        return self.step.label


def rule_applies(rule: Rule, facts: Facts) -> bool:
    return bool(
        (rule.natures & facts.natures)
        or any(getattr(facts, flag) for flag in rule.flags)
        or (facts.poster_kind in rule.poster)
    )


def matching_rules(facts: Facts) -> list[Rule]:
    return [rule for rule in RULES if rule_applies(rule, facts)]


def needs_dsl_alert(facts: Facts) -> bool:
    """Identifiable pupils or a safeguarding concern: tell the DSL at once."""
    return any(rule.alert_dsl for rule in matching_rules(facts))


def is_staff_safety(facts: Facts) -> bool:
    """A threat to a named adult or a post revealing their home or family: badge the case, mark it
    urgent and tell the headteacher and the DSL at once."""
    return any(rule.staff_safety for rule in matching_rules(facts))


def platform_not_acted(steps: list[tuple[str, str, datetime]], now: datetime) -> bool:
    """From (kind, outcome, reported at) of an incident's steps: a report to the platform made at
    least POSH_WAIT ago that the platform has not acted on (still waiting, or no reply)."""
    return any(
        kind in PLATFORM_REPORTS and outcome in NOT_ACTED and now - reported_at >= POSH_WAIT
        for kind, outcome, reported_at in steps
    )


def next_ladder_step(done: set[str] | frozenset[str]) -> StepKind | None:
    """The first rung of the ladder not yet planned, done or skipped."""
    return next((kind for kind in LADDER if kind not in done), None)


def minimum_age_note(facts: Facts) -> str:
    if facts.platform_minimum_age:
        return f"{facts.platform_name or 'The platform'} requires account holders to be at least {facts.platform_minimum_age}."
    return ""


def suggest_steps(facts: Facts, done: set[str] | frozenset[str] = frozenset()) -> list[Suggestion]:
    """What to do next: the rules' suggestions (urgent first), then the next rung of the ladder.

    `done` holds the kinds of step already planned, completed or skipped; they are not suggested again.
    """
    merged: dict[StepKind, Suggestion] = {}
    for rule in matching_rules(facts):
        if rule.step in done:
            continue
        detail = minimum_age_note(facts) if rule.step in (StepKind.UNDERAGE_REPORT, StepKind.PLATFORM_REPORT) else ""
        previous = merged.get(rule.step)
        if previous is None:
            merged[rule.step] = Suggestion(rule.step, (rule.reason,), rule.urgent, detail)
        else:
            merged[rule.step] = Suggestion(
                rule.step, (*previous.reasons, rule.reason), previous.urgent or rule.urgent, previous.detail or detail
            )
    ladder_step = next_ladder_step(done)
    if ladder_step is not None and ladder_step not in merged:
        reason = (
            "Start by reporting the post to the platform."
            if ladder_step == LADDER[0]
            else "The next step of the school's procedure."
        )
        merged[ladder_step] = Suggestion(
            ladder_step, (reason,), False, minimum_age_note(facts) if ladder_step == LADDER[0] else ""
        )
    return sorted(merged.values(), key=lambda s: (not s.urgent, _order(s.step)))


def _order(kind: StepKind) -> int:
    return list(StepKind).index(kind)


def default_due_date(kind: str, today: date) -> date:
    return today + timedelta(days=DEFAULT_DUE_DAYS.get(StepKind(kind), 7))


def earliest_due(steps: list[tuple[str, date | None]]) -> date | None:
    """The next deadline among (outcome, due_date) pairs: only steps still waiting count."""
    dates = [due for outcome, due in steps if outcome == Outcome.PENDING and due is not None]
    return min(dates) if dates else None


def is_overdue(outcome: str, due: date | None, today: date) -> bool:
    return outcome == Outcome.PENDING and due is not None and due < today


def facts_of(incident, natures: list[str] | None = None, staff_surnames: frozenset[str] | None = None) -> Facts:
    """Facts from an incident already loaded (with its platform); reads attributes only.

    With `staff_surnames` the facts are for deciding staff safety afresh from the post's words (when
    it is filed); without, the case's stored decision stands (what the headteacher confirmed)."""
    codes = natures if natures is not None else incident.nature_codes
    deciding = staff_surnames is not None
    return Facts(
        staff_safety=False if deciding else incident.staff_safety,
        staff_allegation_harm=bool(
            getattr(incident, "allegation_about_id", None) and getattr(incident, "meets_harm_threshold", False)
        ),
        content=incident.content if deciding else "",
        targeted=incident.targeted if deciding else "",
        staff_surnames=staff_surnames or frozenset(),
        natures=frozenset(codes),
        poster_kind=incident.poster_kind,
        pupils_identifiable=incident.pupils_identifiable,
        safeguarding_concern=incident.safeguarding_concern,
        harassment=incident.harassment,
        platform_name=incident.platform.name,
        platform_minimum_age=incident.platform.minimum_age,
    )
