"""Anonymised incident figures for the headteacher's charts, the governors' statistics and the termly report.

`incident_figures` reads the kept per-month rows (incidents.MonthlyFigures, kept in step with the
incidents by incidents/figures.py): three queries over a few dozen rows, whatever the number of
incidents. It is cached per school and period, and the cache is dropped whenever an incident, its
natures or its steps change (see incidents/signals.py).
`compute_incident_figures` counts the same figures from the incident rows by aggregate queries
(counts grouped by month, nature, platform, step kind or a time-to-resolve band); the kept rows
are filled with it month by month, and it serves a period ending before the end of a past month.
No name, reference or text of any incident leaves this module.
Complaint figures live in complaints/statistics.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import School
from schoolsocial.lib import cache as generations

from .models import FINISHED_STATUSES, EscalationStep, Incident, IncidentNature, Nature, StepKind

FINISHED = tuple(FINISHED_STATUSES)
RESOLUTION_BANDS = [
    ("Within a week", timedelta(days=7)),
    ("1 to 2 weeks", timedelta(days=14)),
    ("2 to 4 weeks", timedelta(days=28)),
    ("Over 4 weeks", None),
]
CACHE_SECONDS = 60 * 60
UNION_MONTHS = 24  # periods up to this many months count natures month by month (see _nature_rows)


@dataclass
class Figures:
    """What the charts and tables show. Plain lists and dicts, ready for json_script."""

    months: list[str] = field(default_factory=list)
    month_totals: list[int] = field(default_factory=list)
    by_nature: list[dict] = field(default_factory=list)  # [{"label", "counts": [per month], "total"}]
    by_platform: list[dict] = field(default_factory=list)  # [{"label", "count"}]
    routes: list[dict] = field(default_factory=list)  # [{"label", "count"}]
    resolution: list[dict] = field(default_factory=list)  # [{"label", "count"}]
    still_open: int = 0
    total: int = 0

    def chart_data(self) -> dict:
        # Each incident is counted once per month; natures are "mentions" (a post can have several),
        # so they are charted over the period, never stacked into the monthly count.
        return {
            "months": self.months,
            "monthTotals": self.month_totals,
            "byNature": [{"label": row["label"], "total": row["total"]} for row in self.by_nature],
            "byPlatform": self.by_platform,
            "resolution": self.resolution,
        }

    def nature_rows(self) -> list[dict]:
        """Month by month, for the accessible table: one row per month, one column per nature."""
        return [
            {"month": month, "counts": [row["counts"][i] for row in self.by_nature], "total": self.month_totals[i]}
            for i, month in enumerate(self.months)
        ]


def month_starts(end: date, count: int = 12) -> list[date]:
    """The first day of each of the `count` months ending with `end`'s month, oldest first."""
    year, month = end.year, end.month
    starts = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(starts))


def aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _generation_key(school_id: int) -> str:
    return f"complaints:stats-generation:{school_id}"


def generation(school_id: int) -> int:
    """The school's figures generation: it moves with every `invalidate`, so a key that includes it
    (the dashboard's rendered charts) is dropped with the figures."""
    return generations.generation(_generation_key(school_id))


def invalidate(school_id: int) -> None:
    """Forget the cached figures of one school (called on every change to its incidents)."""
    generations.bump(_generation_key(school_id))


