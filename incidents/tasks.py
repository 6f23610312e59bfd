from celery import shared_task

from . import reminders


@shared_task(acks_late=True)
def remind_due_steps() -> int:
    """The daily sweep (Celery beat): remind step owners of steps due tomorrow and overdue."""
    return reminders.sweep()
