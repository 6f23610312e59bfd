"""Celery tasks: small and idempotent, calling actions."""

from __future__ import annotations

from celery import shared_task
from django.db.models import Q

from files import renders
from schoolsocial.lib.pdf import render_pdf
from schoolsocial.lib.store_once import store_once
from schoolsocial.lib.tasks import RETRY_ON_DATABASE_ERRORS


@shared_task(acks_late=True, **RETRY_ON_DATABASE_ERRORS)
def review_reminder_sweep() -> dict:
    """The daily beat task (CELERY_BEAT_SCHEDULE["policy-review-reminders"])."""
    from .actions import run_review_sweep

    result = run_review_sweep()
    return {"considered": result.considered, "reminders": result.reminders, "emails": result.emails}


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def render_version_pdf(version_id: int) -> str:
    """Render and store the PDF of an approved (or superseded) version, once."""
    from .models import PolicyVersion

    with renders.running(PolicyVersion, version_id):
        return _render_version_pdf(version_id)


def _render_version_pdf(version_id: int) -> str:
    from .models import LOCKED_STATUSES, PolicyVersion

    version = PolicyVersion.objects.select_related("document__school", "approved_by").filter(pk=version_id).first()
    if version is None or version.status not in LOCKED_STATUSES:
        return "skipped"
    document = version.document
    stored = store_once(
        version,
        render=lambda: render_pdf("policies/pdf/version.html", {"version": version, "document": document}),
        filename=f"{document.school.short_code}-{document.slug}-v{version.number}.pdf",
        only_if=Q(status__in=LOCKED_STATUSES),
    )
    return "rendered" if stored and stored.stored_now else "skipped"
