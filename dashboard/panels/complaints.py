"""Complaint panels, and the headteacher's "needs attention" and figures panels. Each runs a fixed
number of queries."""

from __future__ import annotations

from django.db.models import F
from django.templatetags.static import static
from django.utils import timezone

from accounts.http import AuthenticatedRequest
from accounts.models import School
from agreements import coverage as cached_coverage
from complaints.deadlines import add_school_days
from complaints.models import Complaint, ComplaintSettings, Stage
from incidents import statistics
from incidents.access import case_q, cases_for

from .cases import ROW_COLUMNS
from .shared import school_wide

PANEL_ROWS = 5


def attention_panel(request: AuthenticatedRequest, school: School) -> dict:
    """Safeguarding flags, complaints nearing or past a deadline, letters awaiting finalisation."""
    today = timezone.localdate()
    rules = ComplaintSettings.for_school(school)
    warn_until = add_school_days(today, rules.remind_days_before, rules.holiday_dates)
    flagged = list(
        cases_for(request.membership)
        .open_flagged()
        .filter(safeguarding_concern=True)
        .select_related("platform")
        .only(*ROW_COLUMNS)
        # The partial index's order: the nearest deadline first (a newest-first order would walk
        # every incident of the school through the date index instead).
        .order_by(F("next_due_on").asc(nulls_last=True), "-created_at", "-pk")[: PANEL_ROWS + 1]
    )
    due = list(
        Complaint.objects.open()
        .filter(school=school, next_due_on__lte=warn_until)
        .select_related("school")
        .only("stage", "next_due_on", "acknowledged_at", "school__short_code")  # what a row shows
        .order_by("next_due_on", "pk")[: PANEL_ROWS + 1]
    )
    return {
        "template": "dashboard/panels/complaints_attention.html",
        "flagged": flagged[:PANEL_ROWS],
        "more_flagged": len(flagged) > PANEL_ROWS,
        "complaints_due": due[:PANEL_ROWS],
        "more_complaints_due": len(due) > PANEL_ROWS,
        "letters": letters_awaiting(request, school),
        "today": today,
    }


def letters_awaiting(request: AuthenticatedRequest, school: School) -> dict:
    """Draft letters (incidents.letters) waiting to be checked and finalised. One query."""
    from incidents.letters.models import Letter, LetterStatus

    drafts = list(
        Letter.objects.filter(school=school, status=LetterStatus.DRAFT)
        .filter(case_q(request.membership, "incident__"))  # from the drafts to their cases, not every case
        .select_related("incident")
        .only("kind", "created_at", "incident__reference")  # what a row shows
        .order_by("created_at", "pk")[: PANEL_ROWS + 1]
    )
    return {"drafts": drafts[:PANEL_ROWS], "more": len(drafts) > PANEL_ROWS}


def coverage_panel(request: AuthenticatedRequest, school: School) -> dict | None:
    """Home-school agreement coverage for the current version, class by class: shared with the
    agreements panel (computed once per request)."""
    from .agreements import coverage, current_version

    version = current_version(request, school)
    if version is None:
        return None  # the agreements panel already says none is published
    template = "dashboard/panels/complaints_coverage.html"

    def build() -> dict:
        rows, total = coverage(request, school, version)
        # The classes furthest behind first: what a headteacher chases. A school of 70 tutor groups
        # would otherwise fill the dashboard; the coverage page lists them all.
        behind = sorted(rows, key=lambda row: (not row.families, row.percent, row.name))
        return {
            "template": template,
            "version": version,
            "rows": behind[:COVERAGE_ROWS],
            "more": len(behind) - COVERAGE_ROWS if len(behind) > COVERAGE_ROWS else 0,
            "total": total,
        }

    # School-wide figures, the same for every headteacher: rendered once until coverage changes.
    return school_wide(request, school, template, (version.pk, cached_coverage.generation(school.pk)), build)


COVERAGE_ROWS = 8


def charts_panel(request: AuthenticatedRequest, school: School) -> dict:
    """The school's anonymised figures over the last 12 months: the same for every headteacher of
    the school, so rendered once until an incident changes them (or the day, or the release's
    scripts, do)."""
    template = "dashboard/panels/complaints_charts.html"
    today = timezone.localdate()

    def build() -> dict:
        figures = statistics.incident_figures(school, end=today)
        return {"template": template, "figures": figures, "chart_data": figures.chart_data()}

    parts = (statistics.generation(school.pk), today, static(CHARTS_SCRIPT))
    return school_wide(request, school, template, parts, build)


CHARTS_SCRIPT = "js/complaints-charts.js"  # a new release's scripts: a new key


def governor_panel(request: AuthenticatedRequest, school: School) -> dict:
    from policies.models import Owner, PolicyVersion
    from policies.models import Status as PolicyStatus

    waiting = Complaint.objects.for_panel(school).filter(stage=Stage.PANEL).count()
    # The governing body approves these with the policies app's own approval page.
    to_approve = list(
        PolicyVersion.objects.filter(
            document__school=school, document__owner=Owner.GOVERNING_BODY, status=PolicyStatus.AWAITING_APPROVAL
        )
        .select_related("document")
        .order_by("document__title")[:10]
    )
    return {"template": "dashboard/panels/complaints_governor.html", "waiting": waiting, "to_approve": to_approve}


def parent_panel(request: AuthenticatedRequest, school: School) -> dict | None:
    open_count = Complaint.objects.open().filter(school=school, parent=request.user).count()
    return {"template": "dashboard/panels/complaints_parent.html", "open_count": open_count}


def assigned_panel(request: AuthenticatedRequest, school: School) -> dict | None:
    """For staff: the informal-stage complaints given to them. One query; nothing when there are none."""
    complaints = list(
        Complaint.objects.assigned_to(request.user)
        .filter(school=school)
        .select_related("school")
        .order_by("next_due_on", "pk")[: PANEL_ROWS + 1]
    )
    if not complaints:
        return None
    return {
        "template": "dashboard/panels/complaints_assigned.html",
        "complaints": complaints[:PANEL_ROWS],
        "more": len(complaints) > PANEL_ROWS,
        "today": timezone.localdate(),
    }
