"""The delivery tasks and the relay. Both send paths share one retry rule: NOTIFY_RETRY_BASE_SECONDS
doubling, capped at an hour, up to NOTIFY_MAX_RETRIES more attempts. The rule for a recorded
notification is kept on its row (next_attempt_at), not in the broker (see outbox.py)."""

from celery import shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError

from schoolsocial.lib.email import build_message
from schoolsocial.lib.tasks import enqueue_now

from . import outbox

# The database is down or the connection dropped: nothing could be recorded, so the task is
# retried (a new message is published before this one is acknowledged) instead of being dropped.
DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_email(self, to: list[str], subject: str, text: str, html: str) -> None:
    """Send an email that needs no record (a password reset link: it must not be stored)."""
    try:
        build_message(to, subject, text, html).send()
    except outbox.SMTP_ERRORS as error:
        if self.request.retries >= outbox.max_attempts() - 1 or outbox.is_permanent(error):
            raise
        raise self.retry(exc=error, countdown=outbox.backoff_seconds(self.request.retries + 1)) from error


@shared_task(
    acks_late=True,
    autoretry_for=DATABASE_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=100,
)
def deliver_notification(notification_id: int) -> str:
    """Send one recorded notification, at most once to each recipient (see outbox.deliver)."""
    return outbox.deliver(notification_id)


@shared_task(acks_late=True, autoretry_for=DATABASE_ERRORS, retry_backoff=5, retry_backoff_max=60, max_retries=10)
def relay_outbox() -> dict:
    """Every minute (Celery beat) and when a worker starts: queue again what the broker lost."""
    return outbox.relay()


@worker_ready.connect
def _relay_when_a_worker_starts(sender=None, **kwargs) -> None:
    enqueue_now(relay_outbox)  # what a dead worker left behind is picked up now, not in a minute
