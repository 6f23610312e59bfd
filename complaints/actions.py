"""The writes: each atomic, each leaving a chronology entry and audit history, emails on commit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Pupil, School, User
from accounts.permissions import roles_with
from files import renders, staging
from files.models import StagedUpload
from notifications.outbox import notify
from schoolsocial.lib.concurrency import check_version
from schoolsocial.lib.pdf import render_pdf
from schoolsocial.lib.store_once import store_once
from schoolsocial.lib.sweeps import decide_once
from schoolsocial.lib.uploads import Inspected

from .common import ActionError, absolute_url, add_entry, attach_staged, locked, parent_url, school_emails
from .deadlines import NEARING, OVERDUE, add_school_days, deadline_state
from .models import (
    COMPLAINT_WORKFLOW,
    Attachment,
    Complaint,
    ComplaintEntry,
    ComplaintReminder,
    ComplaintSettings,
    ConflictDeclaration,
    EntryKind,
    LetterStatus,
    PanelRecord,
    Stage,
    TermlyReport,
)
from .panel import default_letter_body, letter_context

MAX_FILES = 5


# --- Deadlines ------------------------------------------------------------------------------


def start_stage_clock(complaint: Complaint, rules: ComplaintSettings, today: date) -> None:
    """Set the acknowledge and respond deadlines of the stage beginning `today`."""
    holidays = rules.holiday_dates
    respond_days = rules.panel_respond_days if complaint.stage == Stage.PANEL else rules.respond_days
    complaint.stage_started_on = today
    complaint.acknowledged_at = None
    complaint.responded_at = None
    complaint.acknowledge_by = add_school_days(today, rules.acknowledge_days, holidays)
    complaint.respond_by = add_school_days(today, respond_days, holidays)
    complaint.next_due_on = complaint.acknowledge_by


def refresh_next_due(complaint: Complaint) -> None:
    if complaint.stage == Stage.CLOSED or complaint.responded_at is not None:
        complaint.next_due_on = None
    elif complaint.acknowledged_at is None:
        complaint.next_due_on = complaint.acknowledge_by
    else:
        complaint.next_due_on = complaint.respond_by


# --- Who handles the informal stage ----------------------------------------------------------


def informal_handler_choices(school: School) -> QuerySet[User]:
    """The people the informal stage may be given to: active staff, DSLs and headteachers of the school."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__school=school,
            memberships__role__in=roles_with("complaints.handle_informal"),
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def default_informal_handler(school: School, pupil: Pupil | None) -> User | None:
    """The child's class teacher, if they are an active member of staff here; otherwise nobody
    (the headteacher then assigns someone from the complaint's page)."""
    if pupil is None or pupil.school_id != school.pk or pupil.school_class is None:
        return None
    teacher_id = pupil.school_class.teacher_id
    if teacher_id is None:
        return None
    return informal_handler_choices(school).filter(pk=teacher_id).first()


@transaction.atomic
def assign_informal_handler(
    *, complaint: Complaint, by: User, handler: User | None, seen_version: int | None = None
) -> Complaint:
    """Give the informal stage to a member of staff (or to nobody). Only while it is informal.
    `seen_version`: see move_stage."""
    complaint = locked(complaint)
    if complaint.stage != Stage.INFORMAL:
        raise ActionError("Only a complaint at the informal stage can be given to a member of staff.")
    if handler is not None and not informal_handler_choices(complaint.school).filter(pk=handler.pk).exists():
        raise ActionError("Choose a member of staff at this school.")
    if complaint.informal_handler_id == (handler.pk if handler else None):
        return complaint
    check_version(complaint, seen_version)
    complaint.informal_handler = handler
    complaint.save()
    summary = f"Informal stage given to {handler.full_name}" if handler else "Informal stage no longer assigned"
    entry = add_entry(complaint, by, EntryKind.NOTE, summary)
    if handler is not None and handler != by:
        _tell_handler(complaint, handler, key=f"complaint-assigned:{complaint.pk}:{entry.pk}")
    return complaint


def _tell_handler(complaint: Complaint, handler: User, *, key: str) -> None:
    notify(
        key=key,
        to=[handler.email],
        template="complaint-assigned",
        context={
            "complaint": complaint,
            "school": complaint.school,
            "handler": handler,
            "url": absolute_url(complaint.get_absolute_url()),
        },
        school=complaint.school,
    )


# --- The parent raises a complaint ----------------------------------------------------------


