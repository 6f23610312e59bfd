"""The writes of the subject access request register: each one atomic, each one in the history.

register -> (identity checked) -> gather the items (in review) -> decide every item -> release
(the ZIP is built by a Celery task; the requester may be told, content-free, that it is ready).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.models import Membership, Pupil, School, User
from accounts.permissions import roles_with
from notifications.outbox import notify
from schoolsocial.lib.sweeps import decide_once
from schoolsocial.lib.tasks import enqueue_on_commit

from . import gather as gathering
from .sar import MAX_EXTENSION_MONTHS, due_date, extension_refusal, reminder_window
from .sar_models import (
    REQUEST_WORKFLOW,
    FileChoice,
    ReleaseState,
    RequestStatus,
    SarDecision,
    SarItem,
    SarRelease,
    SarReminder,
    SubjectAccessRequest,
    SubjectKind,
)


def _locked(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.select_for_update().select_related("school").get(pk=sar.pk)


@transaction.atomic
def register_request(
    *,
    school: School,
    by: User,
    requester_name: str,
    requester_email: str,
    relationship: str,
    received_on: date,
    pupil: Pupil | None = None,
    person: User | None = None,
    identity_note: str = "",
) -> SubjectAccessRequest:
    """Put a request on the register. With `identity_note`, the identity check is recorded as
    done now by `by`."""
    if (pupil is None) == (person is None):
        raise ValidationError("Choose the one pupil or parent/carer the request is about.")
    if received_on > timezone.localdate():
        raise ValidationError("The date received cannot be in the future.")
    if pupil is not None and pupil.school_id != school.pk:
        raise ValidationError("That pupil is not at this school.")
    if person is not None and not Membership.objects.filter(school=school, user=person).exists():
        raise ValidationError("That person has no account at this school.")
    subject = pupil if pupil is not None else person
    sar = SubjectAccessRequest(
        school=school,
        requester_name=requester_name.strip(),
        requester_email=requester_email.strip(),
        relationship=relationship,
        subject_kind=SubjectKind.PUPIL if pupil is not None else SubjectKind.PERSON,
        pupil=pupil,
        person=person,
        subject_name=getattr(subject, "full_name", "") or str(subject),
        received_on=received_on,
        due_on=due_date(received_on),
        registered_by=by,
    )
    if identity_note.strip():
        sar.identity_checked_by, sar.identity_checked_at = by, timezone.now()
        sar.identity_note = identity_note.strip()
    sar.save()
    return sar


@transaction.atomic
def record_identity_check(*, sar: SubjectAccessRequest, note: str, by: User) -> SubjectAccessRequest:
    sar = _locked(sar)
    if not note.strip():
        raise ValidationError("Say how the identity was checked, for example the document seen.")
    if not sar.is_open:
        raise ValidationError("This request is closed.")
    sar.identity_checked_by, sar.identity_checked_at, sar.identity_note = by, timezone.now(), note.strip()
    sar.save()
    return sar


@transaction.atomic
def extend(*, sar: SubjectAccessRequest, months: int, reason: str, by: User) -> SubjectAccessRequest:
    """Add `months` to the time to answer (two months at most in all), with a reason. Each
    extension is a row in the request's history (who, when, the reason)."""
    sar = _locked(sar)
    if not sar.is_open:
        raise ValidationError("This request is closed, so its due date cannot change.")
    refusal = extension_refusal(sar.extended_months, months)
    if refusal:
        raise ValidationError(refusal)
    if not reason.strip():
        raise ValidationError("Say why the request needs longer, for example that it is complex.")
    sar.extended_months += months
    sar.extension_reason = reason.strip()
    sar.due_on = due_date(sar.received_on, sar.extended_months)
    sar._change_reason = f"Extended by {months} month{'s' if months > 1 else ''}"  # type: ignore[attr-defined]
    sar.save()
    return sar


