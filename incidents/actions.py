"""Every write to an incident goes through here: one atomic function per act, each leaving a
timeline entry (and, through django-simple-history, an audit row), side effects after commit."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Pupil, Role, School, User
from files import staging
from files.models import StagedUpload
from notifications.outbox import notify
from schoolsocial.lib.concurrency import check_version
from schoolsocial.lib.uploads import Inspected

from . import escalation, timeline
from . import pupil_links as pupil_link_changes
from .models import (
    INCIDENT_WORKFLOW,
    EntryKind,
    EscalationStep,
    Evidence,
    Incident,
    IncidentNature,
    IncidentSequence,
    Outcome,
    Severity,
    Status,
    StepKind,
    TimelineEntry,
)
from .outcomes import offers, outcomes_for


class ActionError(Exception):
    """The act is not possible now; the message says why, for the person who tried."""


# --- References -------------------------------------------------------------------------------


def next_reference(school: School, year: int) -> tuple[int, str]:
    """Take the next number for `school` in `year`, e.g. (7, "NBP-2026-0007").

    The sequence row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE
    transactions serialise writers), so two reports filed at the same moment never share a number.
    Must run inside a transaction.
    """
    IncidentSequence.objects.get_or_create(school=school, year=year)
    sequence = IncidentSequence.objects.select_for_update().get(school=school, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number, f"{school.short_code}-{year}-{sequence.last_number:04d}"


def example_reference(school: School) -> str:
    """What a reference of `school` looks like, for help texts: its own code, this year."""
    return f"{school.short_code}-{timezone.localdate().year}-0007"


# --- Files ------------------------------------------------------------------------------------


# Staged files are kept and promoted by files/staging.py, the one way a file enters storage.


# --- Reporting --------------------------------------------------------------------------------


REPORT_FIELDS = (
    "platform",
    "account_name",
    "posted_at",
    "seen_at",
    "content",
    "targeted",
    "poster_kind",
    "poster_certainty",
    "pupils_identifiable",
    "safeguarding_concern",
    "on_school_equipment",
    "site_blocked_on",
    "not_known",
)


@transaction.atomic
def report(
    *,
    school: School,
    reporter: User,
    role: str,
    details: dict,
    natures: Iterable[str],
    urls: list[str],
    staged: Iterable[StagedUpload] = (),
) -> Incident:
    """File a new report with its evidence; alert the DSL at once if the facts call for it."""
    platform = details.get("platform")
    if platform is not None and platform.school_id not in (None, school.pk):
        raise ActionError("That platform belongs to another school.")
    now = timezone.now()
    year = timezone.localdate(now).year
    number, reference = next_reference(school, year)
    incident = Incident(
        school=school,
        reporter=reporter,
        reporter_role=role,
        reference=reference,
        year=year,
        number=number,
        urls=urls,
        created_at=now,
        **{name: details.get(name) for name in REPORT_FIELDS if name in details},
    )
    incident.save()
    nature_codes = sorted(set(natures))
    for code in nature_codes:
        IncidentNature(incident=incident, nature=code).save()
    _entry(incident, reporter, EntryKind.REPORTED, f"Reported by {reporter.full_name}", internal=False, at=now)
    files = []
    for item in staged:
        evidence = Evidence(school=incident.school, incident=incident, uploaded_by=item.uploaded_by)
        evidence.uploaded_at = item.created_at
        try:
            staging.promote(item, evidence)
        except staging.FileChanged as error:
            raise ActionError(str(error)) from error
        evidence.save()
        files.append(evidence)
    if files:
        _entry(incident, reporter, EntryKind.EVIDENCE, _files_summary(files), internal=False, at=now)
    _decide_staff_safety(incident, nature_codes)
    _alert_dsl_if_needed(incident, nature_codes)
    return incident


def _files_summary(files: list[Evidence]) -> str:
    names = ", ".join(item.original_name for item in files)
    noun = "file" if len(files) == 1 else "files"
    return f"{len(files)} evidence {noun} added: {names}"[:300]


@transaction.atomic
def add_evidence(
    *, incident: Incident, by: User, uploads: list[tuple[UploadedFile, Inspected]], description: str = ""
) -> list[Evidence]:
    """Attach more files. Existing evidence is never replaced."""
    if not uploads:
        raise ActionError("Choose at least one file to add.")
    files = []
    for upload, facts in uploads:
        evidence = Evidence(school=incident.school, incident=incident, uploaded_by=by, description=description[:300])
        staging.store_upload(evidence, upload, facts, fallback_name="evidence")
        evidence.save()
        files.append(evidence)
    _entry(incident, by, EntryKind.EVIDENCE, _files_summary(files), internal=by != incident.reporter)
    return files


# --- Triage and steps -------------------------------------------------------------------------


@transaction.atomic
def triage(
    *,
    incident: Incident,
    by: User,
    severity: str,
    natures: Iterable[str],
    poster_kind: str,
    owner: User | None,
    pupil_links: Iterable[tuple[Pupil, str]] | None = None,
    poster_parent: User | None = None,
    harassment: bool = False,
    pupils_identifiable: bool | None = None,
    safeguarding_concern: bool | None = None,
    staff_safety: bool | None = None,
    note: str = "",
    seen_version: int | None = None,
) -> Incident:
    """Confirm the facts, the severity and who owns the case; the report moves to "triaged".

    `pupil_links` (pupil, role) replaces the pupils linked to the case; None leaves them as they are.
    A pupil of another school is refused with ActionError.

    `staff_safety` is the headteacher's decision on the staff-safety flag; without it the rules
    decide again from the post and the natures now ticked.

    With `seen_version` (the version the form was opened at), a triage saved meanwhile by someone
    else wins and this one raises StaleEdit, changing nothing."""
    incident = _locked(incident)
    check_version(incident, seen_version)
    if incident.status in (Status.CLOSED, Status.RESOLVED):
        raise ActionError("This incident is finished. Reopen it before changing the triage.")
    incident.severity = severity
    incident.poster_kind = poster_kind
    incident.poster_parent = poster_parent
    incident.owner = owner
    incident.harassment = harassment
    if pupils_identifiable is not None:
        incident.pupils_identifiable = pupils_identifiable
    if safeguarding_concern is not None:
        incident.safeguarding_concern = safeguarding_concern
    incident.triaged_at = timezone.now()
    if incident.status in (Status.REPORTED, Status.NO_ACTION):
        INCIDENT_WORKFLOW.move(incident, Status.TRIAGED)
    incident.save()
    codes = sorted(set(natures))
    IncidentNature.objects.filter(incident=incident).exclude(nature__in=codes).delete()
    existing = set(IncidentNature.objects.filter(incident=incident).values_list("nature", flat=True))
    for code in codes:
        if code not in existing:
            IncidentNature(incident=incident, nature=code).save()
    changes: list[str] = []
    if pupil_links is not None:
        try:
            changes = pupil_link_changes.set_pupil_links(incident, pupil_links, by=by)
        except pupil_link_changes.PupilOfAnotherSchool as refused:
            raise ActionError(str(refused)) from refused
    owner_text = f"; owner {owner.full_name}" if owner else ""
    pupils_text = "".join(f"; {change}" for change in changes)
    _entry(
        incident,
        by,
        EntryKind.TRIAGED,
        f"Triaged as {incident.get_severity_display().lower()} severity{owner_text}{pupils_text}"[:300],
        body=note,
    )
    _decide_staff_safety(incident, codes, decided=staff_safety, mark_urgent=False)
    _alert_dsl_if_needed(incident, codes)
    return incident


def _require_open_for_steps(incident: Incident) -> None:
    if incident.status == Status.REPORTED:
        raise ActionError("Triage the report before planning steps.")
    if incident.status in (Status.CLOSED, Status.NO_ACTION, Status.RESOLVED):
        raise ActionError("This incident is not open. Reopen it to plan more steps.")


@transaction.atomic
def add_step(
    *,
    incident: Incident,
    by: User,
    kind: str,
    owner: User | None = None,
    due_date: date | None = None,
    notes: str = "",
) -> EscalationStep:
    incident = _locked(incident)
    _require_open_for_steps(incident)
    step = EscalationStep(
        incident=incident,
        kind=kind,
        owner=owner or incident.owner or by,
        due_date=due_date or escalation.default_due_date(kind, timezone.localdate()),
        notes=notes,
        created_by=by,
    )
    step.save()
    if incident.status == Status.TRIAGED:
        INCIDENT_WORKFLOW.move(incident, Status.IN_PROGRESS)
        incident.save()
    _entry(
        incident,
        by,
        EntryKind.STEP_ADDED,
        f"Planned: {step.get_kind_display()}, due {step.due_date:%d/%m/%Y}",
        body=notes,
        step=step,
    )
    refresh_next_due(incident)
    return step


@transaction.atomic
def record_step_outcome(
    *,
    step: EscalationStep,
    by: User,
    outcome: str,
    notes: str = "",
    external_reference: str = "",
    meeting_at: datetime | None = None,
    attendees: str = "",
    minutes: str = "",
    change: bool = False,
) -> EscalationStep:
    """Record what a step ended with: one of its kind's own outcomes (incidents/outcomes.py).

    With `change`, a step that already has an outcome (a warning letter marked "sent" when it went
    out, say) gets a new one; a skipped step or a sent cluster alert cannot be changed here."""
    step = EscalationStep.objects.select_for_update().select_related("incident").get(pk=step.pk)
    if step.kind == StepKind.CLUSTER_ALERT:
        raise ActionError("An alert to the cluster is recorded by sending it: write it, or skip the step.")
    if not step.is_pending and not (change and step.outcome != Outcome.SKIPPED):
        raise ActionError("This step already has an outcome.")
    kind_outcomes = outcomes_for(step.kind)
    if not offers(step.kind, outcome):
        raise ActionError("Choose one of the outcomes this step offers.")
    reference = (external_reference or step.external_reference).strip()
    if outcome in kind_outcomes.needs_reference and not reference:
        raise ActionError(f"Give the {kind_outcomes.reference_in_sentence} for this outcome.")
    if outcome in kind_outcomes.needs_attendees and not (attendees or step.attendees).strip():
        raise ActionError("Say who attended the meeting.")
    previous = step.get_outcome_display().lower() if not step.is_pending else ""
    step.outcome = outcome
    step.external_reference = reference
    step.meeting_at = meeting_at or step.meeting_at
    step.attendees = attendees or step.attendees
    step.minutes = minutes or step.minutes
    if notes:
        step.notes = f"{step.notes}\n\n{notes}".strip()
    step.completed_by = by
    step.completed_at = timezone.now()
    step.save()
    _entry(
        step.incident,
        by,
        EntryKind.STEP_OUTCOME,
        outcome_summary(step, previous=previous),
        body=_outcome_body(notes=notes, attendees=attendees, minutes=minutes),
        step=step,
    )
    refresh_next_due(step.incident)
    return step


def outcome_summary(step: EscalationStep, *, previous: str = "") -> str:
    """ "Report to the platform: refused (the platform's own reference FB-77)" for the timeline."""
    label = outcomes_for(step.kind).reference_in_sentence
    reference = f" ({label} {step.external_reference})" if step.external_reference else ""
    changed = f", changed from {previous}" if previous else ""
    return f"{step.get_kind_display()}: {step.get_outcome_display().lower()}{reference}{changed}"[:300]


def _outcome_body(*, notes: str, attendees: str, minutes: str) -> str:
    parts = [f"Who attended: {attendees}" if attendees else "", f"Minutes: {minutes}" if minutes else "", notes]
    return "\n\n".join(part.strip() for part in parts if part.strip())


@transaction.atomic
def skip_step(
    *, incident: Incident, by: User, reason: str, kind: str | None = None, step: EscalationStep | None = None
) -> EscalationStep:
    """Skip a suggested step (by `kind`) or a planned one (`step`), recording why."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("Say why the step is skipped: it is kept on the record.")
    incident = _locked(incident)
    _require_open_for_steps(incident)
    if step is not None:
        step = EscalationStep.objects.select_for_update().get(pk=step.pk, incident=incident)
        if not step.is_pending:
            raise ActionError("This step already has an outcome.")
    elif kind is None:
        raise ActionError("Choose the step to skip.")
    else:
        step = EscalationStep(incident=incident, kind=kind, owner=by, created_by=by)
    step.outcome = Outcome.SKIPPED
    step.skip_reason = reason
    step.completed_by = by
    step.completed_at = timezone.now()
    step.save()
    _entry(incident, by, EntryKind.STEP_SKIPPED, f"Skipped: {step.get_kind_display()}", body=reason, step=step)
    refresh_next_due(incident)
    return step


