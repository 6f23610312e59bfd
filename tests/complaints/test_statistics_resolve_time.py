"""Incident.seconds_to_resolve: kept beside resolved_at, so the time-to-resolve bands are an integer
comparison that gives exactly what comparing the dates would, with no date arithmetic in SQL."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import statistics
from incidents.backfills import backfill_seconds_to_resolve
from incidents.models import Incident, Nature, Status, seconds_between

from .conftest import aware, make_incident

pytestmark = pytest.mark.django_db


def test_seconds_are_rounded_up_so_a_limit_compares_exactly():
    start = datetime(2026, 2, 2, 9)
    week = 7 * 24 * 3600
    assert seconds_between(start, start + timedelta(days=7)) == week
    assert seconds_between(start, start + timedelta(days=7, microseconds=1)) == week + 1
    assert seconds_between(start, start + timedelta(days=7, microseconds=-1)) == week
    assert seconds_between(start, start) == 0
    assert seconds_between(start, None) is None and seconds_between(None, start) is None


def _fresh(incident: Incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def test_save_keeps_the_seconds_with_resolved_at(cast):
    created = aware(2026, 2, 2, 9)
    incident = make_incident(cast.school, cast.staff, created=created)
    assert _fresh(incident).seconds_to_resolve is None
    incident.status = Status.TRIAGED
    incident.save()
    incident.status = Status.RESOLVED
    incident.resolved_at = created + timedelta(days=2, hours=3)
    incident.save(update_fields=["status"])
    assert _fresh(incident).seconds_to_resolve == (2 * 24 + 3) * 3600
    incident.status = Status.IN_PROGRESS
    incident.save()
    assert _fresh(incident).seconds_to_resolve is None  # reopened: open again until finished
    incident.status = Status.RESOLVED
    incident.resolved_at = created + timedelta(days=5)
    incident.save()
    incident.status = Status.CLOSED
    incident.save()
    assert _fresh(incident).seconds_to_resolve == 5 * 24 * 3600  # closing keeps the moment resolved


def test_backfill_fills_what_bulk_writes_left_out(cast):
    created = aware(2026, 2, 2, 9)
    done = make_incident(cast.school, cast.staff, created=created, status=Status.NO_ACTION)
    still_open = make_incident(cast.school, cast.staff, created=created)
    Incident.objects.filter(pk=done.pk).update(resolved_at=created + timedelta(days=9), seconds_to_resolve=None)
    assert backfill_seconds_to_resolve(Incident) == 1
    assert _fresh(done).seconds_to_resolve == 9 * 24 * 3600
    assert _fresh(still_open).seconds_to_resolve is None
    assert backfill_seconds_to_resolve(Incident) == 0


def test_a_microsecond_past_a_week_is_in_the_second_band(cast):
    created = aware(2026, 3, 2, 9)
    for took in (timedelta(days=7), timedelta(days=7, microseconds=1)):
        incident = make_incident(cast.school, cast.staff, created=created, natures=[Nature.THREAT])
        incident.status = Status.NO_ACTION
        incident.resolved_at = created + took
        incident.save()
    figures = statistics.compute_incident_figures(
        cast.school, statistics.month_starts(date(2026, 3, 31), 1), date(2026, 3, 31)
    )
    assert [row["count"] for row in figures.resolution] == [1, 1, 0, 0]


def test_figures_need_no_date_arithmetic_in_sql(cast):
    """On SQLite, date arithmetic and date parts run as Python functions on every row (slow at
    100,000 incidents); the figures use plain comparisons only."""
    make_incident(cast.school, cast.staff, created=aware(2026, 3, 2, 9), natures=[Nature.THREAT])
    with CaptureQueriesContext(connection) as queries:
        statistics.compute_incident_figures(
            cast.school, statistics.month_starts(date(2026, 3, 31), 12), date(2026, 3, 31)
        )
    assert len(queries.captured_queries) == 5  # four aggregates and the kept figures
    for query in queries.captured_queries:
        sql = query["sql"].lower()
        assert "django_" not in sql and "interval" not in sql and "extract" not in sql, sql


def test_a_period_of_years_counts_natures_the_same(cast, django_assert_num_queries):
    """Up to UNION_MONTHS months the natures are counted month by month; a longer period (a
    report over years) groups on the month instead. Both give the same counts."""
    for created, nature in [
        (aware(2026, 1, 31, 23, 59), Nature.THREAT),
        (aware(2026, 2, 1, 0, 0), Nature.THREAT),
        (aware(2026, 3, 31, 22, 30), Nature.CYBERBULLYING),  # 31/3 in London
        (aware(2023, 6, 1, 9), Nature.THREAT),
    ]:
        make_incident(cast.school, cast.staff, created=created, natures=[nature])
    end = date(2026, 3, 31)
    short = statistics.compute_incident_figures(cast.school, statistics.month_starts(end, 3), end)
    long_starts = statistics.month_starts(end, statistics.UNION_MONTHS + 12)
    with django_assert_num_queries(5):
        long = statistics.compute_incident_figures(cast.school, long_starts, end)
    assert {row["label"]: row["counts"] for row in short.by_nature} == {
        "Threat of violence": [1, 1, 0],
        "Cyber-bullying": [0, 0, 1],
    }
    assert {row["label"]: row["counts"][-3:] for row in long.by_nature} == {
        row["label"]: row["counts"] for row in short.by_nature
    }
    assert {row["label"]: row["total"] for row in long.by_nature} == {"Threat of violence": 3, "Cyber-bullying": 1}
    assert long.month_totals[-3:] == short.month_totals == [1, 1, 1] and long.total == 4
