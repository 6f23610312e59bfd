"""Evidence files: the original bytes, kept untouched, with their fingerprint."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import School
from files.models import FileFacts, random_name

from .incident import Incident


def evidence_path(instance, filename: str) -> str:
    """A name that says nothing about the case: school, year and a random id."""
    return random_name("evidence", instance.school_id, instance.content_type)


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
        "has_scripts",
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

    file = models.FileField(upload_to=evidence_path, max_length=200)
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
