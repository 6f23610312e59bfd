"""Evidence files: the original bytes, kept untouched, with their fingerprint."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import School

from .incident import Incident

CONTENT_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def evidence_path(instance, filename: str) -> str:
    """A name that says nothing about the case: school, year and a random id."""
    extension = CONTENT_TYPES.get(instance.content_type, "bin")
    return f"evidence/{instance.school_id}/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"


class FileFacts(models.Model):
    """What we learnt about an uploaded file by reading it (see schoolsocial.lib.uploads)."""

    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def kind_label(self) -> str:
        return "PDF" if self.content_type == "application/pdf" else "Picture"

    @property
    def size_label(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / (1024 * 1024):.1f} MB"
        return f"{max(self.size // 1024, 1)} KB"


# What an evidence row says about its file: fixed once the file is stored.
KEPT_AS_UPLOADED = frozenset(
    {
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "width",
        "height",
        "pages",
        "uploaded_by",
        "uploaded_at",
    }
)


class EvidenceQuerySet(models.QuerySet):
    """Bulk writes would go round Evidence.save() and .delete(): they are refused the same way."""

    def delete(self):
        raise ValidationError("Evidence is never deleted.")

    def update(self, **kwargs) -> int:
        kept = sorted(KEPT_AS_UPLOADED & {name.removesuffix("_id") for name in kwargs})
        if kept:
            raise ValidationError(f"Evidence is kept as it was uploaded ({', '.join(kept)}); add a new file instead.")
        return super().update(**kwargs)


class Evidence(FileFacts):
    """A screenshot or PDF attached to an incident. Never overwritten, never deleted in the portal."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    description = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "evidence"
        indexes = [models.Index(fields=["incident", "uploaded_at"], name="evidence_incident")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.incident_id})"

    def get_absolute_url(self) -> str:
        return reverse("incidents:evidence_download", args=[self.pk])

    @property
    def number(self) -> int:
        """Its place among the incident's files, in the order they were added: 1, 2, 3..."""
        earlier = Evidence.objects.filter(incident_id=self.incident_id).filter(
            models.Q(uploaded_at__lt=self.uploaded_at) | models.Q(uploaded_at=self.uploaded_at, pk__lt=self.pk)
        )
        return earlier.count() + 1

    def download_stem(self, number: int | None = None) -> str:
        """The download's name before its extension (which comes from the detected type)."""
        return f"evidence-{self.incident.reference}-{number or self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = Evidence.objects.filter(pk=self.pk).values_list("file", "sha256").first()
            if stored and (stored[0] != self.file.name or stored[1] != self.sha256):
                raise ValidationError("Evidence is kept as it was uploaded; add a new file instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Evidence is never deleted.")


class StagedUpload(FileFacts):
    """A file accepted while a report form is still being filled in, so a failed submit loses nothing.

    Keyed to the person and the form's token; turned into Evidence when the report is filed.
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    form_token = models.UUIDField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
