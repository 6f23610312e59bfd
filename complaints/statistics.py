"""Anonymised complaint figures for the governors' statistics and the termly report: counts only."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q

from accounts.models import School
from incidents.statistics import aware

from .models import Complaint, Decision, PanelRecord, Stage


def complaint_figures(school: School, since: date | None = None, until: date | None = None) -> dict:
    """Counts of complaints by stage and of panel decisions: two queries, no names."""
    complaints = Complaint.objects.filter(school=school)
    if since:
        complaints = complaints.filter(created_at__gte=aware(since))
    if until:
        complaints = complaints.filter(created_at__lt=aware(until + timedelta(days=1)))
    counts = complaints.aggregate(
        total=Count("pk"),
        **{stage.value: Count("pk", filter=Q(stage=stage)) for stage in Stage},
        reached_panel=Count("pk", filter=Q(reached_panel_at__isnull=False)),
    )
    decisions = dict(
        PanelRecord.objects.filter(complaint__in=complaints.values("pk"))
        .values_list("decision")
        .annotate(n=Count("pk"))
        .order_by()
    )
    _add_kept_complaints(school, since, until, counts, decisions)
    return {
        "total": counts["total"],
        "by_stage": [{"label": stage.label, "count": counts[stage.value]} for stage in Stage],
        "reached_panel": counts["reached_panel"],
        "decisions": [{"label": d.label, "count": decisions.get(d.value, 0)} for d in Decision],
    }


def _add_kept_complaints(school: School, since: date | None, until: date | None, counts: dict, decisions: dict) -> None:
    """Add back destroyed complaints (dataprotection.KeptFigures), counted by the month they were
    made: a period starting mid-month counts that month's destroyed complaints in full."""
    from dataprotection.models import KeptFigures

    kept = KeptFigures.objects.filter(school=school, complaints__gt=0)
    if since:
        kept = kept.filter(month__gte=date(since.year, since.month, 1))
    if until:
        kept = kept.filter(month__lte=until)
    for row in kept:
        counts["total"] += row.complaints
        counts["reached_panel"] += row.complaints_reached_panel
        for stage, count in row.complaints_by_stage.items():
            if stage in counts:
                counts[stage] += count
        for decision, count in row.decisions.items():
            decisions[decision] = decisions.get(decision, 0) + count