@transaction.atomic
def withdraw(*, sar: SubjectAccessRequest, reason: str, by: User) -> SubjectAccessRequest:
    sar = _locked(sar)
    if not reason.strip():
        raise ValidationError("Say why the request is closed without an answer.")
    REQUEST_WORKFLOW.move(sar, RequestStatus.WITHDRAWN)
    sar.closed_at = timezone.now()
    sar._change_reason = reason.strip()[:100]  # type: ignore[attr-defined]
    sar.save()
    return sar


# --- Review -------------------------------------------------------------------------------------


WITHHELD_RESTRICTED = "From a restricted case: withheld until the data protection officer has reviewed it."


@transaction.atomic
def gather_items(*, sar: SubjectAccessRequest, by: User) -> int:
    """Gather everything about the request's subject into review rows, once. Returns how many."""
    sar = _locked(sar)
    REQUEST_WORKFLOW.move(sar, RequestStatus.IN_REVIEW)
    if sar.pupil is None and sar.person is None:
        raise ValidationError("The pupil or person this request is about is no longer on the portal.")
    found = gathering.gather(sar.school, pupil=sar.pupil, person=sar.person)
    rows = [
        SarItem(
            request=sar,
            position=number,
            kind=item.kind,
            record_type=item.record_type,
            record_id=item.record_id,
            title=item.title[:300],
            when=item.when,
            text={label: str(value or "") for label, value in item.text.items()},
            files=[[stored, name] for stored, name in item.files if stored],
            other_people=list(item.other_people),
            notes=list(item.notes),
            # A restricted case's items start withheld: only the DPO's own decision releases them.
            decision=SarDecision.WITHHOLD if item.restricted else SarDecision.PENDING,
            withhold_reason=WITHHELD_RESTRICTED if item.restricted else "",
        )
        for number, item in enumerate(found, start=1)
    ]
    SarItem.objects.bulk_create(rows, batch_size=500)
    sar._change_reason = f"{len(rows)} items gathered for review"  # type: ignore[attr-defined]
    sar.save()
    return len(rows)


def _in_review(sar: SubjectAccessRequest) -> None:
    if sar.status != RequestStatus.IN_REVIEW:
        raise ValidationError(f"This request is {REQUEST_WORKFLOW.describe(sar.status)}, so its items cannot change.")


@transaction.atomic
def decide_item(
    *,
    item: SarItem,
    by: User,
    decision: str,
    redact_names: list[str] | None = None,
    redact_fields: list[str] | None = None,
    file_choice: str = "",
    withhold_reason: str = "",
) -> SarItem:
    """Release, redact (which names, which fields; what happens to the files) or withhold (why)."""
    sar = _locked(item.request)
    _in_review(sar)
    item = SarItem.objects.select_for_update().get(pk=item.pk)
    names = [name for name in (redact_names or []) if name in item.other_people]
    fields = [label for label in (redact_fields or []) if label in item.text]
    if decision not in (SarDecision.RELEASE, SarDecision.REDACT, SarDecision.WITHHOLD):
        raise ValidationError("Choose release, redact or withhold.")
    if decision == SarDecision.REDACT:
        if not names and not fields:
            raise ValidationError("Choose the names or the parts to redact.")
        if item.files and file_choice not in (FileChoice.WITHHOLD, FileChoice.RELEASE):
            raise ValidationError(
                "The portal cannot redact inside a file: choose to leave the files out, or to release them as they are."
            )
    if decision == SarDecision.WITHHOLD and not withhold_reason.strip():
        raise ValidationError("Say why it is withheld, for example the exemption that applies.")
    item.decision = decision
    item.redact_names = names if decision == SarDecision.REDACT else []
    item.redact_fields = fields if decision == SarDecision.REDACT else []
    item.file_choice = file_choice if decision == SarDecision.REDACT and item.files else FileChoice.NONE
    item.withhold_reason = withhold_reason.strip() if decision == SarDecision.WITHHOLD else ""
    item.decided_by, item.decided_at = by, timezone.now()
    item.save()
    return item


