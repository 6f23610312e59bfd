"""Policy documents and their versions.

A `PolicyDocument` ("Social media policy") has numbered `PolicyVersion`s that move through

    draft -> awaiting approval -> approved -> superseded
               (or back to draft)

The allowed moves are the plain data in `ALLOWED_TRANSITIONS`, checked by `POLICY_WORKFLOW` (the
actions move a version with it; `PolicyVersion.save()` refuses any other move, whoever calls it), and refuses any change to the content of a version once it has been approved. At most
one version of a document is approved (current) at a time: a partial unique index says so.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import Role, School
from accounts.permissions import roles_with, schools_where
from schoolsocial.lib.workflow import InvalidTransition as InvalidTransition  # callers catch it from here
from schoolsocial.lib.workflow import Workflow

from .rendering import render_markdown


class Category(models.TextChoices):
    SOCIAL_MEDIA = "social_media", "Social media"
    COMPLAINTS = "complaints", "Complaints"
    ANTI_BULLYING = "anti_bullying", "Anti-bullying"
    ACCEPTABLE_USE = "acceptable_use", "Acceptable use"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    BEHAVIOUR = "behaviour", "Behaviour"
    DATA_PROTECTION = "data_protection", "Data protection"
    OTHER = "other", "Other"


class Owner(models.TextChoices):
    """Who owns (and so approves) a policy."""

    HEADTEACHER = "headteacher", "Headteacher"
    GOVERNING_BODY = "governing_body", "Governing body"

    @property
    def approval_ability(self) -> str:
        """The ability in `accounts.permissions` that approves a policy of this owner."""
        if self == Owner.HEADTEACHER:
            return "policies.approve_headteacher_owned"
        return "policies.approve_governing_body_owned"

    @property
    def approver_role(self) -> Role:
        """The one role that approves a policy of this owner."""
        (role,) = roles_with(self.approval_ability)
        return role


class PolicyDocumentQuerySet(models.QuerySet):
    def for_user(self, user) -> PolicyDocumentQuerySet:
        """Documents of the schools where this person is headteacher, governor, DSL or staff."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(school_id__in=schools_where(user, "policies.read"))


class PolicyDocument(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="policies")
    title = models.CharField(max_length=200)
    # Set once from the title: the public address stays the same if the title is reworded.
    slug = models.SlugField(max_length=80, editable=False)
    category = models.CharField(max_length=30, choices=Category.choices, default=Category.OTHER)
    owner = models.CharField(
        max_length=20,
        choices=Owner.choices,
        default=Owner.HEADTEACHER,
        help_text="The owner approves each new version: the headteacher, or the governing body.",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        default=12, help_text="How often the policy is reviewed. Sets the default review date on approval."
    )
    staff_must_acknowledge = models.BooleanField(
        default=True, help_text="Staff are asked to read and acknowledge each new version."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = PolicyDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["school", "slug"], name="unique_policy_slug_per_school")]
        indexes = [models.Index(fields=["school", "title"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("policies:detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("policies:public_detail", args=[self.school.short_code, self.slug])

    @property
    def owner_enum(self) -> Owner:
        return Owner(self.owner)

    def default_review_date(self, approved_on: date) -> date:
        return add_months(approved_on, self.review_interval_months)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


# The whole workflow, as plain data.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.AWAITING_APPROVAL}),
    Status.AWAITING_APPROVAL: frozenset({Status.APPROVED, Status.DRAFT}),
    Status.APPROVED: frozenset({Status.SUPERSEDED}),
    Status.SUPERSEDED: frozenset(),
}
POLICY_WORKFLOW = Workflow(
    states=Status,
    transitions=ALLOWED_TRANSITIONS,
    noun="version",
    # How each status reads after "This version is ...".
    phrases={
        Status.DRAFT: "a draft",
        Status.AWAITING_APPROVAL: "awaiting approval",
        Status.APPROVED: "approved",
        Status.SUPERSEDED: "superseded",
    },
)
# Once a version reaches one of these, what it says (and who approved it, when) never changes.
LOCKED_STATUSES = frozenset({Status.APPROVED, Status.SUPERSEDED})
CONTENT_FIELDS = (
    "document_id",
    "number",
    "body_markdown",
    "body_html",
    "change_summary",
    "approved_by_id",
    "approved_at",
    "review_date",
)


class ImmutableVersion(ValidationError):
    pass


class MissingChangeSummary(ValidationError):
    pass


CHANGE_SUMMARY_MISSING = (
    "Say what changed in this version before sending it for approval: edit the draft and fill in "
    "\u201cWhat changed in this version?\u201d."
)


class PolicyVersionQuerySet(models.QuerySet):
    def for_user(self, user) -> PolicyVersionQuerySet:
        return self.filter(document__in=PolicyDocument.objects.for_user(user))

    def current(self) -> PolicyVersionQuerySet:
        return self.filter(status=Status.APPROVED)


class PolicyVersion(models.Model):
    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(editable=False, help_text="Given by the system: 1, 2, 3...")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    body_markdown = models.TextField("Policy text")
    body_html = models.TextField(editable=False, blank=True)
    change_summary = models.CharField(max_length=500, help_text="What changed in this version, in a sentence or two.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    # The PDF of an approved version, in private storage, served by a view; stored once, with
    # its SHA-256, by `schoolsocial.lib.store_once`. `pdf_requested_at` keeps many readers of a
    # version whose PDF is still being made from queueing a render each.
    pdf = models.FileField(upload_to="policies/pdf/", blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    pdf_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_policy_version_number"),
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="approved"), name="one_current_version_per_policy"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "superseded"])
                | Q(approved_at__isnull=False, approved_by__isnull=False, review_date__isnull=False),
                name="approved_policy_version_has_approval",
            ),
        ]
        indexes = [models.Index(fields=["status", "review_date"], name="policy_version_review_idx")]

    def __str__(self) -> str:
        return f"{self.document.title}, version {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("policies:version", args=[self.document_id, self.number])

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

    @property
    def is_current(self) -> bool:
        return self.status == Status.APPROVED

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            self._check_stored_row()
        elif self.status != Status.DRAFT:
            raise InvalidTransition("A new version always starts as a draft.")
        if self.status == Status.AWAITING_APPROVAL and not (self.change_summary or "").strip():
            # Every version leaves draft saying what changed: approvers and staff read it.
            raise MissingChangeSummary(CHANGE_SUMMARY_MISSING)
        if not self.is_locked:
            self.body_html = render_markdown(self.body_markdown)
        if self.number is None:
            self.number = next_version_number(self.document_id)
        super().save(*args, **kwargs)

    def _check_stored_row(self) -> None:
        """The model's own guard: a locked version's content never changes, and status only moves
        along POLICY_WORKFLOW, whoever calls save()."""
        stored = type(self).objects.filter(pk=self.pk).values("status", *CONTENT_FIELDS).first()
        if stored is None:
            return
        POLICY_WORKFLOW.check_save(stored["status"], self.status)
        if stored["status"] in LOCKED_STATUSES:
            changed = [field for field in CONTENT_FIELDS if stored[field] != getattr(self, field)]
            if changed:
                raise ImmutableVersion(
                    "An approved version cannot be changed. Start a new draft instead.",
                    params={"fields": changed},
                )

    def delete(self, *args, **kwargs):
        if self.is_locked:
            raise ImmutableVersion("An approved version is part of the record and cannot be deleted.")
        return super().delete(*args, **kwargs)

    def review_state(self, today: date | None = None) -> str:
        return review_state(self.review_date, today)


