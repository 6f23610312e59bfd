"""A year of past incidents for each demo school, so the headteacher's charts and the governors'
report show a school's year rather than one bar for this month.

Each case is filed and worked through the actions (triage, steps, outcomes, status changes), so
the rules apply as they do for a real one; only the times are then moved back to when it happened,
with `seconds_to_resolve` recomputed from the moved `resolved_at`. References are taken in the
year the incident was made (NBP-2025-0012 for a case from 2025) through the same sequence new
reports use, so a report made in the demo afterwards gets the next free number.

Idempotent: a case is found again by its text within the school; running the seed again adds
nothing. The audit history rows (django-simple-history) keep the time the demo was written.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, School, User
from incidents import actions, escalation, outcomes
from incidents.models import (
    EntryKind,
    EscalationStep,
    Incident,
    IncidentNature,
    Outcome,
    Platform,
    Severity,
    Status,
    StepKind,
    TimelineEntry,
    seconds_between,
)

from .incident_stories import CASES, CLOSED, NO_ACTION, OPEN, RESOLVED, Case

# How busy each calendar month tends to be: the start of the autumn term is the spike, the summer
# holiday and the Easter break are quiet.
MONTH_WEIGHTS = {1: 3, 2: 2, 3: 3, 4: 1, 5: 3, 6: 3, 7: 4, 8: 0.3, 9: 7, 10: 3, 11: 3, 12: 3}
CASES_PER_SCHOOL = (27, 32)
# Stories (incidents/demo.py) are up to 30 days old; the history stays older than all of them.
NEWEST = timedelta(days=31, hours=6)
# Cases still open are recent: reported last month, their waiting step planned in the last few days.
OPEN_MONTHS_BACK = (1,)
# How many days an answer usually takes, by kind of step.
RESPONSE_DAYS: dict[str, tuple[float, float]] = {
    StepKind.PLATFORM_REPORT: (1, 4),
    StepKind.UNDERAGE_REPORT: (2, 5),
    StepKind.REMOVAL_REQUEST: (1, 6),
    StepKind.ANTI_BULLYING: (3, 8),
    StepKind.HEADTEACHER_MEETING: (3, 10),
    StepKind.WRITTEN_WARNING: (4, 10),
    StepKind.POLICE_REFERRAL: (3, 14),
    StepKind.SAFEGUARDING_REFERRAL: (1, 5),
    StepKind.STAFF_DISCIPLINARY: (3, 8),
    StepKind.LEGAL_ADVICE: (7, 20),
}


TRIAGE_NOTES = (
    "Looked at the post; screenshots saved.",
    "Checked with the class teacher; screenshots kept.",
    "Post seen by the DSL and the head; evidence saved.",
)
RESOLVE_REASONS = (
    "The post has gone and the family were told.",
    "Removed; no further posts since.",
    "Sorted with the parents; nothing more to do.",
)
CLOSE_REASONS = (
    "Nothing further in the weeks after; closing the case.",
    "Checked again: no new posts. Closed.",
)


@dataclass
class Plan:
    """When each thing happened to one past case."""

    case: Case
    created: datetime
    triaged: datetime | None = None
    alerted: datetime | None = None
    statuses: list[datetime] = field(default_factory=list)
    step_times: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    steps: dict[int, tuple[datetime, datetime | None]] = field(default_factory=dict)
    incident: Incident | None = None


def seed_school(school: School, people: dict) -> int:
    """Add the school's past incidents that are not there yet; returns how many were added."""
    rng = random.Random(f"history:{school.short_code}")
    chosen = rng.sample(CASES, rng.randint(*CASES_PER_SCHOOL))
    have = set(
        Incident.objects.filter(school=school, content__in=[case.content for case in chosen]).values_list(
            "content", flat=True
        )
    )
    now = timezone.now()
    plans = sorted((_plan(case, now, rng) for case in chosen), key=lambda plan: plan.created)
    plans = [plan for plan in plans if plan.case.content not in have]
    if not plans:
        return 0
    platforms = {platform.name: platform for platform in Platform.objects.shared()}
    reporters = _reporters(school, people)
    head = people[Role.HEADTEACHER]
    dsl = people.get(Role.DSL, head)
    with transaction.atomic():
        for plan in plans:
            _work(school, plan, platforms[plan.case.platform], rng.choice(reporters), head, dsl, rng)
        _move_back(plans, now)
    from incidents import figures  # moved back by update(): recount the kept figures (and the cache)

    figures.rebuild_school(school.pk)
    return len(plans)


