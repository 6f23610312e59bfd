"""Celery tasks: small and idempotent, calling actions."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def retention_sweep() -> dict:
    """The daily beat task (CELERY_BEAT_SCHEDULE["retention-review-sweep"]): lists what reached its
    retention date for review. It never destroys anything."""
    from .actions import sweep_all

    return sweep_all()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=8)
def delete_stored_files(names: list[str]) -> int:
    """Remove destroyed records' files from storage (the local folder or the S3 bucket). Deleting
    a file already gone is not an error, so a retry after a partial run is safe."""
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)
    return len(names)
