import smtplib

from celery import shared_task

from schoolsocial.lib.email import build_message


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=6,
)
def deliver_email(to: list[str], subject: str, text: str, html: str) -> None:
    build_message(to, subject, text, html).send()
