"""What every stored file records about itself, and files staged while a form is being put right.

A file enters storage in one of two ways, both in files/staging.py: `stage()` keeps an inspected
upload against a form's token; `promote()` copies it into the record it belongs to (evidence, a
complaint attachment, a paper signature scan), checking on the way that the bytes are still the
ones inspected. Records that are made straight from an upload use `store_upload()`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import School
from schoolsocial.lib.uploads import EXTENSIONS


def random_name(prefix: str, school_id: int | None, content_type: str) -> str:
    """A storage name that says nothing about the case: area, school, year and a random id."""
    extension = EXTENSIONS.get(content_type, "bin")
    return f"{prefix}/{school_id}/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"


def staged_path(instance: StagedUpload, filename: str) -> str:
    return random_name("staged", instance.school_id, instance.content_type)


class FileFacts(models.Model):
    """What we learnt about an uploaded file by reading it (see schoolsocial.lib.uploads).

    Concrete models declare `file` with their own upload_to (evidence/, complaints/, ...)."""

    file = models.FileField(upload_to=staged_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    # A PDF carrying JavaScript (or a launch action): kept as it came, as evidence, and only ever
    # served as a download, never shown in the browser.
    has_scripts = models.BooleanField(default=False)

    class Meta:
        abstract = True

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def kind_label(self) -> str:
        if self.content_type != "application/pdf":
            return "Picture"
        return "PDF with scripts (download only)" if self.has_scripts else "PDF"

    @property
    def size_label(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / (1024 * 1024):.1f} MB"
        return f"{max(self.size // 1024, 1)} KB"


class StagedUpload(FileFacts):
    """A file accepted while a form (a report, a complaint) is still being filled in, so a failed
    submit loses nothing. Keyed to the person, the school and the form's token; promoted into the
    record when the form is sent, or removed after a day (files.staging.discard_stale)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    form_token = models.UUIDField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class RenderJob(models.Model):
    """A document render that is owed (a final letter, a bundle, a policy PDF...): the database's
    record of it, so a render whose task was lost or failed is queued again or shown (see
    files/renders.py). One row per document, keyed by the document's model and id."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be made"
        RUNNING = "running", "Being made"
        DONE = "done", "Made"
        FAILED = "failed", "Could not be made"

    key = models.CharField(max_length=100, unique=True)  # "letters.letter:17"
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)  # how many times a task was queued
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            # The relay's every-minute look for renders left behind reads only unfinished rows.
            models.Index(
                fields=["state", "queued_at"],
                name="render_job_pending",
                condition=models.Q(state__in=["queued", "running"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.get_state_display()}"
