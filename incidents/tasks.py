from celery import shared_task

from . import actions, reminders


@shared_task(acks_late=True)
def discard_stale_uploads() -> int:
    """Remove files staged on report forms that were never sent (daily, from Celery beat)."""
    return actions.discard_stale_uploads()


@shared_task(acks_late=True)
def remind_due_steps() -> int:
    """The daily sweep (Celery beat): remind step owners of steps due tomorrow and overdue."""
    return reminders.sweep()
