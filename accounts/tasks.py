"""Celery finds each app's tasks here. The MIS import's tasks live with the import."""

from celery import shared_task

from .roll.tasks import apply_roll_import, preview_roll_import  # noqa: F401


@shared_task(acks_late=True)
def send_invitation_batch(batch_id: int) -> dict[str, int]:
    """Invite the families of one batch. Safe to run twice: each contact is emailed once."""
    from .invitations import send_batch

    return send_batch(batch_id)
