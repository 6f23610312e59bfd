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
