"""A school's own settings for a platform in the shared directory."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from accounts.models import School

from .incident import Platform


class SchoolPlatform(models.Model):
    """How one school sees a shared platform: its own report-abuse link, notes for its staff, or
    hidden from its report form. Seen by that school only; made the first time the headteacher saves.
    For the school's own platform only `hidden` is used (its link and notes live on the platform)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="platform_settings")
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="school_settings")
    report_url = models.URLField(
        "your school's report-abuse link",
        max_length=500,
        blank=True,
        help_text="Only if your school should use a different page from the shared one. Leave empty to use the shared link.",
    )
    notes = models.TextField(
        "notes for your staff",
        blank=True,
        help_text="Shown beside the “report to the platform” step instead of the shared notes. "
        "Leave empty to show the shared notes.",
    )
    hidden = models.BooleanField(
        "hide from our report form",
        default=False,
        help_text="For a platform nobody at your school uses. Past reports about it are kept and still shown.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "platform"], name="unique_school_platform_settings")]

    def __str__(self) -> str:
        return f"{self.platform} at {self.school}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:platform_edit", args=[self.platform_id])

    def clean(self) -> None:
        super().clean()
        if self.platform_id and self.platform.school_id is not None:
            if self.platform.school_id != self.school_id:
                raise ValidationError("Another school's platform cannot be adjusted.")
            if self.report_url or self.notes:
                raise ValidationError("A school's own platform keeps its link and notes on the platform itself.")
