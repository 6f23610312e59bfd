"""The one way the portal sends email.

    notify(key="dsl-alert:17", to=["dsl@school.org"], template="dsl-alert", context={...}, school=school)

- renders `templates/emails/<template>-subject.txt`, `-body.txt` and `-body.html` now;
- records a `Notification` row whose unique `key` makes the decision idempotent: a second call
  with the same key (a sweep that runs twice, a retried task) returns None and sends nothing;
- delivers from a Celery task queued on commit, retried with back-off on SMTP failure.

Delivery (`deliver`, run by `notifications.tasks.deliver_notification`) sends each row at most once,
even when a task runs twice (a duplicate message, a redelivery after a worker died):

    queued --open connection--> sending --server says 250--> sent
       ^                           |
       +--- server refused (4xx/5xx) or unreachable: retried later, up to NOTIFY_MAX_RETRIES,
            then failed

The row is claimed (queued -> sending, a conditional UPDATE) only once the SMTP connection is
open, so a worker that dies while connecting leaves it queued and the redelivered task sends it.
A worker that dies after the claim leaves it "sending": nobody can know whether the server took
the message, so after a grace period it becomes "unknown" (shown to the school) instead of
being sent again.

Call it inside the transaction that made the decision, so the record and the decision commit
together (or not at all).
"""

from __future__ import annotations

import logging
import smtplib
from contextlib import nullcontext
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from schoolsocial.lib.email import build_message, render_email
from schoolsocial.lib.tasks import enqueue_on_commit

from .models import Notification


def notify(
    *, key: str, to: list[str], template: str, context: dict, school=None, attachments: list[dict] | None = None
) -> Notification | None:
    recipients = [address for address in to if address]
    if not recipients:
        return None
    subject, text, html = render_email(template, context)
    # Inside a transaction, a savepoint keeps a duplicate key from spoiling the caller's work;
    # outside one (a worker sending a batch), the single INSERT is its own transaction already.
    guard = transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()
    try:
        with guard:
            notification = Notification.objects.create(
                key=key[:200],
                school=school,
                to=recipients,
                template=template,
                subject=subject[:300],
                body_text=text,
                body_html=html,
                attachments=attachments or [],
            )
    except IntegrityError:
        return None  # already decided and recorded: never send twice
    from .tasks import deliver_notification

    enqueue_on_commit(deliver_notification, notification.pk)
    return notification


def send_unrecorded(template: str, to: list[str], context: dict) -> None:
    """Render now, deliver after commit, keep no record. Only for mail that must not be stored
    (a password reset link); everything else goes through `notify`."""
    from .tasks import deliver_email

    subject, text, html = render_email(template, context)
    enqueue_on_commit(deliver_email, to, subject, text, html)


def already_notified(key: str) -> bool:
    return Notification.objects.filter(key=key[:200]).exists()


logger = logging.getLogger(__name__)

SMTP_ERRORS = (smtplib.SMTPException, OSError)
Status = Notification.Status


def describe_error(error: BaseException) -> str:
    """The mail server's answer as a person reads it: "550 5.1.1 mailbox full", not a bytes repr."""

    def text(message) -> str:
        return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)

    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {code} {text(reply)}" for address, (code, reply) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class DeliveryDeferred(Exception):
    """The mail server refused or could not be reached; try again later."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def sending_grace() -> timedelta:
    """How long a claim may be held by a live worker: connecting, sending and answering."""
    return timedelta(seconds=settings.EMAIL_TIMEOUT * 3 + 60)


def _attachments(notification: Notification) -> list[tuple[str, bytes, str]]:
    files = []
    for item in notification.attachments:
        with default_storage.open(item["path"], "rb") as handle:
            files.append((item["name"], handle.read(), item.get("mimetype", "application/pdf")))
    return files


def _check_before_sending(notification_id: int) -> Notification | None:
    """The row to send, or None if there is nothing (more) to do. Settles stale claims.

    A plain read: the claim that follows is a conditional UPDATE, so of two workers reading the
    same queued row only one goes on to send, and a stale claim is settled by an UPDATE that
    only matches while the row still holds that same claim (a late "sent" from the worker that
    made it is never replaced by "unknown").
    """
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.status in (Status.SENT, Status.FAILED, Status.UNKNOWN):
        return None
    if notification.status == Status.SENDING:
        if notification.sending_since and timezone.now() - notification.sending_since < sending_grace():
            # Another worker may be talking to the server right now: look again later.
            raise DeliveryDeferred(RuntimeError("another delivery of this message is in progress"))
        settled = Notification.objects.filter(
            pk=notification_id, status=Status.SENDING, sending_since=notification.sending_since
        ).update(
            status=Status.UNKNOWN,
            last_error=(
                "The worker stopped while the mail server was receiving this message, so it may or may "
                "not have arrived. It was not sent again, to avoid a duplicate."
            ),
        )
        if settled:
            logger.error("Notification %s: delivery interrupted mid-send; marked unknown", notification_id)
        return None
    return notification


def _claim(notification_id: int) -> bool:
    """queued -> sending, only if still queued: of two concurrent runs, exactly one wins.
    The attempt is counted in the same statement."""
    claimed = Notification.objects.filter(pk=notification_id, status=Status.QUEUED).update(
        status=Status.SENDING, sending_since=timezone.now(), attempts=F("attempts") + 1
    )
    return bool(claimed)


def deliver(notification_id: int, *, last_attempt: bool = False) -> str:
    """Send one notification if it is still waiting. Returns "sent" or "skipped"; raises
    DeliveryDeferred when the server refused and another attempt is allowed."""
    notification = _check_before_sending(notification_id)
    if notification is None:
        return "skipped"
    message = build_message(
        notification.to,
        notification.subject,
        notification.body_text,
        notification.body_html,
        _attachments(notification),
    )
    message.extra_headers["Message-ID"] = (
        f"<notification-{notification.pk}@{urlsplit(settings.SITE_URL).hostname or 'schoolsocial'}>"
    )
    connection = get_connection(fail_silently=False)
    claimed = False
    try:
        connection.open()
        # Finish the greeting before claiming, so that a stall or crash while connecting leaves
        # the row queued and a redelivered task can still send it.
        if getattr(connection, "connection", None) is not None:
            connection.connection.ehlo_or_helo_if_needed()
        claimed = _claim(notification_id)
        if not claimed:
            return "skipped"
        connection.send_messages([message])
    except SMTP_ERRORS as error:
        # No "250 OK" for our message: the server did not take it, so sending again is safe.
        status = Status.FAILED if last_attempt else Status.QUEUED
        Notification.objects.filter(pk=notification_id, status__in=[Status.QUEUED, Status.SENDING]).update(
            status=status, sending_since=None, last_error=describe_error(error)[:2000]
        )
        if last_attempt:
            logger.error("Notification %s failed for good: %s", notification_id, error)
            raise
        raise DeliveryDeferred(error) from error
    finally:
        _close_quietly(connection)
    Notification.objects.filter(pk=notification_id).update(
        status=Status.SENT, sent_at=timezone.now(), sending_since=None, last_error=""
    )
    return "sent"


def _close_quietly(connection) -> None:
    # A failed QUIT after the server accepted the message must not undo "sent".
    try:
        connection.close()
    except SMTP_ERRORS:
        logger.warning("Closing the SMTP connection failed", exc_info=True)
