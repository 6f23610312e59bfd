"""Celery tasks: small and idempotent, calling actions."""

from __future__ import annotations

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone

from schoolsocial.lib.pdf import image_data_uri, render_pdf


@shared_task(acks_late=True)
def deadline_reminder_sweep() -> dict:
    """The daily beat task (CELERY_BEAT_SCHEDULE["complaint-deadline-reminders"])."""
    from .actions import run_deadline_sweep

    result = run_deadline_sweep()
    return {"considered": result.considered, "reminders": result.reminders}


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def render_panel_letter(record_id: int) -> str:
    """Render the panel's outcome letter once, keep it, and email it to the parent."""
    from .actions import store_panel_letter
    from .models import PanelRecord
    from .panel import letter_context

    record = PanelRecord.objects.select_related("complaint__school", "complaint__parent").filter(pk=record_id).first()
    if record is None or record.letter:
        return "skipped"
    content = render_pdf("complaints/pdf/panel_letter.html", letter_context(record))
    return "rendered" if store_panel_letter(record, content) else "skipped"


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def render_termly_report(report_id: int) -> str:
    from .models import TermlyReport
    from .reports import termly_context

    report = TermlyReport.objects.select_related("school").filter(pk=report_id).first()
    if report is None or report.pdf:
        return "skipped"
    context = termly_context(report)
    context["logo"] = image_data_uri(report.school.logo)
    content = render_pdf("complaints/pdf/termly_report.html", context)
    name = f"{report.school.short_code}-governors-report-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.pdf"
    report.pdf.save(name, ContentFile(content), save=False)
    updated = TermlyReport.objects.filter(pk=report.pk, pdf="").update(pdf=report.pdf.name, rendered_at=timezone.now())
    if not updated:
        report.pdf.storage.delete(report.pdf.name)
        return "skipped"
    return "rendered"
