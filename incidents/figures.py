"""The kept dashboard figures (MonthlyFigures): one row per school and month, kept in step with the
incidents in the same transaction as the change that moves them.

A change recomputes only the part of the touched month's row it can move (the totals and
platforms for an incident, the natures for a nature, the routes for a step), by aggregate queries
over that one school's month, after taking the row's lock (SELECT ... FOR UPDATE). Under
concurrency the last transaction to take the lock sees every committed change of that month
besides its own (PostgreSQL's READ COMMITTED takes a fresh snapshot for each statement), so the
row is never left with a stale count, which F() deltas from an instance read earlier could not
promise. An incident whose month changes recomputes every part of both months, old and new.

Destroying a case (dataprotection.destruction) removes it from these rows too: its counts move to
dataprotection.KeptFigures first, and the statistics add those back, so the figures a governor
sees do not change. `rebuild_school` recomputes a school's rows from scratch (for repair, and
after bulk loads that send no signals): `manage.py rebuild_figures`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

TOTALS, NATURES, ROUTES = "totals", "natures", "routes"
ALL_PARTS = frozenset({TOTALS, NATURES, ROUTES})
# The incident fields the figures read: a save that changes none of them moves nothing.
FIGURE_FIELDS = frozenset({"created_at", "status", "platform", "platform_id", "resolved_at", "seconds_to_resolve"})


def month_of(moment: datetime) -> date:
    """The first day of the month `moment` falls in, in the school's (the site's) time zone."""
    local = timezone.localtime(moment)
    return date(local.year, local.month, 1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _models(models):
    if models is not None:
        return models
    from .models import EscalationStep, Incident, IncidentNature, MonthlyFigures

    return Incident, IncidentNature, EscalationStep, MonthlyFigures


def count_month(row, parts: Iterable[str], models=None) -> None:
    """Fill the `parts` of one MonthlyFigures row from the incidents: one query a part (two for
    the totals). `models` lets the data migration pass its historical models."""
    from .statistics import FINISHED, RESOLUTION_BANDS, _resolution, _resolution_counts

    Incident, IncidentNature, EscalationStep, _ = _models(models)
    since, until = _aware(row.month), _aware(next_month(row.month))
    incidents = Incident.objects.filter(school_id=row.school_id, created_at__gte=since, created_at__lt=until)
    parts = set(parts)
    if TOTALS in parts:
        totals = incidents.aggregate(
            n=Count("pk"), still_open=Count("pk", filter=~Q(status__in=FINISHED)), **_resolution_counts()
        )
        row.incidents, row.still_open = totals["n"], totals["still_open"]
        row.resolution = [band["count"] for band in _resolution(totals)]
        assert len(row.resolution) == len(RESOLUTION_BANDS)
        row.by_platform = {
            str(platform): n
            for platform, n in incidents.values_list("platform_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("platform_id", "n")
        }
    if NATURES in parts:
        natures = IncidentNature.objects.filter(
            incident__school_id=row.school_id, incident__created_at__gte=since, incident__created_at__lt=until
        )
        row.by_nature = dict(natures.values("nature").annotate(n=Count("pk")).order_by().values_list("nature", "n"))
    if ROUTES in parts:
        steps = EscalationStep.objects.filter(
            incident__school_id=row.school_id, incident__created_at__gte=since, incident__created_at__lt=until
        )
        row.routes = dict(
            steps.values("kind").annotate(n=Count("incident", distinct=True)).order_by().values_list("kind", "n")
        )


def refresh(school_id: int, months: Iterable[date], parts: Iterable[str] = ALL_PARTS, models=None) -> None:
    """Recompute `parts` of the school's rows for `months`, each under its row lock, inside the
    caller's transaction (or one of its own). Months are locked in order, so two changes that
    touch the same two months never wait on each other in a cycle."""
    *_, MonthlyFigures = _models(models)
    parts = frozenset(parts)
    with transaction.atomic():
        for month in sorted(set(months)):
            row, _ = MonthlyFigures.objects.select_for_update().get_or_create(school_id=school_id, month=month)
            count_month(row, parts, models)
            row.save()


def rebuild_school(school_id: int, models=None) -> int:
    """Recompute every month of one school from its incidents; returns the number of rows kept.
    Months left with no incident lose their row."""
    from . import statistics

    Incident, _, _, MonthlyFigures = _models(models)
    with transaction.atomic():
        span = Incident.objects.filter(school_id=school_id).aggregate(first=Min("created_at"), last=Max("created_at"))
        months: list[date] = []
        if span["first"] is not None:
            month, last = month_of(span["first"]), month_of(span["last"])
            while month <= last:
                months.append(month)
                month = next_month(month)
        MonthlyFigures.objects.filter(school_id=school_id).exclude(month__in=months).delete()
        refresh(school_id, months, ALL_PARTS, models)
        MonthlyFigures.objects.filter(school_id=school_id, incidents=0).delete()
    if models is None:
        statistics.invalidate(school_id)
    return len(months)


# --- Kept in step by incidents/signals.py ------------------------------------------------------


def incident_saved(incident, created: bool, update_fields) -> None:
    if not created and update_fields is not None and not FIGURE_FIELDS & set(update_fields):
        return
    month = month_of(incident.created_at)
    loaded = getattr(incident, "_loaded_created_at", None)
    before = month_of(loaded) if loaded is not None and not created else month
    if before != month:
        refresh(incident.school_id, [before, month])  # its natures and steps move with it
    else:
        refresh(incident.school_id, [month], [TOTALS])


def incident_deleted(incident) -> None:
    refresh(incident.school_id, [month_of(incident.created_at)], [TOTALS])


def child_changed(incident_id: int, part: str) -> int | None:
    """A nature or step was added, changed or removed: recompute that part of its incident's month.
    Returns the incident's school (none if the incident is gone)."""
    from .models import Incident

    found = Incident.objects.filter(pk=incident_id).values_list("school_id", "created_at").first()
    if found is None:
        return None
    school_id, created_at = found
    refresh(school_id, [month_of(created_at)], [part])
    return school_id
