from celery import shared_task
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError

from schoolsocial.lib.tasks import enqueue_now

from . import renders, staging


@shared_task(acks_late=True)
def discard_stale_uploads() -> int:
    """Remove files staged on forms that were never sent (daily, from Celery beat)."""
    return staging.discard_stale()


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=10,
)
def relay_renders() -> dict:
    """Every minute (Celery beat) and when a worker starts: queue again the renders a lost task left."""
    return renders.relay()


@worker_ready.connect
def _relay_renders_when_a_worker_starts(sender=None, **kwargs) -> None:
    enqueue_now(relay_renders)
