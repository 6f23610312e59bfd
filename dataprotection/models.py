"""Data protection: the school's privacy notice (and, below, retention and requests)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import School


class PrivacyNotice(models.Model):
    """The school's own privacy notice. Until the school writes one, the default text is shown."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="privacy_notice")
    body = models.TextField(
        "privacy notice",
        help_text="Plain text. Leave a blank line between paragraphs. A line ending with a colon is shown as a heading.",
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Privacy notice of {self.school}"

    def get_absolute_url(self) -> str:
        return reverse("dataprotection:privacy_notice", args=[self.school.short_code])


RECORD_TYPE_CHOICES = [
    ("safeguarding_incident", "Safeguarding incidents"),
    ("incident", "Other incidents"),
    ("complaint", "Complaints"),
    ("signature", "Agreement signatures"),
    ("pupil", "Pupils who have left"),
    ("access_log", "Access log"),
    ("email", "Email records"),
]


class RetentionSetting(models.Model):
    """A school's own period for one kind of record, instead of the default in retention.RULES."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="retention_settings")
    record_type = models.CharField(max_length=30, choices=RECORD_TYPE_CHOICES)
    years = models.PositiveSmallIntegerField()
    reason = models.CharField("why the school keeps it for this long", max_length=300)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "record_type"], name="unique_retention_setting"),
        ]

    def __str__(self) -> str:
        return f"{self.get_record_type_display()}: {self.years} years"

    def get_absolute_url(self) -> str:
        return reverse("dataprotection:schedule")


class ReviewStatus(models.TextChoices):
    DUE = "due", "Due for review"
    KEPT = "kept", "Kept for longer"
    HOLD = "hold", "Legal hold"


class ReviewItemQuerySet(models.QuerySet):
    def due(self) -> ReviewItemQuerySet:
        return self.filter(status=ReviewStatus.DUE)


class ReviewItem(models.Model):
    """One record (or one month of a log) that reached the end of its retention period.

    Written by the daily sweep; a person decides: destroy it, keep it until a date with a reason, or
    place a legal hold, which keeps every later sweep away from it until the hold is lifted. The
    item holds a reference, never the record's content.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=30, choices=RECORD_TYPE_CHOICES)
    # The record's id, or the month ("2024-03") of a log reviewed a month at a time.
    object_key = models.CharField(max_length=40)
    reference = models.CharField(max_length=80)
    due_on = models.DateField()
    rule = models.CharField(max_length=200, help_text="The rule that made it due, as it read then.")
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DUE)
    keep_until = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    objects = ReviewItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["school", "record_type", "object_key"], name="unique_review_item"),
        ]
        indexes = [models.Index(fields=["school", "status", "due_on"], name="review_item_school_status")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("dataprotection:review_decide", args=[self.pk])


class DestructionLog(models.Model):
    """What was destroyed, under which rule, who authorised it and when. Never any content."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    record_type = models.CharField(max_length=30, choices=RECORD_TYPE_CHOICES)
    reference = models.CharField(max_length=80)
    rule = models.CharField(max_length=200)
    authorised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    authorised_by_name = models.CharField(max_length=200)
    destroyed_at = models.DateTimeField(default=timezone.now)
    # How much went: {"records": 12, "files": 3, "history rows": 40}. Counts only.
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-destroyed_at", "-pk"]
        indexes = [models.Index(fields=["school", "-destroyed_at"], name="destruction_log_recent")]

    def __str__(self) -> str:
        return f"{self.get_record_type_display()} {self.reference} destroyed {self.destroyed_at:%d/%m/%Y}"


class KeptFigures(models.Model):
    """The anonymised statistics of destroyed records, one row per school and month they were made.

    Destroying a case takes its rows away; the charts and governors' reports add these figures
    back, so last year's totals stay the same. Counts only: no reference, name or text.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month the records were made.")
    incidents = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    # {"cyberbullying": 3}, {"Facebook": 2}, {"police_referral": 1}, {"0": 2} (time-to-resolve band).
    by_nature = models.JSONField(default=dict)
    by_platform = models.JSONField(default=dict)
    routes = models.JSONField(default=dict)
    resolution = models.JSONField(default=dict)
    complaints = models.PositiveIntegerField(default=0)
    complaints_by_stage = models.JSONField(default=dict)
    complaints_reached_panel = models.PositiveIntegerField(default=0)
    decisions = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "month"], name="unique_kept_figures_month")]

    def __str__(self) -> str:
        return f"Figures kept for {self.month:%B %Y}"


# --- Subject access requests ---------------------------------------------------------------------
# The register, the review of each gathered item, and the release. The rules (due dates,
# extensions, what a redaction does) are in dataprotection/sar.py; the writes in sar_actions.py.
from .sar_models import (  # noqa: E402, F401
    RequestStatus,
    SarDecision,
    SarItem,
    SarRelease,
    SarReminder,
    SubjectAccessRequest,
)