def staged_for_form(*, school: School, parent: User, form_token: uuid.UUID | None) -> list[StagedUpload]:
    """Files this person staged on this very form (their token, their school); nobody else's."""
    return staging.staged_for(user=parent, school=school, form_token=form_token)


@transaction.atomic
def raise_complaint(
    *,
    school: School,
    parent: User,
    subject: str,
    details: str,
    desired_outcome: str,
    pupil: Pupil | None = None,
    files: Sequence[tuple[UploadedFile, Inspected]] = (),
    form_token: uuid.UUID | None = None,
) -> Complaint:
    """Record the complaint. Files come as fresh uploads (`files`) or as the ones the parent
    staged on the form (`form_token`): those become attachments and their staged rows go."""
    staged = staging.staged_for_update(user=parent, school=school, form_token=form_token)
    if len(files) + len(staged) > MAX_FILES:
        raise ActionError(f"At most {MAX_FILES} files can be attached.")
    rules = ComplaintSettings.for_school(school)
    handler = default_informal_handler(school, pupil)
    complaint = Complaint(
        school=school,
        parent=parent,
        pupil=pupil,
        subject=subject.strip(),
        details=details.strip(),
        desired_outcome=desired_outcome.strip(),
        informal_handler=handler,
    )
    start_stage_clock(complaint, rules, timezone.localdate())
    complaint.save()
    for item in staged:
        attach_staged(complaint, item)
    for upload, facts in files:
        _attach(complaint, parent, upload, facts)
    add_entry(complaint, parent, EntryKind.RECEIVED, "Complaint received", body="")
    if handler is not None:
        add_entry(complaint, None, EntryKind.NOTE, f"Informal stage given to {handler.full_name} (class teacher)")
    notify(
        key=f"complaint-new:{complaint.pk}",
        to=school_emails(school, roles_with("complaints.manage")),
        template="complaint-new",
        context={"complaint": complaint, "school": school, "url": absolute_url(complaint.get_absolute_url())},
        school=school,
    )
    if handler is not None:
        _tell_handler(complaint, handler, key=f"complaint-assigned:{complaint.pk}:raised")
    notify(
        key=f"complaint-received:{complaint.pk}",
        to=[parent.email],
        template="complaint-received",
        context={"complaint": complaint, "school": school, "url": absolute_url(parent_url(complaint))},
        school=school,
    )
    return complaint


def _attach(complaint: Complaint, user: User, upload: UploadedFile, facts: Inspected) -> Attachment:
    attachment = Attachment(school=complaint.school, complaint=complaint, uploaded_by=user)
    staging.store_upload(attachment, upload, facts)
    attachment.save()
    return attachment


# --- The school handles it ------------------------------------------------------------------


@transaction.atomic
def acknowledge(*, complaint: Complaint, by: User, message: str) -> ComplaintEntry:
    complaint = locked(complaint)
    _require_open(complaint)
    if complaint.acknowledged_at is not None:
        raise ActionError("This stage of the complaint has already been acknowledged.")
    message = (message or "").strip()
    if not message:
        raise ActionError("Write a short acknowledgement for the parent first.")
    complaint.acknowledged_at = timezone.now()
    refresh_next_due(complaint)
    complaint.save()
    entry = add_entry(complaint, by, EntryKind.ACKNOWLEDGEMENT, "Complaint acknowledged", body=message)
    _tell_parent(complaint, entry)
    return entry


@transaction.atomic
def respond(*, complaint: Complaint, by: User, message: str, final: bool) -> ComplaintEntry:
    """Send the parent an update, or (final=True) the school's response at this stage."""
    complaint = locked(complaint)
    _require_open(complaint)
    message = (message or "").strip()
    if not message:
        raise ActionError("Write the message to the parent first.")
    now = timezone.now()
    if complaint.acknowledged_at is None:
        complaint.acknowledged_at = now  # a reply acknowledges the complaint too
    if final:
        complaint.responded_at = now
    refresh_next_due(complaint)
    complaint.save()
    kind, summary = (
        (EntryKind.RESPONSE, f"Response at the {complaint.get_stage_display().lower()} stage")
        if final
        else (EntryKind.UPDATE, "Update from the school")
    )
    entry = add_entry(complaint, by, kind, summary, body=message)
    _tell_parent(complaint, entry)
    return entry


