"""The writes. Each is one transaction; history is kept by simple_history; email and PDF work is
queued on commit, so a rolled-back decision sends nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Membership, School
from accounts.permissions import roles_with, schools_where
from files import renders
from notifications.outbox import notify
from schoolsocial.lib.concurrency import check_version, unchanged
from schoolsocial.lib.sweeps import decide_once

from . import reviews
from .models import (
    POLICY_WORKFLOW,
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


class DraftAlreadyOpen(Exception):
    """A new text was given but a draft is open: its text is replaced only when asked to."""

    def __init__(self, draft: PolicyVersion) -> None:
        super().__init__(f"Draft version {draft.number} is already open.")
        self.draft = draft


def can_approve(user, document: PolicyDocument) -> bool:
    """The headteacher approves the policies the headteacher owns; governors approve the ones the
    governing body owns."""
    return document.school_id in schools_where(user, document.owner_enum.approval_ability)


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
    document: PolicyDocument,
    *,
    by,
    body_markdown: str | None = None,
    change_summary: str = "",
    replace_open_draft: bool = False,
) -> PolicyVersion:
    """Editing an approved policy starts here: a new draft, copied from the latest version unless a
    text is given. If a draft is already open it is returned; a new text replaces its text only
    with `replace_open_draft` (otherwise DraftAlreadyOpen, so the person can be asked first)."""
    PolicyDocument.objects.select_for_update().filter(pk=document.pk).first()
    existing = open_version(document)
    if existing is not None:
        if body_markdown is not None:
            if existing.status != Status.DRAFT:
                raise NotAllowed("A version is waiting for approval. Send it back to draft before replacing its text.")
            if not replace_open_draft:
                raise DraftAlreadyOpen(existing)
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
def update_draft(
    version: PolicyVersion, *, body_markdown: str, change_summary: str, seen_version: int | None = None
) -> PolicyVersion:
    """Save the draft's text. With `seen_version` (the version the form was opened at), an edit
    saved meanwhile by someone else wins and this one raises StaleEdit, changing nothing; the same
    edit sent twice changes nothing the second time."""
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.DRAFT:
        raise ImmutableVersion("Only a draft can be edited. Start a new draft instead.")
    if unchanged(version, {"body_markdown": body_markdown, "change_summary": change_summary}):
        return version
    check_version(version, seen_version)
    version.body_markdown = body_markdown
    version.change_summary = change_summary
    version.save()
    return version


@transaction.atomic
def submit_for_approval(version: PolicyVersion) -> PolicyVersion:
    version = PolicyVersion.objects.select_for_update().select_related("document__school").get(pk=version.pk)
    POLICY_WORKFLOW.move(version, Status.AWAITING_APPROVAL)
    version.submitted_at = timezone.now()
    version.save()
    document = version.document
    approvers = _emails(document.school_id, roles_with(document.owner_enum.approval_ability))
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
    POLICY_WORKFLOW.move(version, Status.DRAFT)
    version.submitted_at = None
    version.save()
    return version


@transaction.atomic
def approve(
    version: PolicyVersion, *, by, review_date: date | None = None, seen_version: int | None = None
) -> PolicyVersion:
    """Approve a version; the previous current version is superseded in the same transaction.

    The lock on the document row makes concurrent approvals of one policy take turns, and the
    partial unique index `one_current_version_per_policy` is the backstop.
    """
    document = PolicyDocument.objects.select_for_update().select_related("school").get(pk=version.document_id)
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if not can_approve(by, document):
        owner = document.get_owner_display().lower()
        raise NotAllowed(f"This policy is owned by the {owner}, so only the {owner} can approve it.")
    POLICY_WORKFLOW.move(version, Status.APPROVED)  # refuses anything not awaiting approval (a double click)
    check_version(version, seen_version)  # changed (sent back, edited) since the form was opened
    now = timezone.now()
    today = timezone.localdate(now)
    if review_date is not None and review_date <= today:
        raise NotAllowed("The review date must be in the future.")
    for previous in PolicyVersion.objects.select_for_update().filter(document=document, status=Status.APPROVED):
        POLICY_WORKFLOW.move(previous, Status.SUPERSEDED)
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


# How long one request to make a version's PDF stands before another reader may ask again (the
# render takes seconds; a request whose task was lost is retried after this).
PDF_REQUEST_STANDS = timedelta(minutes=5)


def request_pdf(version: PolicyVersion) -> bool:
    """Queue the PDF of an approved version unless it exists or is already being made. A
    conditional UPDATE claims the request, so it needs no cache and only one reader queues it."""
    if version.pdf or version.status not in (Status.APPROVED, Status.SUPERSEDED):
        return False
    now = timezone.now()
    claimed = (
        PolicyVersion.objects.filter(pk=version.pk, pdf="")
        .filter(Q(pdf_requested_at__isnull=True) | Q(pdf_requested_at__lt=now - PDF_REQUEST_STANDS))
        .update(pdf_requested_at=now)
    )
    if not claimed:
        return False
    from .tasks import render_version_pdf

    return renders.queue(version, render_version_pdf, version.pk, force=True)  # the claim above is the guard


def make_pdf_again(version: PolicyVersion) -> bool:
    """Queue again a PDF whose render failed or was lost ("Make it again"), once."""
    if version.pdf:
        return False
    with transaction.atomic():
        return renders.make_again(version)


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
            memberships__role__in=roles_with("policies.acknowledge"),
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

    Exactly once per window: the decision is a PolicyReminder row, unique per (version, window),
    written with the owner's email by `decide_once` (one savepoint per email), so a second run,
    a concurrent run or a run after a crash sends nothing twice and loses nothing. One email per
    (school, owner) lists every policy due; the number of queries depends only on the number of
    emails, not on the number of policies.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    candidates = PolicyVersion.objects.filter(
        status=Status.APPROVED, review_date__lte=today + timedelta(days=reviews.HORIZON_DAYS)
    )
    decided = set(PolicyReminder.objects.filter(version__in=candidates).values_list("version_id", "window"))
    groups: dict[tuple[int, str], list[PolicyReminder]] = {}
    considered = 0
    ordered = candidates.select_related("document__school").order_by("review_date", "document__title", "pk")
    for version in ordered.iterator(chunk_size=2000):
        considered += 1
        window = reviews.reminder_window(version.review_date, today)
        if window and (version.pk, window) not in decided:
            decision = PolicyReminder(version=version, window=window, created_at=now)
            groups.setdefault((version.document.school_id, version.document.owner), []).append(decision)
    recipients = _owner_recipients({school_id for school_id, _ in groups}) if groups else {}
    reminders = emails = 0
    for (school_id, owner), decisions in groups.items():
        to = recipients.get((school_id, owner), [])
        recorded = decide_once(decisions, partial(_review_email, to=to, owner=owner, today=today))
        if recorded:
            reminders += len(recorded)
            emails += 1
    return SweepResult(considered, reminders, emails)


def _review_email(reminders: list[PolicyReminder], to: list[str], owner: str, today: date):
    school = reminders[0].version.document.school
    items = [
        {
            "document": r.version.document,
            "version": r.version,
            "window": r.window,
            "overdue": r.window.startswith("overdue"),
            "days": abs((r.version.review_date - today).days) if r.version.review_date else 0,
        }
        for r in reminders
    ]
    return notify(
        # The first decision's id: unique to these decisions, and the same for the same decisions.
        key=f"policy-review:{school.pk}:{owner}:{reminders[0].pk}",
        to=to,
        template="policy-review-reminder",
        context={"school": school, "owner": Owner(owner), "items": items, "today": today},
        school=school,
    )


def _owner_recipients(school_ids: set[int]) -> dict[tuple[int, str], list[str]]:
    """Who is emailed for each owner: the people who approve that owner's policies, and the
    headteacher ("policies.manage") for every owner, because the headteacher drafts the new version."""
    told = {owner: roles_with(owner.approval_ability) | roles_with("policies.manage") for owner in Owner}
    rows = Membership.objects.filter(
        school_id__in=school_ids,
        role__in=set().union(*told.values()),
        is_active=True,
        user__is_active=True,
    ).values_list("school_id", "role", "user__email")
    result: dict[tuple[int, str], list[str]] = {}
    for school_id, role, email in rows:
        for owner, roles in told.items():
            if role in roles:
                result.setdefault((school_id, owner), []).append(email)
    return {key: sorted(set(emails)) for key, emails in result.items()}
