"""The delivery tasks. Both send paths share one retry rule: NOTIFY_RETRY_BASE_SECONDS doubling,
capped at an hour, up to NOTIFY_MAX_RETRIES."""

from celery import shared_task
from django.conf import settings

from schoolsocial.lib.email import build_message

from .outbox import SMTP_ERRORS, DeliveryDeferred, deliver

MAX_BACKOFF_SECONDS = 3600


def backoff(retries: int) -> int:
    return min(settings.NOTIFY_RETRY_BASE_SECONDS * 2**retries, MAX_BACKOFF_SECONDS)


@shared_task(bind=True, acks_late=True, max_retries=settings.NOTIFY_MAX_RETRIES)
def deliver_email(self, to: list[str], subject: str, text: str, html: str) -> None:
    """Send an email that needs no record (a password reset link: it must not be stored)."""
    try:
        build_message(to, subject, text, html).send()
    except SMTP_ERRORS as error:
        raise self.retry(exc=error, countdown=backoff(self.request.retries)) from error


@shared_task(bind=True, acks_late=True, max_retries=settings.NOTIFY_MAX_RETRIES)
def deliver_notification(self, notification_id: int) -> str:
    """Send one recorded notification, at most once (see notifications.outbox.deliver).

    A refusal or an unreachable mail server is retried with doubling back-off up to
    NOTIFY_MAX_RETRIES; after that the row is marked failed and the error is kept on it.
    """
    try:
        return deliver(notification_id, last_attempt=self.request.retries >= self.max_retries)
    except DeliveryDeferred as deferred:
        raise self.retry(exc=deferred.error, countdown=backoff(self.request.retries)) from deferred.error
