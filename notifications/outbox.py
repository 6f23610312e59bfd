"""The one way the portal sends email: the database is the outbox.

    notify(key="dsl-alert:17", to=["dsl@school.org"], template="dsl-alert", context={...}, school=school)

- renders `templates/emails/<template>-subject.txt`, `-body.txt` and `-body.html` now;
- records a `Notification` row whose unique `key` makes the decision idempotent: a second call
  with the same key (a sweep that runs twice, a retried task) returns None and sends nothing;
- queues a delivery task on commit. The row, not the task, is the truth: `relay()` (Celery beat,
  every minute, and when a worker starts) re-enqueues queued rows that are due and have had no
  task queued recently, so a broker restart, a database outage or a lost enqueue leaves nothing
  behind.

Delivery (`deliver`, run by `notifications.tasks.deliver_notification`) sends each row at most once
to each recipient, even when a task runs twice (a duplicate message, a redelivery after a worker
died, the relay re-enqueueing a row whose task was only slow):

    queued --open connection--> sending --server accepts--> sent / partial
       ^                           |
       +--- refused for now (4xx) or unreachable: next_attempt_at = now + back-off, up to
            NOTIFY_MAX_RETRIES more attempts, then failed; refused for good (5xx): failed at once

The row is claimed (queued -> sending, a conditional UPDATE) only once the SMTP connection is
open, so a worker that dies while connecting leaves it queued and the relay sends it later.
A worker that dies after the claim leaves it "sending": nobody can know whether the server took
the message, so after a grace period it becomes "unknown" (shown to the school) instead of
being sent again. Each recipient's answer is kept in `results`: an address that accepted is never
sent to again; one refused for good is shown as such ("partial" when others accepted).

Language: the email is written in the recipient's language. With one recipient who has an account
and chose a language in the header's menu (accounts.User.language), that one, even from a Celery
task; otherwise the language active when notify() is called (the page's language for someone who
has no account yet, e.g. an invitation sent by a Welsh-speaking office; English in a task).

Call notify() inside the transaction that made the decision, so the record and the decision commit
together (or not at all).
"""

from __future__ import annotations

import logging
import smtplib
from contextlib import nullcontext
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from schoolsocial.lib.email import build_message, render_email
from schoolsocial.lib.tasks import enqueue_now, enqueue_on_commit

from .models import Notification

logger = logging.getLogger(__name__)

SMTP_ERRORS = (smtplib.SMTPException, OSError)
Status = Notification.Status
# A retry due within this many seconds is queued with a countdown; a later one waits for the relay,
# so no task ever sits in the broker for longer than the visibility timeout.
COUNTDOWN_LIMIT_SECONDS = 300
MAX_BACKOFF_SECONDS = 3600
RELAY_BATCH = 500


def recipient_language(recipients: list[str]) -> str:
    """The language to write to these addresses in (see the module's docstring)."""
    active = translation.get_language() or settings.LANGUAGE_CODE
    if len(recipients) != 1:
        return active
    from accounts.models import User

    stored = User.objects.filter(email__iexact=recipients[0]).values_list("language", flat=True).first()
    return stored or active


def notify(
    *,
    key: str,
    to: list[str],
    template: str,
    context: dict,
    school=None,
    attachments: list[dict] | None = None,
    from_name: str = "",
    reply_to: str = "",
    secrets: list[str] | None = None,
) -> Notification | None:
    """Record one email (see the module's docstring). `from_name` is the name the message shows it
    is from (the portal's own address stays the sender); `reply_to` is where answers go."""
    recipients = [address for address in to if address]
    if not recipients:
        return None
    with translation.override(recipient_language(recipients)):
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
                from_name=" ".join(from_name.split())[:200],
                reply_to=reply_to.strip(),
                one_time_secrets=[secret for secret in secrets or [] if secret],
                enqueued_at=timezone.now(),
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

    with translation.override(recipient_language(to)):
        subject, text, html = render_email(template, context)
    enqueue_on_commit(deliver_email, to, subject, text, html)


def already_notified(key: str) -> bool:
    return Notification.objects.filter(key=key[:200]).exists()


def describe_error(error: BaseException) -> str:
    """The mail server's answer as a person reads it: "550 5.1.1 mailbox full", not a bytes repr."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {code} {_text(reply)}" for address, (code, reply) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _text(message) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


def is_permanent(error: BaseException) -> bool:
    """5xx means the server will never take it (no such mailbox, policy); 4xx and a dropped or
    refused connection are worth another try."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