@transaction.atomic
def add_note(*, complaint: Complaint, by: User, text: str) -> ComplaintEntry:
    text = (text or "").strip()
    if not text:
        raise ActionError("Write the note first.")
    return add_entry(complaint, by, EntryKind.NOTE, f"Note from {by.full_name}", body=text)


@transaction.atomic
def move_stage(
    *, complaint: Complaint, by: User, stage: str, reason: str = "", seen_version: int | None = None
) -> Complaint:
    """Move the complaint on (or close it) and tell the parent; refused with InvalidTransition (its
    message in plain words) when the workflow does not allow the move from where it is now.

    With `seen_version` (the version the form was opened at), a change saved meanwhile by someone
    else wins and this one raises StaleEdit, changing nothing."""
    complaint = locked(complaint)
    if seen_version is not None and complaint.stage == stage:
        return complaint  # the same move sent twice (two clicks at once): moved once
    check_version(complaint, seen_version)
    COMPLAINT_WORKFLOW.move(complaint, stage)
    reason = (reason or "").strip()
    if stage == Stage.CLOSED and not reason:
        raise ActionError("Say briefly how the complaint was resolved: the parent sees this.")
    now = timezone.now()
    if stage == Stage.CLOSED:
        complaint.closed_at = now
        complaint.outcome_summary = reason
        complaint.next_due_on = None
    else:
        start_stage_clock(complaint, ComplaintSettings.for_school(complaint.school), timezone.localdate())
    if stage == Stage.PANEL:
        complaint.reached_panel_at = now
    complaint.save()
    entry = add_entry(complaint, by, EntryKind.STAGE, f"Moved to the {Stage(stage).label.lower()} stage", body=reason)
    _tell_parent(complaint, entry)
    if stage == Stage.PANEL:
        notify(
            key=f"complaint-panel:{complaint.pk}",
            to=school_emails(complaint.school, roles_with("complaints.panel")),
            template="complaint-panel",
            context={
                "complaint": complaint,
                "school": complaint.school,
                "url": absolute_url(reverse("complaints:governor_list")),
            },
            school=complaint.school,
        )
    return complaint


@transaction.atomic
def link_incident(*, complaint: Complaint, by: User, incident, seen_version: int | None = None) -> Complaint:
    complaint = locked(complaint)
    if complaint.incident_id == (incident.pk if incident else None):
        return complaint  # the same link saved twice
    check_version(complaint, seen_version)
    if incident is not None and incident.school_id != complaint.school_id:
        raise ActionError("That incident belongs to another school.")
    complaint.incident = incident
    complaint.save()
    summary = f"Linked to incident {incident.reference}" if incident else "Incident link removed"
    add_entry(complaint, by, EntryKind.NOTE, summary)
    return complaint


@transaction.atomic
def release_names(*, complaint: Complaint, by: User) -> Complaint:
    complaint = locked(complaint)
    if complaint.names_released_at is None:
        complaint.names_released_at = timezone.now()
        complaint.names_released_by = by
        complaint.save()
        add_entry(complaint, by, EntryKind.RELEASE, "Children's names released to the governors' panel")
    return complaint


@transaction.atomic
def release_attachment(*, attachment: Attachment, by: User) -> Attachment:
    attachment = Attachment.objects.select_for_update().select_related("complaint").get(pk=attachment.pk)
    if attachment.released_to_panel_at is None:
        attachment.released_to_panel_at = timezone.now()
        attachment.released_by = by
        attachment.save()
        add_entry(
            attachment.complaint,
            by,
            EntryKind.RELEASE,
            f"File “{attachment.original_name}” released to the governors' panel",
        )
    return attachment


# --- Governors ------------------------------------------------------------------------------


@transaction.atomic
def declare(*, complaint: Complaint, governor: User, has_conflict: bool, details: str = "") -> ConflictDeclaration:
    """Record a governor's declaration once. A declared conflict stands: it cannot be withdrawn here."""
    existing = ConflictDeclaration.objects.filter(complaint=complaint, governor=governor).first()
    if existing is not None:
        return existing
    return ConflictDeclaration.objects.create(
        complaint=complaint, governor=governor, has_conflict=has_conflict, details=(details or "").strip()
    )