def _reporters(school: School, people: dict) -> list[tuple[User, str]]:
    """Staff report most cases; the rest come from parents other than the two demo parent logins."""
    staff = [(people[role], role) for role in (Role.STAFF, Role.OFFICE, Role.DSL, Role.HEADTEACHER) if role in people]
    parents = list(
        Membership.objects.filter(school=school, role=Role.PARENT, is_active=True)
        .select_related("user")
        .order_by("pk")[2:12]
    )
    return staff * 2 + [(m.user, Role.PARENT) for m in parents[:: max(len(parents) // 4, 1)]]


def _plan(case: Case, now: datetime, rng: random.Random) -> Plan:
    created = _when(case, now, rng)
    plan = Plan(case, created)
    if case.identifiable or case.safeguarding:
        plan.alerted = created + timedelta(minutes=rng.randint(5, 40))
    if case.end == NO_ACTION:
        plan.statuses = [created + timedelta(days=rng.uniform(*case.days))]
        return plan
    urgent = case.severity in (Severity.HIGH, Severity.CRITICAL)
    plan.triaged = created + timedelta(hours=rng.uniform(0.5, 3) if urgent else rng.uniform(2, 26))
    if case.end == OPEN:
        finish = now - timedelta(days=rng.uniform(1, 4))
    else:
        finish = min(created + timedelta(days=rng.uniform(*case.days)), now - timedelta(days=2))
        finish = max(finish, plan.triaged + timedelta(hours=6))
        plan.statuses = [finish]
        if case.end == CLOSED:
            plan.statuses.append(min(finish + timedelta(days=rng.uniform(2, 12)), now - timedelta(days=1)))
    start = plan.triaged + timedelta(minutes=rng.randint(10, 90))
    # Each step takes about as long as that kind usually does, one after the other; squeezed if the
    # case was resolved sooner, followed by a quiet spell of watching if it was resolved later.
    delays = [timedelta(days=rng.uniform(*RESPONSE_DAYS.get(kind, (2, 7)))) for kind, _outcome, _notes in case.steps]
    gap = timedelta(hours=rng.uniform(2, 20))
    needed = sum(delays, timedelta()) + gap * len(delays)
    scale = min(1.0, (finish - start) * 0.9 / needed) if delays else 1.0
    moment = start
    for (_kind, outcome, _notes), delay in zip(case.steps, delays, strict=True):
        if not outcome:
            moment = max(moment, now - timedelta(days=rng.uniform(2, 5)))
        done = moment + delay * scale if outcome else None
        plan.step_times.append((moment, done))
        moment = (done or moment) + gap * scale
    return plan


def _when(case: Case, now: datetime, rng: random.Random) -> datetime:
    """A moment in one of the 11 months before this one (open cases: the last one): the case's own
    month if it has one, otherwise a month drawn by how busy schools usually are then."""
    today = timezone.localdate(now)
    backs = OPEN_MONTHS_BACK if case.end == OPEN else range(1, 12)
    months = [_months_back(today, back) for back in backs]
    own = [month for month in months if month.month == case.month]
    month = own[0] if own else rng.choices(months, weights=[MONTH_WEIGHTS[m.month] for m in months])[0]
    day = rng.randint(1, calendar.monthrange(month.year, month.month)[1])
    moment = timezone.make_aware(
        datetime(month.year, month.month, day, rng.randint(7, 21), rng.randint(0, 59), rng.randint(0, 59))
    )
    return min(moment, now - NEWEST - timedelta(hours=rng.randint(0, 72)))


def _months_back(today: date, back: int) -> date:
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _work(
    school: School,
    plan: Plan,
    platform: Platform,
    reporter: tuple[User, str],
    head: User,
    dsl: User,
    rng: random.Random,
) -> None:
    case = plan.case
    incident = _file(school, plan, platform, reporter, rng)
    plan.incident = incident
    owner = dsl if case.severity in (Severity.HIGH, Severity.CRITICAL) or case.safeguarding else head
    if case.end == NO_ACTION:
        actions.change_status(incident=incident, by=head, status=Status.NO_ACTION, reason=case.reason)
        return
    actions.triage(
        incident=incident,
        by=head,
        severity=case.severity,
        natures=case.natures,
        poster_kind=case.poster,
        owner=owner,
        harassment=case.harassment,
        note=rng.choice(TRIAGE_NOTES),
    )
    for (kind, outcome, notes), times in zip(case.steps, plan.step_times, strict=True):
        step = actions.add_step(incident=incident, by=owner, kind=kind)
        plan.steps[step.pk] = times
        if outcome:
            reference = _reference_for(kind, times[1], rng)
            actions.record_step_outcome(
                step=step,
                by=owner,
                # The stories say "complied" or not; each kind of step has its own words for it.
                outcome=outcomes.from_legacy(kind, outcome, reference),
                notes=notes,
                external_reference=reference,
                meeting_at=times[1] if kind == StepKind.HEADTEACHER_MEETING else None,
                attendees="Headteacher, class teacher and parents" if kind == StepKind.HEADTEACHER_MEETING else "",
            )
    if case.end in (RESOLVED, CLOSED):
        reason = case.reason or rng.choice(RESOLVE_REASONS)
        actions.change_status(incident=incident, by=owner, status=Status.RESOLVED, reason=reason)
    if case.end == CLOSED:
        actions.change_status(incident=incident, by=head, status=Status.CLOSED, reason=rng.choice(CLOSE_REASONS))


def _file(school: School, plan: Plan, platform: Platform, reporter: tuple[User, str], rng: random.Random) -> Incident:
    """What actions.report does, at the moment the case was reported: the number comes from that
    year's sequence. The DSL alert of the time is recorded as sent then, so nothing is emailed now."""
    case, created = plan.case, plan.created
    user, role = reporter
    year = timezone.localdate(created).year
    number, reference = actions.next_reference(school, year)
    seen = created - timedelta(hours=rng.uniform(0.2, 10))
    incident = Incident(
        school=school,
        reporter=user,
        reporter_role=role,
        reference=reference,
        year=year,
        number=number,
        urls=[f"https://example.org/post/{school.short_code.lower()}-{year}-{number}"],
        platform=platform,
        account_name=case.account,
        posted_at=seen - timedelta(hours=rng.uniform(0.5, 30)),
        seen_at=seen,
        content=case.content,
        targeted=case.targeted,
        poster_kind=case.poster,
        poster_certainty=rng.choice(["certain", "likely", "unsure"]),
        pupils_identifiable=case.identifiable,
        safeguarding_concern=case.safeguarding,
        dsl_alerted_at=plan.alerted,
        created_at=created,
    )
    incident.save()
    for code in sorted(set(case.natures)):
        IncidentNature(incident=incident, nature=code).save()
    entries = [
        TimelineEntry(
            incident=incident,
            actor=user,
            kind=EntryKind.REPORTED,
            summary=f"Reported by {user.full_name}",
            internal=False,
            at=created,
        )
    ]
    if plan.alerted:
        entries.append(
            TimelineEntry(
                incident=incident,
                kind=EntryKind.ALERT,
                summary="The designated safeguarding lead was alerted by email",
                at=plan.alerted,
            )
        )
    for entry in entries:
        entry.save()
    return incident


def _reference_for(kind: str, when: datetime | None, rng: random.Random) -> str:
    if kind in (StepKind.PLATFORM_REPORT, StepKind.UNDERAGE_REPORT):
        return f"{rng.randint(10**8, 10**9 - 1)}"
    if kind == StepKind.POLICE_REFERRAL and when:
        return f"CR/{rng.randint(10000, 99999)}/{when:%y}"
    if kind == StepKind.SAFEGUARDING_REFERRAL:
        return f"EH-{rng.randint(1000, 9999)}"
    return ""


def _move_back(plans: list[Plan], now: datetime) -> None:
    """Put every time written by the actions back to when it happened in the plan, in three bulk
    updates; time to resolve is recomputed from the moved times."""
    by_pk = {plan.incident.pk: plan for plan in plans if plan.incident is not None}
    incidents = Incident.objects.filter(pk__in=by_pk).only("pk", "status", "created_at", "resolved_at")
    steps = list(EscalationStep.objects.filter(incident__in=by_pk).order_by("pk"))
    entries = list(TimelineEntry.objects.filter(incident__in=by_pk).order_by("pk"))

    waiting: dict[int, list[date]] = {}
    for step in steps:
        added, done = by_pk[step.incident_id].steps[step.pk]
        step.created_at = added
        step.completed_at = done if step.completed_at else None
        if step.outcome == Outcome.PENDING:
            # Still waiting: due a few days from now, as a case worked on last week would be.
            step.due_date = timezone.localdate(now) + timedelta(
                days=escalation.DEFAULT_DUE_DAYS.get(StepKind(step.kind), 7)
            )
            waiting.setdefault(step.incident_id, []).append(step.due_date)
        else:
            step.due_date = escalation.default_due_date(step.kind, timezone.localdate(added))
    EscalationStep.objects.bulk_update(steps, ["created_at", "completed_at", "due_date"])

    statuses_seen: dict[int, int] = {}
    steps_by_pk = {step.pk: step for step in steps}
    for entry in entries:
        plan = by_pk[entry.incident_id]
        entry_step = steps_by_pk.get(entry.step_id) if entry.step_id is not None else None
        if entry.kind == EntryKind.TRIAGED and plan.triaged:
            entry.at = plan.triaged
        elif entry.kind == EntryKind.STEP_ADDED and entry_step:
            entry.at = entry_step.created_at
            entry.summary = f"Planned: {entry_step.get_kind_display()}, due {entry_step.due_date:%d/%m/%Y}"
        elif entry.kind == EntryKind.STEP_OUTCOME and entry_step and entry_step.completed_at:
            entry.at = entry_step.completed_at
        elif entry.kind == EntryKind.STATUS:
            seen = statuses_seen.get(entry.incident_id, 0)
            entry.at = plan.statuses[seen]
            statuses_seen[entry.incident_id] = seen + 1
    TimelineEntry.objects.bulk_update(entries, ["at", "summary"])

    rows = []
    for incident in incidents:
        plan = by_pk[incident.pk]
        incident.triaged_at = plan.triaged
        incident.resolved_at = plan.statuses[0] if plan.statuses else None
        incident.seconds_to_resolve = seconds_between(incident.created_at, incident.resolved_at)
        incident.next_due_on = min(waiting[incident.pk]) if incident.pk in waiting else None
        incident.updated_at = max(
            [plan.created, *plan.statuses, *(t for pair in plan.steps.values() for t in pair if t)]
        )
        rows.append(incident)
    Incident.objects.bulk_update(rows, ["triaged_at", "resolved_at", "seconds_to_resolve", "next_due_on", "updated_at"])