@transaction.atomic
def release_undecided_without_files(*, sar: SubjectAccessRequest, kind: str, by: User) -> int:
    """Release, as they are, the undecided items of one kind that carry no file (the access log
    can be thousands of lines). Returns how many were decided."""
    sar = _locked(sar)
    _in_review(sar)
    items = list(
        SarItem.objects.select_for_update().filter(request=sar, kind=kind, decision=SarDecision.PENDING, files=[])
    )
    now = timezone.now()
    for item in items:
        item.decision, item.decided_by, item.decided_at = SarDecision.RELEASE, by, now
    # One UPDATE per batch, and the history rows with them (not two queries per item).
    bulk_update_with_history(items, SarItem, ["decision", "decided_by", "decided_at"], batch_size=500, default_user=by)
    return len(items)


def undecided_count(sar: SubjectAccessRequest) -> int:
    return SarItem.objects.filter(request=sar, decision=SarDecision.PENDING).count()


@transaction.atomic
def release(*, sar: SubjectAccessRequest, by: User) -> SarRelease:
    """Close the review and build the answer (in a Celery task). Refused while any item is
    undecided, or before the requester's identity is checked."""
    sar = _locked(sar)
    _in_review(sar)
    if not sar.identity_checked:
        raise ValidationError("Record how the requester's identity was checked before releasing anything.")
    pending = undecided_count(sar)
    if pending:
        raise ValidationError(
            f"{pending} item{'s are' if pending > 1 else ' is'} not decided yet. Decide every item before releasing."
        )
    REQUEST_WORKFLOW.move(sar, RequestStatus.RELEASED)
    sar.closed_at = timezone.now()
    sar.save()
    made = SarRelease.objects.create(request=sar, requested_by=by)
    from .tasks import build_sar_release

    enqueue_on_commit(build_sar_release, made.pk)
    return made


@transaction.atomic
def tell_requester(*, sar: SubjectAccessRequest, by: User) -> bool:
    """Email the requester that the answer is ready to collect: no content, no attachment, once."""
    made = SarRelease.objects.select_for_update().select_related("request__school").get(request=sar)
    if not made.is_ready:
        raise ValidationError("The answer is not ready yet.")
    if not sar.requester_email:
        raise ValidationError("There is no email address for the requester.")
    sent = notify(
        key=f"sar-ready:{sar.pk}",
        to=[sar.requester_email],
        template="sar-ready",
        context={"sar": sar, "school": sar.school},
        school=sar.school,
    )
    if sent is not None:
        made.requester_told_at = timezone.now()
        made.save()
    return sent is not None


# --- The daily reminder sweep ------------------------------------------------------------------


@dataclass
class ReminderSweep:
    considered: int = 0
    reminders: int = 0


def run_reminder_sweep(today: date | None = None) -> ReminderSweep:
    """Remind the DPO and headteacher a week before a request's due date and on the day: once
    each per due date (an extension's new date is reminded afresh)."""
    today = today or timezone.localdate()
    result = ReminderSweep()
    recipients: dict[int, list[str]] = {}
    open_requests = SubjectAccessRequest.objects.open().select_related("school").order_by("school_id", "pk")
    for sar in open_requests.iterator(chunk_size=500):
        result.considered += 1
        window = reminder_window(sar.due_on, today)
        if not window:
            continue
        if sar.school_id not in recipients:
            recipients[sar.school_id] = _emails(sar.school)
        decision = SarReminder(request=sar, due_on=sar.due_on, window=window)
        if decide_once([decision], partial(_reminder_email, to=recipients[sar.school_id], today=today)):
            result.reminders += 1
    return result


def _reminder_email(rows: list[SarReminder], *, to: list[str], today: date):
    reminder = rows[0]
    sar = reminder.request
    return notify(
        key=reminder.email_key,
        to=to,
        template="sar-deadline",
        context={
            "sar": sar,
            "school": sar.school,
            "days_left": sar.days_left(today),
            "url": f"{settings.SITE_URL}{sar.get_absolute_url()}",
        },
        school=sar.school,
    )


def _emails(school: School) -> list[str]:
    return list(
        Membership.objects.filter(
            school=school, role__in=roles_with("dataprotection.requests"), is_active=True, user__is_active=True
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )


__all__ = ["MAX_EXTENSION_MONTHS", "ReleaseState"]
