from celery import shared_task

from schoolsocial.lib.tasks import RETRY_ON_DATABASE_ERRORS

from . import reminders


@shared_task(acks_late=True, **RETRY_ON_DATABASE_ERRORS)
def remind_due_steps() -> int:
    """The daily sweep (Celery beat): remind step owners of steps due tomorrow and overdue."""
    return reminders.sweep()
