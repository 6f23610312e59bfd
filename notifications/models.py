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
        # Accepted for some recipients and refused for good for the others (see `results`).
        PARTIAL = "partial", "Sent to some"
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
    # Who the message says it is from (the school's name, on the portal's own sending address) and
    # where replies go (the school office); empty: the portal's default sender, no Reply-To.
    from_name = models.CharField(max_length=200, blank=True)
    reply_to = models.EmailField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The outbox's clock (see outbox.relay): a queued row is tried again from `next_attempt_at`, and
    # re-enqueued when no task has been queued for it since `enqueued_at` (a lost task, a broker restart).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # What the mail server said for each recipient: {"address": {"state": "accepted" | "refused" |
    # "deferred", "reply": "550 5.1.1 no such mailbox"}}. Accepted recipients are never sent to again.
    results = models.JSONField(default=dict, blank=True)
    last_error = models.TextField(blank=True)
    # One-time secrets in the message (a sign-up link): kept only until the message is sent, then
    # cut from the stored copy, so the outbox never holds a live link for longer than it must.
    one_time_secrets = models.JSONField(default=list, blank=True)
    secrets_removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_status_created"),
            models.Index(fields=["school", "-created_at"], name="notification_school_recent"),
            # The relay's every-minute look for work left behind reads only unfinished rows.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="notification_unfinished",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {', '.join(self.to)} ({self.get_status_display()})"

    def pending_recipients(self) -> list[str]:
        """Who has not (yet) accepted the message: the only addresses a new attempt sends to."""
        return [address for address in self.to if self.results.get(address, {}).get("state") != "accepted"]

    def refused_recipients(self) -> list[tuple[str, str]]:
        return [
            (address, result.get("reply", ""))
            for address, result in self.results.items()
            if result.get("state") in ("refused", "deferred")
        ]
