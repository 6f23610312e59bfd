"""Celery tasks: small and idempotent, calling actions."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from schoolsocial.lib.pdf import render_pdf


@shared_task(acks_late=True)
def review_reminder_sweep() -> dict:
    """The daily beat task (CELERY_BEAT_SCHEDULE["policy-review-reminders"])."""
    from .actions import run_review_sweep

    result = run_review_sweep()
    return {"considered": result.considered, "reminders": result.reminders, "emails": result.emails}


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def render_version_pdf(version_id: int) -> str:
    """Render and store the PDF of an approved (or superseded) version, once."""
    from .models import LOCKED_STATUSES, PolicyVersion

    version = PolicyVersion.objects.select_related("document__school", "approved_by").filter(pk=version_id).first()
    if version is None or version.status not in LOCKED_STATUSES or version.pdf:
        cache.delete(f"policy-pdf-queued:{version_id}")
        return "skipped"
    content = render_pdf("policies/pdf/version.html", {"version": version, "document": version.document})
    name = default_storage.save(
        f"policies/pdf/{version.document.school.short_code}-{version.document.slug}-v{version.number}.pdf",
        ContentFile(content),
    )
    # Only fill an empty slot: if a concurrent task got there first, keep theirs and drop ours.
    updated = PolicyVersion.objects.filter(pk=version_id, pdf="").update(pdf=name)
    if not updated:
        default_storage.delete(name)
    cache.delete(f"policy-pdf-queued:{version_id}")
    return "rendered"
