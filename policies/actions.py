"""The writes. Each is one transaction; history is kept by simple_history; email and PDF work is
queued on commit, so a rolled-back decision sends nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Membership, Role, School
from notifications.outbox import notify
from schoolsocial.lib.tasks import enqueue_on_commit

from . import reviews
from .models import (
    ACKNOWLEDGING_ROLES,
    Acknowledgement,
    ImmutableVersion,
    Owner,
    PolicyDocument,
    PolicyReminder,
    PolicyVersion,
    Status,
)

OPEN_STATUSES = (Status.DRAFT, Status.AWAITING_APPROVAL)


class NotAllowed(Exception):
    """The person may not do this; the message says why in plain words."""


def can_approve(user, document: PolicyDocument) -> bool:
    """The headteacher approves the policies the headteacher owns; governors approve the ones the
    governing body owns."""
    return document.school_id in user.school_ids_with({document.owner_enum.approver_role})


def unique_slug(school: School, title: str) -> str:
    base = slugify(title)[:70] or "policy"
    taken = set(PolicyDocument.objects.filter(school=school, slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_document(
    *,
    school: School,
    by,
    title: str,
    category: str,
    owner: str,
    review_interval_months: int,
    staff_must_acknowledge: bool,
    body_markdown: str,
    change_summary: str,
) -> PolicyVersion:
    """A new policy with its first draft."""
    document = PolicyDocument.objects.create(
        school=school,
        title=title,
        slug=unique_slug(school, title),
        category=category,
        owner=owner,
        review_interval_months=review_interval_months,
        staff_must_acknowledge=staff_must_acknowledge,
        created_by=by,
    )
    return PolicyVersion.objects.create(
        document=document, body_markdown=body_markdown, change_summary=change_summary, created_by=by
    )


def open_version(document: PolicyDocument) -> PolicyVersion | None:
    """The draft or awaiting-approval version, if one is being worked on."""
    return document.versions.filter(status__in=OPEN_STATUSES).order_by("-number").first()


@transaction.atomic
def start_draft(
    document: PolicyDocument, *, by, body_markdown: str | None = None, change_summary: str = ""
) -> PolicyVersion:
    """Editing an approved policy starts here: a new draft, copied from the latest version unless a
    text is given. If a draft is already open it is returned (with the new text, if given)."""
    PolicyDocument.objects.select_for_update().filter(pk=document.pk).first()
    existing = open_version(document)
    if existing is not None:
        if body_markdown is not None:
            if existing.status != Status.DRAFT:
                raise NotAllowed("A version is waiting for approval. Send it back to draft before replacing its text.")
            existing.body_markdown = body_markdown
            existing.change_summary = change_summary or existing.change_summary
            existing.save()
        return existing
    if body_markdown is None:
        latest = document.versions.order_by("-number").first()
        body_markdown = latest.body_markdown if latest else ""
    return PolicyVersion.objects.create(
        document=document, body_markdown=body_markdown, change_summary=change_summary, created_by=by
    )


@transaction.atomic
def update_draft(version: PolicyVersion, *, body_markdown: str, change_summary: str) -> PolicyVersion:
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.DRAFT:
        raise ImmutableVersion("Only a draft can be edited. Start a new draft instead.")
    version.body_markdown = body_markdown
    version.change_summary = change_summary
    version.save()
    return version


@transaction.atomic
def submit_for_approval(version: PolicyVersion) -> PolicyVersion:
    version = PolicyVersion.objects.select_for_update().select_related("document__school").get(pk=version.pk)
    version.move_to(Status.AWAITING_APPROVAL)
    version.submitted_at = timezone.now()
    version.save()
    document = version.document
    role = document.owner_enum.approver_role
    approvers = _emails(document.school_id, {role})
    notify(
        key=f"policy-approval-request:{version.pk}:{version.submitted_at:%Y%m%d%H%M%S}",
        to=approvers,
        template="policy-approval-request",
        context={"version": version, "document": document, "school": document.school},
        school=document.school,
    )
    return version


@transaction.atomic
def return_to_draft(version: PolicyVersion, *, by) -> PolicyVersion:
    version = PolicyVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
    if not can_approve(by, version.document):
        raise NotAllowed("Only the policy's owner can send it back to draft.")
    version.move_to(Status.DRAFT)
    version.submitted_at = None
    version.save()
    return version


@transaction.atomic
def approve(version: PolicyVersion, *, by, review_date: date | None = None) -> PolicyVersion:
    """Approve a version; the previous current version is superseded in the same transaction.

    The lock on the document row makes concurrent approvals of one policy take turns, and the
    partial unique index `one_current_version_per_policy` is the backstop.
    """
    document = PolicyDocument.objects.select_for_update().select_related("school").get(pk=version.document_id)
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if not can_approve(by, document):
        owner = document.get_owner_display().lower()
        raise NotAllowed(f"This policy is owned by the {owner}, so only the {owner} can approve it.")
    version.move_to(Status.APPROVED)  # refuses anything not awaiting approval
    now = timezone.now()
    today = timezone.localdate(now)
    if review_date is not None and review_date <= today:
        raise NotAllowed("The review date must be in the future.")
    for previous in PolicyVersion.objects.select_for_update().filter(document=document, status=Status.APPROVED):
        previous.move_to(Status.SUPERSEDED)
        previous.superseded_at = now
        previous.save()
    version.approved_by = by
    version.approved_at = now
    version.review_date = review_date or document.default_review_date(today)
    version.save()
    version.document = document
    request_pdf(version)
    if document.staff_must_acknowledge:
        for user in _staff_to_acknowledge(document.school_id):
            notify(
                key=f"policy-new-version:{version.pk}:{user.pk}",
                to=[user.email],
                template="policy-new-version",
                context={"version": version, "document": document, "school": document.school, "person": user},
                school=document.school,
            )
    return version


def request_pdf(version: PolicyVersion) -> bool:
    """Queue the PDF of an approved version unless it exists or is already being made."""
    if version.pdf or version.status not in (Status.APPROVED, Status.SUPERSEDED):
        return False
    if not cache.add(f"policy-pdf-queued:{version.pk}", True, timeout=300):
        return False
    from .tasks import render_version_pdf

    enqueue_on_commit(render_version_pdf, version.pk)
    return True


@transaction.atomic
def acknowledge(version: PolicyVersion, *, by) -> Acknowledgement:
    if version.status != Status.APPROVED:
        raise NotAllowed("Only the current version of a policy can be acknowledged.")
    acknowledgement, _ = Acknowledgement.objects.get_or_create(version=version, user=by)
    return acknowledgement


def _staff_to_acknowledge(school_id: int):
    from accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__school_id=school_id,
            memberships__role__in=ACKNOWLEDGING_ROLES,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("full_name")
    )


def acknowledgement_register(version: PolicyVersion) -> tuple[list[tuple], list]:
    """Who has read this version (person, when) and who has not, in two queries."""
    staff = list(_staff_to_acknowledge(version.document.school_id))
    done = dict(Acknowledgement.objects.filter(version=version).values_list("user_id", "acknowledged_at"))
    have = [(person, done[person.pk]) for person in staff if person.pk in done]
    have_not = [person for person in staff if person.pk not in done]
    return have, have_not


@transaction.atomic
def remind_to_acknowledge(version: PolicyVersion, *, by) -> int:
    """Email everyone who has not acknowledged the current version; at most once a day each."""
    if version.status != Status.APPROVED:
        raise NotAllowed("Reminders are only sent for the current version.")
    _, have_not = acknowledgement_register(version)
    today = timezone.localdate()
    sent = 0
    for person in have_not:
        if notify(
            key=f"policy-ack-reminder:{version.pk}:{person.pk}:{today:%Y%m%d}",
            to=[person.email],
            template="policy-ack-reminder",
            context={
                "version": version,
                "document": version.document,
                "school": version.document.school,
                "person": person,
                "sender": by,
            },
            school=version.document.school,
        ):
            sent += 1
    return sent


def _emails(school_id: int, roles) -> list[str]:
    return list(
        Membership.objects.filter(school_id=school_id, role__in=roles, is_active=True, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


@dataclass
class SweepResult:
    considered: int
    reminders: int
    emails: int


def run_review_sweep(today: date | None = None) -> SweepResult:
    """Email owners about reviews: 60, 30 and 7 days before, then weekly once overdue.

    Exactly once per window: the decisions are PolicyReminder rows with a unique (version,
    window), inserted with ON CONFLICT DO NOTHING in the same transaction as the emails they
    cause. This sweep only emails about rows it inserted itself (its `sweep_id`), so a second run,
    a concurrent run or a run after a crash (which rolled everything back) sends nothing twice.
    The number of queries does not depend on the number of policies, only on the number of
    (school, owner) emails to send.
    """
    today = today or timezone.localdate()
    sweep_id = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        candidates = PolicyVersion.objects.filter(
            status=Status.APPROVED, review_date__lte=today + timedelta(days=reviews.HORIZON_DAYS)
        ).values_list("pk", "review_date")
        decisions = []
        considered = 0
        for pk, review_date in candidates.iterator(chunk_size=5000):
            considered += 1
            window = reviews.reminder_window(review_date, today)
            if window:
                decisions.append(PolicyReminder(version_id=pk, window=window, sweep_id=sweep_id, created_at=now))
        if not decisions:
            return SweepResult(considered, 0, 0)
        PolicyReminder.objects.bulk_create(decisions, ignore_conflicts=True)
        mine = list(
            PolicyReminder.objects.filter(sweep_id=sweep_id)
            .select_related("version__document__school")
            .order_by("version__review_date", "version__document__title")
        )
        groups: dict[tuple[int, str], list[PolicyReminder]] = {}
        for reminder in mine:
            document = reminder.version.document
            groups.setdefault((document.school_id, document.owner), []).append(reminder)
        recipients = _owner_recipients({school_id for school_id, _ in groups})
        emails = 0
        for (school_id, owner), reminders in groups.items():
            school = reminders[0].version.document.school
            to = recipients.get((school_id, owner), [])
            items = [
                {
                    "document": r.version.document,
                    "version": r.version,
                    "window": r.window,
                    "overdue": r.window.startswith("overdue"),
                    "days": abs((r.version.review_date - today).days),
                }
                for r in reminders
            ]
            if notify(
                key=f"policy-review:{school_id}:{owner}:{sweep_id}",
                to=to,
                template="policy-review-reminder",
                context={"school": school, "owner": Owner(owner), "items": items, "today": today},
                school=school,
            ):
                emails += 1
        return SweepResult(considered, len(mine), emails)


def _owner_recipients(school_ids: set[int]) -> dict[tuple[int, str], list[str]]:
    """Who is emailed for each owner: the governors for the governing body's policies, the
    headteacher for theirs. The headteacher is copied on governing-body reviews too, because the
    headteacher drafts the new version."""
    rows = Membership.objects.filter(
        school_id__in=school_ids,
        role__in=[Role.HEADTEACHER, Role.GOVERNOR],
        is_active=True,
        user__is_active=True,
    ).values_list("school_id", "role", "user__email")
    result: dict[tuple[int, str], list[str]] = {}
    for school_id, role, email in rows:
        result.setdefault((school_id, Owner.GOVERNING_BODY), []).append(email)
        if role == Role.HEADTEACHER:
            result.setdefault((school_id, Owner.HEADTEACHER), []).append(email)
    return {key: sorted(set(emails)) for key, emails in result.items()}
