"""Which records have reached the end of their retention period at one school.

Set-based: for each kind of record ONE `INSERT ... SELECT` adds to the review list every record
whose review date has come and that is not on the list yet, whatever the school's size. No row
goes through Python: the review date is computed by the database with the same rule as
retention.py (`add_years` on the local day the clock started; 29 February becomes 28 February),
and tests/dataprotection prove both agree. Logs are reviewed a month at a time, so they are a
handful of rows and are listed from Python.

"Decided once": a record already on the list (due, kept with a date, or on legal hold) is left
out by a NOT EXISTS on the list's unique key (school, kind, record id), and the unique constraint
(ON CONFLICT DO NOTHING) drops a row a concurrent sweep added meanwhile. Nothing is destroyed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Left, LPad, TruncDate, TruncMonth
from django.utils import timezone

from accounts.models import AccessLog, School

from .retention import RULES, latest_start


@dataclass(frozen=True)
class Due:
    record_type: str
    object_key: str
    reference: str
    due_on: date


# The review list's columns, in the order every SELECT below gives them.
COLUMNS = ("school_id", "record_type", "object_key", "reference", "due_on", "rule", "status", "reason", "created_at")


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def local_day(moment: datetime) -> date:
    return moment.astimezone(timezone.get_current_timezone()).date()


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


class AddYears(Func):
    """retention.add_years in SQL: the same day `years` later; 29 February becomes 28 February."""

    output_field = DateField()

    def __init__(self, day, years: int) -> None:
        self.years = int(years)
        super().__init__(day)

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context):
        # PostgreSQL: adding an interval of years clamps 29 February to 28 February.
        day, params = compiler.compile(self.source_expressions[0])
        return f"CAST(({day}) + make_interval(years => %s) AS date)", [*params, self.years]

    def as_sqlite(self, compiler, connection, **extra_context):  # SQLite rolls 29 February on to 1 March
        day, params = compiler.compile(self.source_expressions[0])
        shift = f"+{self.years} years"
        sql = (
            f"CASE WHEN strftime('%%m-%%d', {day}) = '02-29' AND strftime('%%m-%%d', date({day}, %s)) = '03-01' "
            f"THEN date({day}, %s, '-1 day') ELSE date({day}, %s) END"
        )
        return sql, [*params, *params, shift, *params, shift, *params, shift]


def _started_by(latest: date) -> datetime:
    """A coarse bound for the index: clocks started before this moment may be due. One day wider
    than `latest`, because 29 February + N years is 28 February; the exact test is the review
    date computed in SQL (`c_due <= today`)."""
    return start_of(latest + timedelta(days=2))


def _local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def _id_text(field: str | OuterRef = "pk") -> Cast:
    return Cast(field, output_field=CharField())


def _not_listed(school: School, record_type: str) -> Any:
    from .models import ReviewItem

    return ~Exists(
        ReviewItem.objects.filter(school=school, record_type=record_type, object_key=_id_text(OuterRef("pk")))
    )


def _as_review_rows(queryset: QuerySet, school: School, record_type: str, reference, due_on, rule: str) -> QuerySet:
    """`queryset`'s records not yet listed, as review-list rows (COLUMNS), due by `today`."""
    from .models import ReviewStatus

    return (
        queryset.filter(_not_listed(school, record_type))
        .annotate(
            c_school=Value(school.pk, output_field=IntegerField()),
            c_type=Value(record_type, output_field=CharField()),
            c_key=_id_text(),
            c_reference=Left(reference, 80),
            c_due=due_on,
            c_rule=Value(rule[:200], output_field=CharField()),
            c_status=Value(ReviewStatus.DUE, output_field=CharField()),
            c_reason=Value("", output_field=CharField()),
            c_created=Value(timezone.now(), output_field=DateTimeField()),
        )
        .order_by()
        .values_list(
            "c_school", "c_type", "c_key", "c_reference", "c_due", "c_rule", "c_status", "c_reason", "c_created"
        )
    )


def _incidents(school: School, today: date, years: int, safeguarding: bool, rule: str) -> QuerySet:
    from incidents.models import FINISHED_STATUSES, Incident

    key = "safeguarding_incident" if safeguarding else "incident"
    latest = latest_start(today, years)
    finished = Incident.objects.filter(
        school=school, safeguarding_concern=safeguarding, status__in=FINISHED_STATUSES, resolved_at__isnull=False
    )
    closed_on = _local_day("resolved_at")
    due_on: Func
    if safeguarding:
        # The youngest pupil linked to the case (incidents.IncidentPupil), whatever their part: their
        # date of birth + years, never before the case closed (retention.Clock.DATE_OF_BIRTH).
        finished = finished.annotate(youngest_born=Max("pupil_links__pupil__date_of_birth")).filter(
            Q(youngest_born__lte=latest + timedelta(days=1))
            | Q(youngest_born__isnull=True, resolved_at__lt=_started_by(latest))
        )
        due_on = Greatest(AddYears(Coalesce(F("youngest_born"), closed_on), years), closed_on)
    else:
        finished = finished.filter(resolved_at__lt=_started_by(latest))
        due_on = AddYears(closed_on, years)
    rows = _as_review_rows(finished, school, key, F("reference"), due_on, rule)
    return rows.filter(c_due__lte=today)