def incident_figures(
    school: School, *, end: date | None = None, months: int = 12, start: date | None = None
) -> Figures:
    """Figures for the months up to `end` (default: the last 12 months), cached per school."""
    end = end or timezone.localdate()
    starts = month_starts(end, months) if start is None else _months_between(start, end)
    key = f"complaints:stats:{school.pk}:{generation(school.pk)}:{starts[0]}:{end}:{len(starts)}"
    figures = cache.get(key)
    if figures is None:
        if end < timezone.localdate() and _next_month(end) - timedelta(days=1) != end:
            # A report ending part way through a past month: the kept rows hold whole months.
            figures = compute_incident_figures(school, starts, end)
        else:
            figures = kept_incident_figures(school, starts)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def kept_incident_figures(school: School, starts: list[date]) -> Figures:
    """The figures for the whole months `starts`, from the kept rows (incidents.MonthlyFigures) and
    the figures of destroyed cases (dataprotection.KeptFigures): three queries, a row a month each."""
    from .models import MonthlyFigures, Platform

    figures = Figures(months=[d.strftime("%b %Y") for d in starts])
    number_of = {start: number for number, start in enumerate(starts)}
    figures.month_totals = [0] * len(starts)
    natures: dict[str, list[int]] = {}
    platforms: dict[int, int] = {}
    routes: dict[str, int] = {}
    bands = [0] * len(RESOLUTION_BANDS)
    for row in MonthlyFigures.objects.filter(school=school, month__in=starts):
        number = number_of[row.month]
        figures.month_totals[number] += row.incidents
        figures.still_open += row.still_open
        for band, count in enumerate(row.resolution):
            bands[band] += count
        for code, count in row.by_nature.items():
            natures.setdefault(code, [0] * len(starts))[number] += count
        for platform, count in row.by_platform.items():
            platforms[int(platform)] = platforms.get(int(platform), 0) + count
        for kind, count in row.routes.items():
            routes[kind] = routes.get(kind, 0) + count
    figures.total = sum(figures.month_totals)
    figures.by_nature = [
        {"label": Nature(code).label, "counts": natures[code], "total": sum(natures[code])}
        for code in Nature.values
        if code in natures and any(natures[code])
    ]
    names = dict(Platform.objects.filter(pk__in=[pk for pk, n in platforms.items() if n]).values_list("pk", "name"))
    figures.by_platform = sorted(
        ({"label": names[pk], "count": n} for pk, n in platforms.items() if n and pk in names),
        key=lambda row: (-row["count"], row["label"]),
    )
    figures.routes = [{"label": kind.label, "count": routes[kind.value]} for kind in StepKind if routes.get(kind.value)]
    figures.resolution = [{"label": label, "count": bands[n]} for n, (label, _) in enumerate(RESOLUTION_BANDS)]
    _add_kept_figures(figures, school, starts)
    return figures


def _months_between(start: date, end: date) -> list[date]:
    starts, day = [], date(start.year, start.month, 1)
    while day <= end:
        starts.append(day)
        day = _next_month(day)
    return starts


def compute_incident_figures(school: School, starts: list[date], end: date) -> Figures:
    """Four aggregate queries, whatever the number of incidents, and one for the figures kept from
    cases destroyed under the retention schedule (dataprotection.KeptFigures).

    Each incident's month is one CASE over the month boundaries (plain comparisons on an indexed
    column, grouped on), or a per-month SELECT for the natures (see _nature_rows), rather than a
    per-row month function, which SQLite would run in Python.
    The incident counts read only the covering index incident_school_figures; time to resolve is
    an integer comparison on `seconds_to_resolve`, not date arithmetic on every row.
    """
    since, until = aware(starts[0]), aware(end + timedelta(days=1))
    bounds = [aware(d) for d in starts[1:]] + [until]
    incidents = Incident.objects.filter(school=school, created_at__gte=since, created_at__lt=until)
    figures = Figures(months=[d.strftime("%b %Y") for d in starts])
    months = len(starts)

    by_month = (
        incidents.annotate(month=_month_of("created_at", bounds))
        .values("month")
        .annotate(n=Count("pk"), still_open=Count("pk", filter=~Q(status__in=FINISHED)), **_resolution_counts())
        .order_by()
    )
    figures.month_totals = [0] * months
    totals = dict.fromkeys(["still_open", *_resolution_counts()], 0)
    for row in by_month:
        figures.month_totals[row["month"]] = row["n"]
        for name in totals:
            totals[name] += row[name]
    figures.still_open = totals["still_open"]
    figures.total = sum(figures.month_totals)

    natures: dict[str, list[int]] = {}
    for code, month, count in _nature_rows(school, since, bounds):
        natures.setdefault(code, [0] * months)[month] = count
    figures.by_nature = [
        {"label": str(Nature(code).label), "counts": natures[code], "total": sum(natures[code])}
        for code in Nature.values
        if code in natures
    ]

    platforms = incidents.values("platform__name").annotate(n=Count("pk")).order_by("-n", "platform__name")
    figures.by_platform = [{"label": row["platform__name"], "count": row["n"]} for row in platforms]

    routes = (
        EscalationStep.objects.filter(incident__in=incidents.values("pk"))
        .values("kind")
        .annotate(n=Count("incident", distinct=True))
        .order_by()
    )
    route_counts = {row["kind"]: row["n"] for row in routes}
    figures.routes = [
        {"label": kind.label, "count": route_counts[kind.value]} for kind in StepKind if kind.value in route_counts
    ]

    figures.resolution = _resolution(totals)
    _add_kept_figures(figures, school, starts)
    return figures


