"""Letters to a poster, the school's wording for them, evidence bundles and step reminders."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import School
from incidents.models import EscalationStep, Incident, StepKind
from notifications.models import Notification
from schoolsocial.lib.downloads import download_name


class LetterKind(models.TextChoices):
    REMOVAL_REQUEST = "removal_request", "Request to remove a post"
    MEETING_INVITATION = "meeting_invitation", "Invitation to a meeting"
    WRITTEN_WARNING = "written_warning", "Written warning"
    PREMISES_BAN = "premises_ban", "Ban from the school premises"
    OUTCOME = "outcome", "Outcome letter"


# The letter each step of the ladder calls for. Any step can also close with an outcome letter.
LETTER_FOR_STEP: dict[str, str] = {
    StepKind.REMOVAL_REQUEST: LetterKind.REMOVAL_REQUEST,
    StepKind.HEADTEACHER_MEETING: LetterKind.MEETING_INVITATION,
    StepKind.WRITTEN_WARNING: LetterKind.WRITTEN_WARNING,
    StepKind.PREMISES_BAN: LetterKind.PREMISES_BAN,
}


class LetterTemplate(models.Model):
    """One version of a school's wording for one kind of letter. Never edited: a change is a new
    version, so every letter can say which wording it was written from."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="letter_templates")
    kind = models.CharField(max_length=30, choices=LetterKind.choices)
    version = models.PositiveIntegerField()
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text. Leave a blank line between paragraphs.")
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["school", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["school", "kind", "version"], name="unique_letter_template_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} wording, version {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("letters:wording_edit", args=[self.kind])

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("Letter wording is kept as it was; save a new version instead.")
        super().save(*args, **kwargs)


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


class RenderState(models.TextChoices):
    NONE = "", "Not made yet"
    QUEUED = "queued", "Waiting to be made"
    RENDERING = "rendering", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Could not be made"


class LetterQuerySet(models.QuerySet):
    def for_user(self, user) -> LetterQuerySet:
        """Letters of incidents this person handles as headteacher or DSL."""
        from accounts.permissions import schools_where

        return self.filter(school_id__in=schools_where(user, "letters.draft"))


def letter_path(instance: Letter, filename: str) -> str:
    return f"letters/{instance.school_id}/{timezone.now():%Y}/{uuid.uuid4().hex}.pdf"


# What a final letter may never change again.
LOCKED_WHEN_FINAL = (
    "kind",
    "incident_id",
    "step_id",
    "recipient_name",
    "recipient_address",
    "recipient_email",
    "letter_date",
    "subject",
    "body",
    "quoted_post",
    "facts",
    "signatory_name",
    "signatory_title",
    "finalised_at",
)


class Letter(models.Model):
    # Set (not stored) on a new draft when the school's own wording could not be used (see actions).
    used_standard_wording_instead: bool = False

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="letters")
    step = models.ForeignKey(EscalationStep, null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=30, choices=LetterKind.choices)
    status = models.CharField(max_length=10, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    template = models.ForeignKey(LetterTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    recipient_name = models.CharField(max_length=200)
    recipient_address = models.TextField(blank=True, help_text="As it should appear on the envelope.")
    recipient_email = models.EmailField(blank=True)
    letter_date = models.DateField(default=timezone.localdate)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text. Leave a blank line between paragraphs.")
    quoted_post = models.TextField("the post, as quoted", blank=True)
    # The facts the letter was written from (post, policy, agreement), kept as they were then.
    facts = models.JSONField(default=dict, blank=True)
    signatory_name = models.CharField(max_length=200)
    signatory_title = models.CharField(max_length=100, default="Headteacher")

    # Each edit of a draft bumps the revision; a render says which revision it shows.
    revision = models.PositiveIntegerField(default=1)
    render_state = models.CharField(max_length=10, choices=RenderState.choices, default=RenderState.NONE, blank=True)
    rendered_revision = models.PositiveIntegerField(default=0)
    render_error = models.CharField(max_length=300, blank=True)
    preview_pdf = models.FileField(upload_to=letter_path, blank=True, max_length=200)
    pdf = models.FileField(upload_to=letter_path, blank=True, max_length=200)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["incident", "-created_at"], name="letter_incident"),
            # The headteacher's "letters awaiting finalisation": a school's drafts, oldest first.
            models.Index(fields=["school", "status", "created_at"], name="letter_school_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_name}"

    def get_absolute_url(self) -> str:
        return reverse("letters:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status == LetterStatus.FINAL

    @property
    def paragraphs(self) -> list[str]:
        return [part.strip() for part in self.body.replace("\r\n", "\n").split("\n\n") if part.strip()]

    @property
    def pdf_ready(self) -> bool:
        if self.is_final:
            return bool(self.pdf and self.pdf_sha256)
        return self.render_state == RenderState.READY and self.rendered_revision == self.revision

    @property
    def filename_stem(self) -> str:
        return f"{self.incident.reference}-{self.kind.replace('_', '-')}-{self.pk}"

    @property
    def filename(self) -> str:
        return download_name(self.filename_stem, "application/pdf")

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            self._check_final_unchanged()
        super().save(*args, **kwargs)

    def _check_final_unchanged(self) -> None:
        stored = Letter.objects.filter(pk=self.pk).values(*LOCKED_WHEN_FINAL, "status", "pdf", "pdf_sha256").first()
        if stored is None or stored["status"] != LetterStatus.FINAL:
            return
        changed = [name for name in LOCKED_WHEN_FINAL if getattr(self, name) != stored[name]]
        if self.status != LetterStatus.FINAL:
            changed.append("status")
        # The stored PDF and its fingerprint are written once, by the render, and never replaced.
        if stored["pdf_sha256"] and (self.pdf.name != stored["pdf"] or self.pdf_sha256 != stored["pdf_sha256"]):
            changed.append("pdf")
        if changed:
            raise ValidationError(f"A final letter cannot be changed ({', '.join(changed)}).")

    def delete(self, *args, **kwargs):
        if self.status == LetterStatus.FINAL:
            raise ValidationError("A final letter is kept; it cannot be deleted.")
        return super().delete(*args, **kwargs)


class DeliveryMethod(models.TextChoices):
    EMAIL = "email", "Emailed"
    POST = "post", "Posted"
    HAND = "hand", "Handed over"


class LetterDelivery(models.Model):
    """How a final letter reached (or was sent to) the recipient, when, and what happened."""

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="deliveries")
    method = models.CharField(max_length=10, choices=DeliveryMethod.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(blank=True)
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "letter deliveries"

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.at:%d/%m/%Y}"

    @property
    def outcome(self) -> str:
        if self.method != DeliveryMethod.EMAIL:
            return "Recorded"
        if self.notification is None:
            return "Not recorded"
        return self.notification.get_status_display()


class EvidenceBundle(models.Model):
    """A ZIP for a police or legal referral: the evidence files, a PDF chronology and a manifest."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="bundles")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=RenderState.choices, default=RenderState.QUEUED, blank=True)
    error = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to=letter_path, blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    file_count = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["incident", "-requested_at"], name="bundle_incident")]

    def __str__(self) -> str:
        return f"Referral bundle {self.pk} for {self.incident_id}"

    def get_absolute_url(self) -> str:
        return reverse("letters:bundle_download", args=[self.pk])

    @property
    def filename_stem(self) -> str:
        return f"{self.incident.reference}-referral-bundle-{self.pk}"

    @property
    def filename(self) -> str:
        return download_name(self.filename_stem, "application/zip")