@transaction.atomic
def change_status(*, incident: Incident, by: User, status: str, reason: str = "") -> Incident:
    """Move the incident to `status`; refused with InvalidTransition (its message in plain words)
    when the workflow does not allow it from where the incident is now."""
    incident = _locked(incident)
    INCIDENT_WORKFLOW.move(incident, status)
    if status in (Status.RESOLVED, Status.CLOSED, Status.NO_ACTION) and not reason.strip():
        raise ActionError("Add a short reason: it is kept on the record.")
    incident.save()
    _entry(
        incident, by, EntryKind.STATUS, f"Status changed to {Status(status).label.lower()}", body=reason, internal=False
    )
    return incident


@transaction.atomic
def add_note(*, incident: Incident, by: User, text: str) -> TimelineEntry:
    text = (text or "").strip()
    if not text:
        raise ActionError("Write the note first.")
    return _entry(incident, by, EntryKind.NOTE, f"Note from {by.full_name}", body=text)


# --- Helpers ----------------------------------------------------------------------------------


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().select_related("platform", "school").get(pk=incident.pk)


def _entry(
    incident: Incident,
    actor: User | None,
    kind: str,
    summary: str,
    *,
    body: str = "",
    internal: bool = True,
    step: EscalationStep | None = None,
    at: datetime | None = None,
) -> TimelineEntry:
    return timeline.record(incident, actor, kind, summary, body=body, internal=internal, step=step, at=at)


