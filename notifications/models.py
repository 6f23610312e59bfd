"""The outbox: every email the portal decides to send is a row here first (see outbox.py)."""

from __future__ import annotations

from django.db import models

from accounts.models import School


class Notification(models.Model):
    """One email the portal decided to send, recorded before it is sent.

    The unique `key` names the reason (for example "policy-review:42:30-days"), so deciding to send
    the same reminder twice, from a second sweep or a retried task, finds the row and does nothing.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        # Handed to the mail server and waiting for its answer. A row left here by a worker that
        # died mid-send becomes UNKNOWN rather than being sent a second time.
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Not confirmed"

    key = models.CharField(max_length=200, unique=True)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    to = models.JSONField(default=list)
    template = models.CharField(max_length=100)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField()
    # Files attached at send time, as storage names in private storage: [{"name", "path", "mimetype"}].
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_status_created"),
            models.Index(fields=["school", "-created_at"], name="notification_school_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {', '.join(self.to)} ({self.get_status_display()})"
