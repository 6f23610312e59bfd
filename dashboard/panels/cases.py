"""The headteacher's and DSL's landing-page panel: reports to triage and steps past their date."""

from __future__ import annotations

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from accounts.http import AuthenticatedRequest
from incidents.access import cases_for
from incidents.models import EscalationStep, Outcome, Status, StepKind

PANEL_ROWS = 5
# What a panel's row shows of a case (dashboard/templatetags/dashboard_rows.py): an incident has
# forty columns, and reading and converting them all cost more than the panel's query itself.
ROW_COLUMNS = (
    "reference",
    "created_at",
    "status",
    "next_due_on",
    "staff_safety",
    "safeguarding_concern",
    "pupils_identifiable",
    "platform__name",
)
WATCH_ROWS = 10
SAFEGUARDING_PANEL_QUERIES = 2  # the rows, and the count when there are more than fit


def case_panel(request: AuthenticatedRequest, school) -> dict:
    today = timezone.localdate()
    incidents = cases_for(request.membership).select_related("platform").only(*ROW_COLUMNS)
    to_triage = list(incidents.filter(status=Status.REPORTED).order_by("-created_at", "-pk")[: PANEL_ROWS + 1])
    # The overdue list's own order (longest overdue, then newest), so the panel reads the first rows
    # of incident_school_due_recent; ("next_due_on", "pk") sorted every case overdue on that day.
    overdue = list(
        incidents.filter(next_due_on__lt=today).order_by("next_due_on", "-created_at", "-pk")[: PANEL_ROWS + 1]
    )
    return {
        "template": "dashboard/panels/cases.html",
        "to_triage": to_triage[:PANEL_ROWS],
        "more_to_triage": len(to_triage) > PANEL_ROWS,
        "overdue": overdue[:PANEL_ROWS],
        "more_overdue": len(overdue) > PANEL_ROWS,
        "today": today,
    }


def safeguarding_panel(request: AuthenticatedRequest, school) -> dict:
    """The DSL's watch list: every open case flagged for safeguarding or staff safety, the one with
    the nearest deadline first, each with its next waiting step. Two queries, however many cases."""
    today = timezone.localdate()
    next_step = EscalationStep.objects.filter(incident=OuterRef("pk"), outcome=Outcome.PENDING).order_by(
        F("due_date").asc(nulls_last=True), "pk"
    )
    flagged = cases_for(request.membership).open_flagged()  # the partial index incident_open_flagged
    rows = list(
        flagged.select_related("platform")
        .annotate(next_step_kind=Subquery(next_step.values("kind")[:1]))
        .order_by(F("next_due_on").asc(nulls_last=True), "-created_at", "-pk")[:WATCH_ROWS]
    )
    labels = dict(StepKind.choices)
    for incident in rows:
        incident.next_step_label = labels.get(incident.next_step_kind or "", "")
    total = len(rows) if len(rows) < WATCH_ROWS else flagged.count()
    return {
        "template": "dashboard/panels/safeguarding_cases.html",
        "rows": rows,
        "total": total,
        "more": total > len(rows),
        "today": today,
    }


def chair_panel(request: AuthenticatedRequest, school) -> dict | None:
    """The chair of governors' restricted cases (allegations about the headteacher they handle):
    one query, shown only to a chair named on at least one."""
    membership = request.membership
    if membership is None or not membership.is_chair_of_governors:
        return None
    today = timezone.localdate()
    rows = list(
        cases_for(membership)
        .select_related("platform")
        .order_by(F("next_due_on").asc(nulls_last=True), "-created_at", "-pk")[:WATCH_ROWS]
    )
    if not rows:
        return None
    return {"template": "dashboard/panels/chair_cases.html", "rows": rows, "today": today}
