from celery import shared_task

from . import staging


@shared_task(acks_late=True)
def discard_stale_uploads() -> int:
    """Remove files staged on forms that were never sent (daily, from Celery beat)."""
    return staging.discard_stale()
