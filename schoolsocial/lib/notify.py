"""The one way the portal sends email.

    notify(key="dsl-alert:17", to=["dsl@school.org"], template="dsl-alert", context={...}, school=school)

- renders `templates/emails/<template>-subject.txt`, `-body.txt` and `-body.html` now;
- records a `Notification` row whose unique `key` makes the decision idempotent: a second call
  with the same key (a sweep that runs twice, a retried task) returns None and sends nothing;
- delivers from a Celery task queued on commit, retried with back-off on SMTP failure.

Call it inside the transaction that made the decision, so the record and the decision commit
together (or not at all).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import Notification

from .email import render_email
from .tasks import enqueue_on_commit


def notify(
    *, key: str, to: list[str], template: str, context: dict, school=None, attachments: list[dict] | None = None
) -> Notification | None:
    recipients = [address for address in to if address]
    if not recipients:
        return None
    subject, text, html = render_email(template, context)
    try:
        with transaction.atomic():
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
    from accounts.tasks import deliver_notification

    enqueue_on_commit(deliver_notification, notification.pk)
    return notification


def already_notified(key: str) -> bool:
    return Notification.objects.filter(key=key[:200]).exists()