def _add_kept_figures(figures: Figures, school: School, starts: list[date]) -> None:
    """Add back the counts of destroyed incidents (dataprotection.KeptFigures): one query.

    Destroying a case under the retention schedule removes its rows, not its place in the figures."""
    from dataprotection.models import KeptFigures

    months = {start: number for number, start in enumerate(starts)}
    kept_rows = [row for row in KeptFigures.objects.filter(school=school, month__in=starts) if row.incidents]
    if not kept_rows:
        return
    natures = {row["label"]: row for row in figures.by_nature}
    platforms = {row["label"]: row for row in figures.by_platform}
    routes = {row["label"]: row for row in figures.routes}
    for kept in kept_rows:
        number = months[kept.month]
        figures.month_totals[number] += kept.incidents
        for code, count in kept.by_nature.items():
            if code not in Nature.values:
                continue
            label = str(Nature(code).label)
            row = natures.setdefault(label, {"label": label, "counts": [0] * len(starts), "total": 0})
            row["counts"][number] += count
            row["total"] += count
        for name, count in kept.by_platform.items():
            platforms.setdefault(name, {"label": name, "count": 0})["count"] += count
        for kind, count in kept.routes.items():
            if kind in StepKind.values:
                label = StepKind(kind).label
                routes.setdefault(label, {"label": label, "count": 0})["count"] += count
        for band, count in kept.resolution.items():
            figures.resolution[int(band)]["count"] += count
    figures.total = sum(figures.month_totals)
    order = {str(Nature(code).label): i for i, code in enumerate(Nature.values)}
    figures.by_nature = sorted(natures.values(), key=lambda row: order.get(row["label"], 99))
    figures.by_platform = sorted(platforms.values(), key=lambda row: (-row["count"], row["label"]))
    kinds = {kind.label: i for i, kind in enumerate(StepKind)}
    figures.routes = sorted(routes.values(), key=lambda row: kinds.get(row["label"], 99))


def _nature_rows(school: School, since: datetime, bounds: list[datetime]) -> QuerySet:
    """(nature, month number, count) rows, in one query. Up to UNION_MONTHS months, one SELECT per
    month joined by UNION ALL: each month's rows are grouped on their own, a far smaller sort than a
    year's (nature, month) pairs at once (about twice as fast at 100,000 incidents on SQLite).
    Longer periods (a report over years) group on the month CASE instead, within SQLite's limit on
    compound SELECTs. Both count the same."""
    natures = IncidentNature.objects.filter(incident__school=school).order_by()
    if len(bounds) > UNION_MONTHS:
        return (
            natures.filter(incident__created_at__gte=since, incident__created_at__lt=bounds[-1])
            .annotate(month=_month_of("incident__created_at", bounds))
            .values("nature", "month")
            .annotate(n=Count("pk"))
            .values_list("nature", "month", "n")
        )
    per_month = [
        natures.filter(incident__created_at__gte=lower, incident__created_at__lt=upper)
        .values("nature")
        .annotate(month=Value(number, output_field=IntegerField()), n=Count("pk"))
        .values_list("nature", "month", "n")
        for number, (lower, upper) in enumerate(zip([since, *bounds[:-1]], bounds, strict=True))
    ]
    return per_month[0].union(*per_month[1:], all=True)


def _month_of(field: str, bounds: list[datetime]) -> Case:
    """The month number (0 = the first) of a moment already known to lie between the first month's
    start and the last bound: the first month whose end it comes before."""
    return Case(
        *[When(**{f"{field}__lt": upper}, then=Value(number)) for number, upper in enumerate(bounds)],
        output_field=IntegerField(),
    )


def _resolution_counts() -> dict:
    """Conditional counts for the time-to-resolve bands, to add to the totals query: how many
    incidents were resolved within each band's upper limit, and how many were resolved at all.
    `Incident.resolved_at` is when the incident last became finished (resolved, closed or needing
    no action); a reopened incident has none until it is finished again."""
    # seconds_to_resolve is set exactly when resolved_at is, and lives in the covering index.
    counts = {"resolved": Count("pk", filter=Q(seconds_to_resolve__isnull=False))}
    for number, (_, upper) in enumerate(RESOLUTION_BANDS):
        if upper is not None:
            # seconds_to_resolve is rounded up, so this is exactly resolved_at <= created_at + upper,
            # without date arithmetic on every row (which SQLite would do in Python).
            counts[f"within{number}"] = Count("pk", filter=Q(seconds_to_resolve__lte=_whole_seconds(upper)))
    return counts


def _whole_seconds(limit: timedelta) -> int:
    seconds, rest = divmod(limit, timedelta(seconds=1))
    if rest:
        raise ValueError(f"A time-to-resolve limit must be whole seconds, not {limit}.")
    return seconds


def _resolution(totals: dict) -> list[dict]:
    """The bands from the cumulative counts of `_resolution_counts`."""
    rows, counted = [], 0
    for number, (label, upper) in enumerate(RESOLUTION_BANDS):
        up_to = totals["resolved"] if upper is None else totals[f"within{number}"]
        rows.append({"label": label, "count": up_to - counted})
        counted = up_to
    return rows