def refresh_next_due(incident: Incident) -> None:
    """Set `incident.next_due_on` to the earliest due date among its waiting steps (none if no step
    waits). The actions here call it after every step change; call it too after changing a step's
    due date or outcome any other way (a bulk update, a data fix, the demo data)."""
    due = EscalationStep.objects.filter(incident=incident, outcome=Outcome.PENDING).aggregate(d=Min("due_date"))["d"]
    if due != incident.next_due_on:
        Incident.objects.filter(pk=incident.pk).update(next_due_on=due)
        incident.next_due_on = due


def dsl_addresses(school: School) -> list[str]:
    """The school's DSLs; the headteacher when no DSL is set up, so an alert never goes nowhere."""
    for roles in ((Role.DSL,), (Role.HEADTEACHER,)):
        emails = list(
            Membership.objects.active()
            .filter(school=school, role__in=roles, user__is_active=True)
            .values_list("user__email", flat=True)
        )
        if emails:
            return sorted(emails)
    return []


def _alert_dsl_if_needed(incident: Incident, nature_codes: list[str]) -> None:
    facts = escalation.facts_of(incident, natures=nature_codes)
    if incident.dsl_alerted_at is not None or not escalation.needs_dsl_alert(facts):
        return
    # The email names no child, no post and no reporter: only that a concern needs them, and where.
    sent = notify(
        key=f"incident-dsl-alert:{incident.pk}",
        to=dsl_addresses(incident.school),
        template="incident-dsl-alert",
        context={"school": incident.school, "url": reverse("incidents:detail", args=[incident.pk])},
        school=incident.school,
    )
    if sent is not None:
        now = timezone.now()
        Incident.objects.filter(pk=incident.pk).update(dsl_alerted_at=now)
        incident.dsl_alerted_at = now
        _entry(incident, None, EntryKind.ALERT, "The designated safeguarding lead was alerted by email")


