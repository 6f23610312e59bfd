from celery import shared_task

from . import actions


@shared_task(acks_late=True)
def discard_stale_uploads() -> int:
    """Remove files staged on report forms that were never sent (daily, from Celery beat)."""
    return actions.discard_stale_uploads()
