"""Time to resolve, read from Incident.resolved_at: bands counted by hand, in a fixed number of queries."""

from datetime import date, timedelta

import pytest

from incidents import statistics
from incidents.models import Nature, Status

from .conftest import aware, make_incident

pytestmark = pytest.mark.django_db


def _finished(cast, created, took, status=Status.RESOLVED):
    incident = make_incident(cast.school, cast.staff, created=created, natures=[Nature.COMPLAINT])
    incident.status = Status.TRIAGED
    incident.save()
    incident.status = status
    incident.resolved_at = created + took
    incident.save()
    return incident


@pytest.fixture
def spread(cast):
    start = aware(2026, 2, 2, 9)
    _finished(cast, start, timedelta(days=7))  # exactly a week: the first band
    _finished(cast, start, timedelta(days=7, seconds=1))
    _finished(cast, start, timedelta(days=14), status=Status.NO_ACTION)
    _finished(cast, start, timedelta(days=27))
    _finished(cast, start, timedelta(days=28, hours=1), status=Status.NO_ACTION)
    _finished(cast, start, timedelta(days=90))
    reopened = _finished(cast, start, timedelta(days=1))
    reopened.status = Status.IN_PROGRESS
    reopened.save()
    make_incident(cast.school, cast.staff, created=start, natures=[Nature.THREAT])  # still open
    # Another school's quick resolution never counts.
    other = make_incident(cast.other_school, cast.other_headteacher, created=start, natures=[Nature.THREAT])
    other.status = Status.NO_ACTION
    other.save()
    return cast


def test_bands_match_a_hand_count(spread):
    figures = statistics.compute_incident_figures(
        spread.school, statistics.month_starts(date(2026, 3, 31), 3), date(2026, 3, 31)
    )
    assert {row["label"]: row["count"] for row in figures.resolution} == {
        "Within a week": 1,
        "1 to 2 weeks": 2,
        "2 to 4 weeks": 1,
        "Over 4 weeks": 2,
    }
    # The reopened incident and the untouched one are still open.
    assert figures.still_open == 2 and figures.total == 8


def test_figures_take_five_queries_whatever_the_data(spread, django_assert_num_queries):
    starts = statistics.month_starts(date(2026, 3, 31), 3)
    with django_assert_num_queries(5):
        statistics.compute_incident_figures(spread.school, starts, date(2026, 3, 31))
    for _ in range(15):
        _finished(spread, aware(2026, 3, 3, 9), timedelta(days=3))
    with django_assert_num_queries(5):
        figures = statistics.compute_incident_figures(spread.school, starts, date(2026, 3, 31))
    assert figures.resolution[0]["count"] == 16
