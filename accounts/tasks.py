import smtplib

from celery import shared_task
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from schoolsocial.lib.email import build_message

SMTP_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(acks_late=True, autoretry_for=SMTP_ERRORS, retry_backoff=30, retry_backoff_max=3600, max_retries=6)
def deliver_email(to: list[str], subject: str, text: str, html: str) -> None:
    """Send an email that needs no record (a password reset link: it must not be stored)."""
    build_message(to, subject, text, html).send()


@shared_task(bind=True, acks_late=True, max_retries=6)
def deliver_notification(self, notification_id: int) -> str:
    """Send one recorded notification. A row already marked sent is never sent again."""
    from accounts.models import Notification

    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status == Notification.Status.SENT:
            return "skipped"
        notification.attempts += 1
        notification.save(update_fields=["attempts"])
    attachments = []
    for item in notification.attachments:
        with default_storage.open(item["path"], "rb") as handle:
            attachments.append((item["name"], handle.read(), item.get("mimetype", "application/pdf")))
    message = build_message(
        notification.to, notification.subject, notification.body_text, notification.body_html, attachments
    )
    try:
        message.send()
    except SMTP_ERRORS as error:
        Notification.objects.filter(pk=notification_id).update(last_error=str(error)[:2000])
        if self.request.retries >= self.max_retries:
            Notification.objects.filter(pk=notification_id).update(status=Notification.Status.FAILED)
            raise
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 3600)) from error
    Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"