def staff_surnames(school: School) -> frozenset[str]:
    """The surnames of the school's adults (staff, office, leaders, governors), for the staff-safety
    rule to see that a post names one of them."""
    names = (
        Membership.objects.active()
        .filter(school=school, user__is_active=True)
        .exclude(role=Role.PARENT)
        .values_list("user__full_name", flat=True)
    )
    return frozenset(words[-1] for name in names if len(words := name.split()) >= 2 and len(words[-1]) > 2)


def leader_addresses(school: School) -> list[str]:
    """The headteacher and the DSLs: who a threat to a member of staff goes to at once."""
    emails = (
        Membership.objects.active()
        .filter(school=school, role__in=(Role.HEADTEACHER, Role.DSL), user__is_active=True)
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails))


def _decide_staff_safety(
    incident: Incident, nature_codes: list[str], *, decided: bool | None = None, mark_urgent: bool = True
) -> None:
    """Raise or clear the staff-safety flag (the rules decide, unless the headteacher did); a flag
    newly raised by the rules marks the case critical; the first raise alerts the leaders once."""
    if decided is None:
        facts = escalation.facts_of(incident, natures=nature_codes, staff_surnames=staff_surnames(incident.school))
        decided = escalation.is_staff_safety(facts)
    changes: dict = {}
    if decided != incident.staff_safety:
        changes["staff_safety"] = decided
        if decided and mark_urgent and incident.severity != Severity.CRITICAL:
            changes["severity"] = Severity.CRITICAL
    if changes:
        Incident.objects.filter(pk=incident.pk).update(**changes)
        for name, value in changes.items():
            setattr(incident, name, value)
    if incident.staff_safety and incident.staff_safety_alerted_at is None:
        _alert_staff_safety(incident)