@transaction.atomic
def record_panel_decision(
    *, complaint: Complaint, by: User, meeting_date: date, members: str, decision: str, reasons: str
) -> PanelRecord:
    complaint = locked(complaint)
    if complaint.stage != Stage.PANEL:
        raise ActionError("Only a complaint at the governors' panel stage can have a panel decision.")
    if PanelRecord.objects.filter(complaint=complaint).exists():
        raise ActionError("The panel's decision has already been recorded.")
    record = PanelRecord(
        complaint=complaint,
        meeting_date=meeting_date,
        members=members.strip(),
        decision=decision,
        reasons=reasons.strip(),
        recorded_by=by,
        signatory_name=by.full_name,
    )
    record.letter_body = default_letter_body(record)
    record.save()
    COMPLAINT_WORKFLOW.move(complaint, Stage.CLOSED)
    complaint.closed_at = timezone.now()
    complaint.responded_at = complaint.closed_at
    complaint.outcome_summary = f"Governors' panel: {record.get_decision_display()}."
    complaint.next_due_on = None
    complaint.save()
    add_entry(
        complaint,
        by,
        EntryKind.PANEL,
        f"Governors' panel decision: {record.get_decision_display().lower()}",
        body=record.reasons,
    )
    add_entry(complaint, by, EntryKind.STAGE, "Complaint closed after the governors' panel")
    # The outcome letter waits as a draft: the chair reads, edits and signs it before it is sent.
    return record


@transaction.atomic
def update_panel_letter(*, record: PanelRecord, body: str, signatory_name: str, signatory_role: str) -> PanelRecord:
    record = PanelRecord.objects.select_for_update().get(pk=record.pk)
    if record.letter_is_final:
        raise ActionError("The outcome letter is final and has been sent: it can no longer be changed.")
    record.letter_body = body.strip()
    record.signatory_name = signatory_name.strip()
    record.signatory_role = signatory_role.strip()
    record.save()
    return record


def panel_letter_gaps(record: PanelRecord) -> list[str]:
    """What stops the letter from going out, in plain words (nothing when it is ready)."""
    gaps = []
    if not record.letter_paragraphs:
        gaps.append("Write the letter's text.")
    if not record.signatory_name.strip():
        gaps.append("Say who signs the letter.")
    if not record.signatory_role.strip():
        gaps.append("Say the signatory's role, for example Chair of the governors' panel.")
    return gaps


@transaction.atomic
def finalise_panel_letter(*, record: PanelRecord, by: User) -> PanelRecord:
    """Make the letter final and queue its PDF and email (sent once). A second click changes nothing."""
    record = PanelRecord.objects.select_for_update().select_related("complaint").get(pk=record.pk)
    if record.letter_is_final:
        return record
    gaps = panel_letter_gaps(record)
    if gaps:
        raise ActionError(" ".join(gaps))
    record.letter_status = LetterStatus.FINAL
    record.letter_finalised_at = timezone.now()
    record.letter_finalised_by = by
    record.save()
    add_entry(record.complaint, by, EntryKind.PANEL, f"Outcome letter finalised and signed by {record.signatory_name}")
    from .tasks import render_panel_letter

    renders.queue(record, render_panel_letter, record.pk)
    return record


def store_panel_letter(record: PanelRecord) -> bool:
    """Render and keep the panel's outcome letter (once) and email it to the parent, together.
    False if it was already there."""
    complaint = record.complaint
    if not record.letter_is_final:  # a draft is never made into the sent letter
        return False
    with transaction.atomic():
        stored = store_once(
            record,
            render=lambda: render_pdf("complaints/pdf/panel_letter.html", letter_context(record)),
            filename=f"{complaint.reference}-panel-outcome.pdf",
            file_field="letter",
            sha256_field="letter_sha256",
            also={"letter_rendered_at": timezone.now()},
        )
        if stored is None or not stored.stored_now:
            return False
        notify(
            key=f"complaint-panel-letter:{record.pk}",
            to=[complaint.parent.email],
            template="complaint-panel-letter",
            context={"complaint": complaint, "school": complaint.school, "record": record},
            school=complaint.school,
            attachments=[
                {
                    "name": f"{complaint.reference}-outcome.pdf",
                    "path": stored.name,
                    "mimetype": "application/pdf",
                }
            ],
        )
    return True


# --- Reminders ------------------------------------------------------------------------------


@dataclass
class SweepResult:
    considered: int = 0
    reminders: int = 0


