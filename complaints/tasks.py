"""Celery tasks: small and idempotent, calling actions."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from files import renders
from schoolsocial.lib.pdf import image_data_uri, render_pdf
from schoolsocial.lib.store_once import store_once
from schoolsocial.lib.tasks import RETRY_ON_DATABASE_ERRORS


@shared_task(acks_late=True, **RETRY_ON_DATABASE_ERRORS)
def deadline_reminder_sweep() -> dict:
    """The daily beat task (CELERY_BEAT_SCHEDULE["complaint-deadline-reminders"])."""
    from .actions import run_deadline_sweep

    result = run_deadline_sweep()
    return {"considered": result.considered, "reminders": result.reminders}


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def render_panel_letter(record_id: int) -> str:
    """Render the panel's outcome letter once, keep it, and email it to the parent."""
    from .models import PanelRecord

    with renders.running(PanelRecord, record_id):
        return _render_panel_letter(record_id)


def _render_panel_letter(record_id: int) -> str:
    from .actions import store_panel_letter
    from .models import PanelRecord

    record = PanelRecord.objects.select_related("complaint__school", "complaint__parent").filter(pk=record_id).first()
    if record is None or record.letter:
        return "skipped"
    return "rendered" if store_panel_letter(record) else "skipped"


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def render_termly_report(report_id: int) -> str:
    from .models import TermlyReport

    with renders.running(TermlyReport, report_id):
        return _render_termly_report(report_id)


def _render_termly_report(report_id: int) -> str:
    from .models import TermlyReport
    from .reports import termly_context

    report = TermlyReport.objects.select_related("school").filter(pk=report_id).first()
    if report is None or report.pdf:
        return "skipped"

    def render() -> bytes:
        context = termly_context(report)
        context["logo"] = image_data_uri(report.school.logo)
        return render_pdf("complaints/pdf/termly_report.html", context)

    name = f"{report.school.short_code}-governors-report-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.pdf"
    stored = store_once(report, render=render, filename=name, also={"rendered_at": timezone.now()})
    return "rendered" if stored and stored.stored_now else "skipped"


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def render_hearing_invitation(hearing_id: int) -> str:
    """Render the parent's invitation to the panel hearing once, keep it, and send it."""
    from .models import PanelHearing

    with renders.running(PanelHearing, hearing_id):
        from .hearing import store_invitation

        hearing = (
            PanelHearing.objects.select_related("complaint__school", "complaint__parent", "replaces")
            .filter(pk=hearing_id)
            .first()
        )
        if hearing is None or hearing.letter:
            return "skipped"
        return "rendered" if store_invitation(hearing) else "skipped"
