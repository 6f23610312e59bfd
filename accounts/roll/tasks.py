"""The preview and the apply of an MIS import, off the request. Each is idempotent: it acts only on
an import still in the state that queued it."""

from celery import shared_task


@shared_task(acks_late=True)
def preview_roll_import(import_id: int) -> str:
    from .actions import run_preview

    return run_preview(import_id)


@shared_task(acks_late=True)
def apply_roll_import(import_id: int) -> str:
    from .actions import run_apply

    return run_apply(import_id)
