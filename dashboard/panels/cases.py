"""The headteacher's and DSL's landing-page panel: reports to triage and steps past their date."""

from __future__ import annotations

from django.utils import timezone

from accounts.http import AuthenticatedRequest
from incidents.models import Incident, Status

PANEL_ROWS = 5


def case_panel(request: AuthenticatedRequest, school) -> dict:
    today = timezone.localdate()
    incidents = Incident.objects.filter(school=school).select_related("platform")
    to_triage = list(incidents.filter(status=Status.REPORTED).order_by("-created_at", "-pk")[: PANEL_ROWS + 1])
    overdue = list(incidents.filter(next_due_on__lt=today).order_by("next_due_on", "pk")[: PANEL_ROWS + 1])
    return {
        "template": "dashboard/panels/cases.html",
        "to_triage": to_triage[:PANEL_ROWS],
        "more_to_triage": len(to_triage) > PANEL_ROWS,
        "overdue": overdue[:PANEL_ROWS],
        "more_overdue": len(overdue) > PANEL_ROWS,
        "today": today,
    }