def _complaints(school: School, today: date, years: int, rule: str) -> QuerySet:
    from complaints.models import Complaint, Stage

    latest = latest_start(today, years)
    closed = Complaint.objects.filter(school=school, stage=Stage.CLOSED, closed_at__lt=_started_by(latest))
    # f"{code}-C{pk:04d}": padded to four digits, never cut (LPAD would cut a longer number).
    number = Case(When(pk__lt=10_000, then=LPad(_id_text(), 4, Value("0"))), default=_id_text())
    reference = Concat(Value(f"{school.short_code}-C"), number, output_field=CharField())
    rows = _as_review_rows(closed, school, "complaint", reference, AddYears(_local_day("closed_at"), years), rule)
    return rows.filter(c_due__lte=today)


def _signatures(school: School, today: date, years: int, rule: str) -> QuerySet:
    """Signatures a later record for the same parent and child replaced long enough ago. A record
    that a later withdrawal points to waits for that withdrawal (destroyed together)."""
    from agreements.models import Signature

    latest = latest_start(today, years)
    later = Signature.objects.filter(
        parent=OuterRef("parent"), pupil=OuterRef("pupil"), signed_at__gt=OuterRef("signed_at")
    ).order_by("signed_at")
    superseded = (
        Signature.objects.filter(school=school)
        .annotate(superseded_at=Subquery(later.values("signed_at")[:1]))
        .filter(superseded_at__lt=_started_by(latest))
        .exclude(Exists(Signature.objects.filter(withdraws=OuterRef("pk"))))
    )
    reference = Concat(
        Value("Signature "), _id_text(), Value(", "), Cast("academic_year", CharField()), output_field=CharField()
    )
    rows = _as_review_rows(
        superseded, school, "signature", reference, AddYears(_local_day("superseded_at"), years), rule
    )
    return rows.filter(c_due__lte=today)


def _pupils(school: School, today: date, years: int, rule: str) -> QuerySet:
    """Pupils off the roll: the clock starts at the first change that took them off, after the
    last time the history shows them on it."""
    from accounts.models import Pupil

    latest = latest_start(today, years)
    history = Pupil.history.model.objects.filter(id=OuterRef("pk")).order_by()
    last_on_roll = history.filter(is_on_roll=True).order_by("-history_date").values("history_date")[:1]
    left = (
        history.filter(is_on_roll=False)
        .filter(Q(history_date__gt=Subquery(last_on_roll)) | ~Exists(history.filter(is_on_roll=True)))
        .order_by("history_date")
        .values("history_date")[:1]
    )
    gone = (
        Pupil.objects.filter(school=school, is_on_roll=False)
        .annotate(left_at=Subquery(left))
        .filter(left_at__lt=_started_by(latest))
    )
    reference = Concat(Value("Pupil record "), _id_text(), output_field=CharField())
    rows = _as_review_rows(gone, school, "pupil", reference, AddYears(_local_day("left_at"), years), rule)
    return rows.filter(c_due__lte=today)


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


def due_record_rows(school: School, today: date, years: dict[str, int], rules: dict[str, str]) -> list[QuerySet]:
    """One SELECT per kind of record: its records due by `today` and not on the list, as COLUMNS."""
    return [
        _incidents(school, today, years["safeguarding_incident"], True, rules["safeguarding_incident"]),
        _incidents(school, today, years["incident"], False, rules["incident"]),
        _complaints(school, today, years["complaint"], rules["complaint"]),
        _signatures(school, today, years["signature"], rules["signature"]),
        _pupils(school, today, years["pupil"], rules["pupil"]),
    ]


def due_log_months(school: School, today: date, years: dict[str, int]) -> Iterator[Due]:
    from notifications.models import Notification

    yield from _months(
        AccessLog.objects.filter(school=school), "at", "access_log", "Access log", today, years["access_log"]
    )
    yield from _months(
        Notification.objects.filter(school=school), "created_at", "email", "Email records", today, years["email"]
    )


def insert_review_rows(rows: QuerySet) -> int:
    """INSERT ... SELECT `rows` into the review list in one statement; how many were added."""
    from .models import ReviewItem

    ops = connection.ops
    table = ops.quote_name(ReviewItem._meta.db_table)
    names = ", ".join(ops.quote_name(column) for column in COLUMNS)
    select, params = rows.query.sql_with_params()
    # Only quoted names and Django's compiled SELECT go into the text; every value is a parameter.
    # The SELECT always has a WHERE, which SQLite needs before an upsert clause.
    sql = f"INSERT INTO {table} ({names}) {select} ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)