def next_version_number(document_id: int) -> int:
    # Callers hold a lock on the document row (see actions), so two drafts never get one number;
    # the unique constraint is the backstop.
    latest = PolicyVersion.objects.filter(document_id=document_id).aggregate(models.Max("number"))["number__max"]
    return (latest or 0) + 1


# How soon a review date counts as "due" on lists and badges.
DUE_SOON_DAYS = 60


def review_state(review_date: date | None, today: date | None = None) -> str:
    """ "overdue", "due" (within DUE_SOON_DAYS), "ok", or "" when there is no review date."""
    if review_date is None:
        return ""
    today = today or timezone.localdate()
    if review_date < today:
        return "overdue"
    if (review_date - today).days <= DUE_SOON_DAYS:
        return "due"
    return "ok"


class Acknowledgement(models.Model):
    """A member of staff said "I have read and understood" this version."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="unique_policy_acknowledgement")]
        indexes = [models.Index(fields=["user", "version"])]

    def __str__(self) -> str:
        return f"{self.user} read {self.version}"


class PolicyReminder(models.Model):
    """The decision to send one review reminder: one row per version and window, ever.

    `window` is "60-days", "30-days", "7-days" or "overdue-week-N". The sweep writes these rows
    with the owner's email in one savepoint (`schoolsocial.lib.sweeps.decide_once`): a second or
    concurrent sweep sends nothing twice, an interrupted one leaves no reminder unsent.
    """

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="reminders")
    window = models.CharField(max_length=30)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["version", "window"], name="unique_policy_reminder_window")]

    def __str__(self) -> str:
        return f"{self.window} reminder for {self.version_id}"


class ReadingPart(models.TextChoices):
    TEXT = "text", "The full text of this version"
    CHANGES = "changes", "What changed since the approved version"


class ApprovalReading(models.Model):
    """That an approver opened a version's full text, or its changes, before approving it.

    The governing body approves on the strength of what it read: the approval page asks for both
    to have been opened (see policies/approval.py), and this row is the proof, kept with the version.
    """

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="readings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    part = models.CharField(max_length=10, choices=ReadingPart.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user", "part"], name="one_reading_per_part"),
        ]

    def __str__(self) -> str:
        return f"{self.user} opened {self.get_part_display().lower()} of {self.version}"
