"""Which records have reached the end of their retention period at one school.

One query per kind of record (plus one for what is already on the review list), whatever the
school's size; the rule for each date is retention.py's, recomputed per row from its facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import AccessLog, School

from .retention import RULES, latest_start


@dataclass(frozen=True)
class Due:
    record_type: str
    object_key: str
    reference: str
    due_on: date


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def local_day(moment: datetime) -> date:
    return moment.astimezone(timezone.get_current_timezone()).date()


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _incidents(school: School, today: date, years: int, safeguarding: bool) -> Iterator[Due]:
    from incidents.models import FINISHED_STATUSES, Incident

    key = "safeguarding_incident" if safeguarding else "incident"
    rule = RULES[key]
    latest = latest_start(today, years)
    finished = Incident.objects.filter(school=school, safeguarding_concern=safeguarding, status__in=FINISHED_STATUSES)
    if safeguarding:
        # Kept by the youngest pupil linked to the case (incidents.IncidentPupil), whatever their part.
        finished = finished.annotate(youngest_born=Max("pupil_links__pupil__date_of_birth")).filter(
            Q(youngest_born__lte=latest)
            | Q(youngest_born__isnull=True, resolved_at__lt=start_of(latest + timedelta(days=1)))
        )
        rows = finished.values_list("pk", "reference", "resolved_at", "youngest_born")
    else:
        rows = finished.filter(resolved_at__lt=start_of(latest + timedelta(days=1))).values_list(
            "pk", "reference", "resolved_at"
        )
    for row in rows.order_by().iterator(chunk_size=5000):
        facts = {"closed_on": local_day(row[2]) if row[2] else None}
        if safeguarding:
            facts["date_of_birth"] = row[3]
        due_on = rule.review_on(facts, years)
        if due_on is not None and due_on <= today:
            yield Due(key, str(row[0]), row[1], due_on)


def _complaints(school: School, today: date, years: int) -> Iterator[Due]:
    from complaints.models import Complaint, Stage

    rule = RULES["complaint"]
    latest = latest_start(today, years)
    rows = Complaint.objects.filter(
        school=school, stage=Stage.CLOSED, closed_at__lt=start_of(latest + timedelta(days=1))
    ).values_list("pk", "closed_at")
    for pk, closed_at in rows.order_by().iterator(chunk_size=5000):
        due_on = rule.review_on({"closed_on": local_day(closed_at)}, years)
        if due_on is not None and due_on <= today:
            yield Due("complaint", str(pk), f"{school.short_code}-C{pk:04d}", due_on)


def _signatures(school: School, today: date, years: int) -> Iterator[Due]:
    """Signatures a later record for the same parent and child replaced long enough ago. A record
    that a later withdrawal points to waits for that withdrawal (destroyed together)."""
    from agreements.models import Signature

    rule = RULES["signature"]
    latest = latest_start(today, years)
    later = Signature.objects.filter(
        parent=OuterRef("parent"), pupil=OuterRef("pupil"), signed_at__gt=OuterRef("signed_at")
    ).order_by("signed_at")
    rows = (
        Signature.objects.filter(school=school)
        .annotate(superseded_at=Subquery(later.values("signed_at")[:1]))
        .filter(superseded_at__lt=start_of(latest + timedelta(days=1)))
        .exclude(Exists(Signature.objects.filter(withdraws=OuterRef("pk"))))
        .values_list("pk", "academic_year", "superseded_at")
    )
    for pk, year, superseded_at in rows.order_by().iterator(chunk_size=5000):
        due_on = rule.review_on({"superseded_on": local_day(superseded_at)}, years)
        if due_on is not None and due_on <= today:
            yield Due("signature", str(pk), f"Signature {pk}, {year}", due_on)


def _pupils(school: School, today: date, years: int) -> Iterator[Due]:
    """Pupils off the roll: the clock starts at the first change that took them off, after the
    last time the history shows them on it."""
    from accounts.models import Pupil

    rule = RULES["pupil"]
    latest = latest_start(today, years)
    history = Pupil.history.model.objects.filter(id=OuterRef("pk")).order_by()
    last_on_roll = history.filter(is_on_roll=True).order_by("-history_date").values("history_date")[:1]
    left = (
        history.filter(is_on_roll=False)
        .filter(Q(history_date__gt=Subquery(last_on_roll)) | ~Exists(history.filter(is_on_roll=True)))
        .order_by("history_date")
        .values("history_date")[:1]
    )
    rows = (
        Pupil.objects.filter(school=school, is_on_roll=False)
        .annotate(left_at=Subquery(left))
        .filter(left_at__lt=start_of(latest + timedelta(days=1)))
        .values_list("pk", "left_at")
    )
    for pk, left_at in rows.order_by().iterator(chunk_size=5000):
        due_on = rule.review_on({"left_on": local_day(left_at)}, years)
        if due_on is not None and due_on <= today:
            yield Due("pupil", str(pk), f"Pupil record {pk}", due_on)


def month_boundary(today: date, years: int) -> date:
    """The first day after the last whole month whose period has ended by `today`."""
    latest = latest_start(today, years)
    following = latest + timedelta(days=1)
    return following if following.day == 1 else date(latest.year, latest.month, 1)


def _months(queryset, moment_field: str, record_type: str, label: str, today: date, years: int) -> Iterator[Due]:
    rule = RULES[record_type]
    boundary = start_of(month_boundary(today, years))
    months = (
        queryset.filter(**{f"{moment_field}__lt": boundary})
        .annotate(month=TruncMonth(moment_field))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    for row in months:
        first = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        last = _next_month(first) - timedelta(days=1)
        due_on = rule.review_on({"created_on": last}, years)
        if due_on is not None:  # always: the month's last day starts the clock
            yield Due(record_type, f"{first:%Y-%m}", f"{label}, {first:%B %Y}", due_on)


def due_records(school: School, today: date, years: dict[str, int]) -> Iterator[Due]:
    from notifications.models import Notification

    yield from _incidents(school, today, years["safeguarding_incident"], safeguarding=True)
    yield from _incidents(school, today, years["incident"], safeguarding=False)
    yield from _complaints(school, today, years["complaint"])
    yield from _signatures(school, today, years["signature"])
    yield from _pupils(school, today, years["pupil"])
    yield from _months(
        AccessLog.objects.filter(school=school), "at", "access_log", "Access log", today, years["access_log"]
    )
    yield from _months(
        Notification.objects.filter(school=school), "created_at", "email", "Email records", today, years["email"]
    )