def run_deadline_sweep(today: date | None = None) -> SweepResult:
    """Remind the headteacher of deadlines nearing or passed (and, at the informal stage, the
    member of staff handling it): once per complaint, deadline and window."""
    today = today or timezone.localdate()
    result = SweepResult()
    complaints = (
        Complaint.objects.open()
        .filter(next_due_on__isnull=False)
        .select_related("school", "school__complaint_settings", "informal_handler", "parent")
        .order_by("school_id", "pk")
    )
    recipients: dict[int, list[str]] = {}
    handlers: dict[int, set[int]] = {}
    for complaint in complaints.iterator(chunk_size=500):
        result.considered += 1
        rules = getattr(complaint.school, "complaint_settings", None) or ComplaintSettings(school=complaint.school)
        state = deadline_state(complaint.next_due_on, today, rules.remind_days_before, rules.holiday_dates)
        if state not in (NEARING, OVERDUE):
            continue
        which = complaint.next_deadline_label.lower()
        if complaint.school_id not in recipients:
            recipients[complaint.school_id] = school_emails(complaint.school, roles_with("complaints.manage"))
            handlers[complaint.school_id] = set(informal_handler_choices(complaint.school).values_list("pk", flat=True))
        to = list(recipients[complaint.school_id])
        handler = complaint.informal_handler
        if (
            complaint.stage == Stage.INFORMAL
            and handler is not None
            and handler.pk in handlers[complaint.school_id]
            and handler.email not in to
        ):
            to.append(handler.email)
        decision = ComplaintReminder(
            complaint=complaint, stage=complaint.stage, deadline=which, due_on=complaint.next_due_on, state=state
        )
        if decide_once([decision], partial(_deadline_email_rows, to=to)):
            result.reminders += 1
    return result


def _deadline_email_rows(rows: list[ComplaintReminder], *, to: list[str]):
    sent = _deadline_email(rows[0], to)
    if sent and rows[0].state == OVERDUE:
        # The date was the school's promise to the parent: they hear, once, that it has passed.
        _tell_parent_deadline_passed(rows[0])
    return sent


def _tell_parent_deadline_passed(reminder: ComplaintReminder) -> None:
    complaint = reminder.complaint
    notify(
        key=f"complaint-deadline-parent:{complaint.pk}:{reminder.stage}:{reminder.deadline}:{reminder.due_on}",
        to=[complaint.parent.email],
        template="complaint-deadline-passed",
        context={
            "complaint": complaint,
            "school": complaint.school,
            "which": reminder.deadline,
            "reminder": reminder,
            "can_ask_next_stage": complaint.stage in (Stage.INFORMAL, Stage.FORMAL),
            "url": absolute_url(parent_url(complaint)),
        },
        school=complaint.school,
        from_name=complaint.school.name,
        reply_to=complaint.school.email,
    )


def _deadline_email(reminder: ComplaintReminder, to: list[str]):
    complaint = reminder.complaint
    return notify(
        key=reminder.email_key,
        to=to,
        template="complaint-deadline",
        context={
            "complaint": complaint,
            "school": complaint.school,
            "which": reminder.deadline,
            "overdue": reminder.state == OVERDUE,
            "url": absolute_url(complaint.get_absolute_url()),
        },
        school=complaint.school,
    )


# --- Termly report --------------------------------------------------------------------------


@transaction.atomic
def request_termly_report(*, school: School, by: User, start: date, end: date) -> TermlyReport:
    if end < start:
        raise ActionError("The end of the period must come after its start.")
    report = TermlyReport.objects.create(school=school, requested_by=by, period_start=start, period_end=end)
    from .tasks import render_termly_report

    renders.queue(report, render_termly_report, report.pk)
    return report


def make_again(row: PanelRecord | TermlyReport) -> bool:
    """Queue again a panel letter or a governors' report whose render failed or was lost, once."""
    if row.letter if isinstance(row, PanelRecord) else row.pdf:
        return False
    with transaction.atomic():
        return renders.make_again(row)


# --- Helpers --------------------------------------------------------------------------------


def _require_open(complaint: Complaint) -> None:
    if complaint.stage == Stage.CLOSED:
        raise ActionError("This complaint is closed.")


def _tell_parent(complaint: Complaint, entry: ComplaintEntry) -> None:
    notify(
        key=f"complaint-entry:{entry.pk}",
        to=[complaint.parent.email],
        template="complaint-update",
        context={
            "complaint": complaint,
            "school": complaint.school,
            "entry": entry,
            "url": absolute_url(parent_url(complaint)),
        },
        school=complaint.school,
    )