def backoff_seconds(attempts: int) -> int:
    """Doubling from NOTIFY_RETRY_BASE_SECONDS after each failed attempt, capped at an hour."""
    return min(settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def max_attempts() -> int:
    return settings.NOTIFY_MAX_RETRIES + 1


def sending_grace() -> timedelta:
    """How long a claim may be held by a live worker: connecting, sending and answering."""
    return timedelta(seconds=settings.EMAIL_TIMEOUT * 3 + 60)


def relay_stale_after() -> timedelta:
    return timedelta(seconds=settings.NOTIFY_RELAY_STALE_SECONDS)


def _attachments(notification: Notification) -> list[tuple[str, bytes, str]]:
    files = []
    for item in notification.attachments:
        with default_storage.open(item["path"], "rb") as handle:
            files.append((item["name"], handle.read(), item.get("mimetype", "application/pdf")))
    return files


def settle_stale_claims(now: datetime | None = None) -> int:
    """Rows left "sending" past the grace period by a worker that died mid-send become "unknown".

    The UPDATE matches only rows still holding that old claim, so a late "sent" from the worker
    that made it is never replaced."""
    now = now or timezone.now()
    settled = Notification.objects.filter(status=Status.SENDING, sending_since__lt=now - sending_grace()).update(
        status=Status.UNKNOWN,
        enqueued_at=None,
        last_error=(
            "The worker stopped while the mail server was receiving this message, so it may or may "
            "not have arrived. It was not sent again, to avoid a duplicate."
        ),
    )
    if settled:
        logger.error("%s notification(s) interrupted mid-send; marked unknown", settled)
    return settled


def _claim(notification_id: int) -> bool:
    """queued -> sending, only if still queued: of two concurrent runs, exactly one wins.
    The attempt is counted in the same statement."""
    claimed = Notification.objects.filter(pk=notification_id, status=Status.QUEUED).update(
        status=Status.SENDING, sending_since=timezone.now(), attempts=F("attempts") + 1
    )
    return bool(claimed)


def _send(connection, message: EmailMultiAlternatives) -> dict[str, tuple[int, bytes]]:
    """Send, and return the recipients the server refused while taking the message for others
    (Django's backend drops that answer). Raises SMTPRecipientsRefused when it refused them all."""
    smtp = getattr(connection, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):
        connection.send_messages([message])  # console, locmem, dummy: everyone "accepted"
        return {}
    encoding = message.encoding or settings.DEFAULT_CHARSET
    by_envelope = {sanitize_address(address, encoding): address for address in message.recipients()}
    refused = smtp.sendmail(
        sanitize_address(message.from_email, encoding),
        list(by_envelope),
        message.message().as_bytes(linesep="\r\n"),
    )
    return {by_envelope.get(address, address): answer for address, answer in refused.items()}


def deliver(notification_id: int) -> str:
    """Try to send one notification if it is still waiting and due. Returns "sent", "partial",
    "failed", "deferred" (another attempt is scheduled) or "skipped" (nothing to do)."""
    notification = Notification.objects.filter(pk=notification_id).first()
    now = timezone.now()
    if notification is None or notification.status != Status.QUEUED:
        return "skipped"  # finished, or another worker holds the claim (the relay settles a dead one)
    if notification.next_attempt_at and notification.next_attempt_at > now + timedelta(seconds=1):
        return "skipped"  # an early duplicate: the attempt that is due will be queued when it is
    targets = notification.pending_recipients()
    message = build_message(
        targets,
        notification.subject,
        notification.body_text,
        notification.body_html,
        _attachments(notification),
        from_name=notification.from_name,
        reply_to=notification.reply_to,
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
        refused = _send(connection, message)
    except SMTP_ERRORS as error:
        # No acceptance for our message: the server did not take it, so trying again is safe.
        return _settle_failure(notification, targets, error, claimed=claimed)
    finally:
        _close_quietly(connection)
    return _settle_answers(notification, targets, refused)


def _record(results: dict, address: str, code: int, reply) -> None:
    state = "refused" if code >= 500 else "deferred"
    results[address] = {"state": state, "reply": f"{code} {_text(reply)}"[:500]}


def _settle_failure(notification: Notification, targets: list[str], error: BaseException, *, claimed: bool) -> str:
    results = dict(notification.results)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        for address, (code, reply) in error.recipients.items():
            _record(results, address, code, reply)
    attempts = notification.attempts + 1  # the claim counted it; a failed connection counts here
    rows = Notification.objects.filter(pk=notification.pk, status=Status.SENDING if claimed else Status.QUEUED)
    if is_permanent(error) or attempts >= max_attempts():
        status = Status.PARTIAL if _any_accepted(results) else Status.FAILED
        rows.update(
            status=status,
            sending_since=None,
            enqueued_at=None,
            results=results,
            last_error=describe_error(error)[:2000],
            **({} if claimed else {"attempts": F("attempts") + 1}),
        )
        logger.error("Notification %s failed for good: %s", notification.pk, error)
        return "failed"
    return _schedule_retry(rows, notification.pk, attempts, results, describe_error(error), count=not claimed)


def _settle_answers(notification: Notification, targets: list[str], refused: dict) -> str:
    results = dict(notification.results)
    for address in targets:
        if address in refused:
            code, reply = refused[address]
            _record(results, address, code, reply)
        else:
            results[address] = {"state": "accepted", "reply": ""}
    rows = Notification.objects.filter(pk=notification.pk, status=Status.SENDING)
    deferred = [address for address in targets if results[address]["state"] == "deferred"]
    refusals = "; ".join(f"{address}: {results[address]['reply']}" for address in targets if address in refused)
    if deferred and notification.attempts + 1 < max_attempts():
        return _schedule_retry(rows, notification.pk, notification.attempts + 1, results, refusals, count=False)
    if refusals:
        rows.update(
            status=Status.PARTIAL if _any_accepted(results) else Status.FAILED,
            sending_since=None,
            enqueued_at=None,
            sent_at=timezone.now() if _any_accepted(results) else None,
            results=results,
            last_error=refusals[:2000],
        )
        if _any_accepted(results):
            forget_secrets(notification)
        return "partial"
    rows.update(
        status=Status.SENT, sent_at=timezone.now(), sending_since=None, enqueued_at=None, results=results, last_error=""
    )
    forget_secrets(notification)
    return "sent"


SECRET_REMOVED = "[link removed from the school's copy once sent]"


def forget_secrets(notification: Notification) -> None:
    """Cut the message's one-time secrets from its stored copy (after it was accepted for sending).
    Most messages have none: they cost no query."""
    if not notification.one_time_secrets:
        return
    notification_id = notification.pk
    text, html = notification.body_text, notification.body_html
    for secret in notification.one_time_secrets:
        text, html = text.replace(secret, SECRET_REMOVED), html.replace(secret, SECRET_REMOVED)
    Notification.objects.filter(pk=notification_id).update(
        body_text=text, body_html=html, one_time_secrets=[], secrets_removed=True
    )


def _any_accepted(results: dict) -> bool:
    return any(result.get("state") == "accepted" for result in results.values())


def _schedule_retry(rows, notification_id: int, attempts: int, results: dict, error: str, *, count: bool) -> str:
    """Back to the queue with the time of the next attempt. A soon one gets a countdown task; a
    later one is left to the relay (no task waits in the broker for an hour)."""
    delay = backoff_seconds(attempts)
    due = timezone.now() + timedelta(seconds=delay)
    soon = delay <= COUNTDOWN_LIMIT_SECONDS
    rows.update(
        status=Status.QUEUED,
        sending_since=None,
        next_attempt_at=due,
        enqueued_at=due if soon else None,
        results=results,
        last_error=error[:2000],
        **({"attempts": F("attempts") + 1} if count else {}),
    )
    if soon:
        from .tasks import deliver_notification

        if not enqueue_now(deliver_notification, notification_id, countdown=delay):
            # The broker is down: the relay queues it once it is back.
            Notification.objects.filter(pk=notification_id, status=Status.QUEUED).update(enqueued_at=None)
    return "deferred"


def relay(now: datetime | None = None, batch: int = RELAY_BATCH) -> dict[str, int]:
    """Find the work the queue lost and queue it again (Celery beat, every minute).

    A queued row that is due and has had no task queued for NOTIFY_RELAY_STALE_SECONDS gets a new
    one; a row stuck "sending" past the grace period is settled as "unknown". Re-enqueueing a row
    whose task is merely slow is harmless: the claim lets only one delivery send it."""
    from .tasks import deliver_notification

    now = now or timezone.now()
    settled = settle_stale_claims(now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    quiet = Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - relay_stale_after())
    ids = list(
        Notification.objects.filter(due, quiet, status=Status.QUEUED)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    if ids:
        Notification.objects.filter(pk__in=ids, status=Status.QUEUED).update(enqueued_at=now)
    for notification_id in ids:
        enqueue_now(deliver_notification, notification_id)
    if ids:
        logger.warning("Relay re-queued %s notification(s) that had no task", len(ids))
    return {"requeued": len(ids), "settled": settled}


def _close_quietly(connection) -> None:
    # A failed QUIT after the server accepted the message must not undo "sent".
    try:
        connection.close()
    except SMTP_ERRORS:
        logger.warning("Closing the SMTP connection failed", exc_info=True)