def _alert_staff_safety(incident: Incident) -> None:
    # As the safeguarding alert: no names, no words of the post, only that it needs them now, and where.
    sent = notify(
        key=f"incident-staff-safety-alert:{incident.pk}",
        to=leader_addresses(incident.school) or dsl_addresses(incident.school),
        template="incident-staff-safety-alert",
        context={"school": incident.school, "url": reverse("incidents:detail", args=[incident.pk])},
        school=incident.school,
    )
    if sent is not None:
        now = timezone.now()
        Incident.objects.filter(pk=incident.pk).update(staff_safety_alerted_at=now)
        incident.staff_safety_alerted_at = now
        _entry(
            incident,
            None,
            EntryKind.ALERT,
            "Staff safety: the headteacher and the designated safeguarding lead were alerted by email",
        )


def suggestions_for(incident: Incident, steps: list[EscalationStep]) -> list[escalation.Suggestion]:
    if not Status(incident.status).is_open:
        return []  # a finished case suggests nothing ("Now: refer to the police" on a closed case misleads)
    done = {step.kind for step in steps}
    waiting_on_platform = escalation.platform_not_acted(
        [(step.kind, step.outcome, step.created_at) for step in steps], timezone.now()
    )
    facts = dataclasses.replace(escalation.facts_of(incident), platform_not_acted=waiting_on_platform)
    return escalation.suggest_steps(facts, done)
