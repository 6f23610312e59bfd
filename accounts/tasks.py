import smtplib

from celery import shared_task
from django.conf import settings

from schoolsocial.lib.email import build_message

SMTP_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(acks_late=True, autoretry_for=SMTP_ERRORS, retry_backoff=30, retry_backoff_max=3600, max_retries=6)
def deliver_email(to: list[str], subject: str, text: str, html: str) -> None:
    """Send an email that needs no record (a password reset link: it must not be stored)."""
    build_message(to, subject, text, html).send()


@shared_task(bind=True, acks_late=True, max_retries=settings.NOTIFY_MAX_RETRIES)
def deliver_notification(self, notification_id: int) -> str:
    """Send one recorded notification, at most once (see schoolsocial.lib.notify.deliver).

    A refusal or an unreachable mail server is retried with doubling back-off up to
    NOTIFY_MAX_RETRIES; after that the row is marked failed and the error is kept on it.
    """
    from schoolsocial.lib.notify import DeliveryDeferred, deliver

    try:
        return deliver(notification_id, last_attempt=self.request.retries >= self.max_retries)
    except DeliveryDeferred as deferred:
        countdown = min(settings.NOTIFY_RETRY_BASE_SECONDS * 2**self.request.retries, 3600)
        raise self.retry(exc=deferred.error, countdown=countdown) from deferred.error


# The MIS import's tasks live with the import; imported here so workers find them.
from .roll.tasks import apply_roll_import, preview_roll_import  # noqa: E402, F401
