"""The kept monthly figures (incidents.MonthlyFigures) follow every change in its own transaction,
match a hand count, survive destruction, and keep the dashboard's query count flat."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dataprotection import destruction
from dataprotection.models import KeptFigures
from incidents import figures, statistics
from incidents.models import EscalationStep, Incident, IncidentNature, MonthlyFigures, Nature, Status, StepKind

from .conftest import aware, make_incident

pytestmark = pytest.mark.django_db

FEB, MAR = date(2026, 2, 1), date(2026, 3, 1)


def kept(school, starts=(FEB, MAR)):
    return statistics.kept_incident_figures(school, list(starts))


def counted(school, starts=(FEB, MAR)):
    """The same figures counted from the incident rows, for comparison."""
    return statistics.compute_incident_figures(school, list(starts), date(2026, 3, 31))


def summary(fig) -> dict:
    return {
        "months": fig.month_totals,
        "open": fig.still_open,
        "natures": {row["label"]: row["counts"] for row in fig.by_nature},
        "platforms": {row["label"]: row["count"] for row in fig.by_platform},
        "routes": {row["label"]: row["count"] for row in fig.routes},
        "resolution": [row["count"] for row in fig.resolution],
    }


@pytest.fixture
def hand(cast):
    """Three February incidents and one in March, counted by hand in the tests."""
    school, staff = cast.school, cast.staff
    a = make_incident(school, staff, created=aware(2026, 2, 2, 9), natures=[Nature.CYBERBULLYING, Nature.THREAT])
    b = make_incident(school, staff, created=aware(2026, 2, 10, 9), platform="Instagram", natures=[Nature.COMPLAINT])
    c = make_incident(school, staff, created=aware(2026, 2, 27, 9), natures=[Nature.CYBERBULLYING])
    d = make_incident(school, staff, created=aware(2026, 3, 5, 9), platform="TikTok", natures=[Nature.DEFAMATORY])
    EscalationStep.objects.create(incident=a, kind=StepKind.PLATFORM_REPORT, created_by=cast.headteacher)
    EscalationStep.objects.create(incident=a, kind=StepKind.PLATFORM_REPORT, created_by=cast.headteacher)
    # Another school's incident never counts.
    make_incident(cast.other_school, cast.other_headteacher, created=aware(2026, 2, 3, 9), natures=[Nature.THREAT])
    return cast, a, b, c, d


def test_created_incidents_are_counted_as_by_hand(hand):
    cast, *_ = hand
    found = summary(kept(cast.school))
    del found["natures"]  # below, by label
    assert found == {
        "months": [3, 1],
        "open": 4,
        "platforms": {"Facebook": 2, "Instagram": 1, "TikTok": 1},
        "routes": {StepKind.PLATFORM_REPORT.label: 1},  # two steps of one kind: one incident
        "resolution": [0, 0, 0, 0],
    }
    natures = {row["label"]: row["counts"] for row in kept(cast.school).by_nature}
    assert natures == {
        Nature.CYBERBULLYING.label: [2, 0],
        Nature.THREAT.label: [1, 0],
        Nature.COMPLAINT.label: [1, 0],
        Nature.DEFAMATORY.label: [0, 1],
    }
    assert summary(kept(cast.school)) == summary(counted(cast.school))
    assert MonthlyFigures.objects.filter(school=cast.other_school, month=FEB).get().incidents == 1


def test_edits_move_the_counts(hand):
    cast, a, b, c, d = hand
    # A nature changed: Complaint becomes Threat on b.
    IncidentNature.objects.filter(incident=b, nature=Nature.COMPLAINT).delete()
    IncidentNature.objects.create(incident=b, nature=Nature.THREAT)
    # c moves to March (its report date corrected).
    c.created_at = aware(2026, 3, 2, 9)
    c.save()
    # a resolved after three days, then closed; d resolved after 20 days.
    for incident, took in ((a, timedelta(days=3)), (d, timedelta(days=20))):
        incident.status = Status.TRIAGED
        incident.save()
        incident.status = Status.RESOLVED
        incident.resolved_at = incident.created_at + took
        incident.save()
    a.status = Status.CLOSED
    a.save()
    # The step's outcome changing alone moves nothing; its removal does.
    EscalationStep.objects.filter(incident=a).first().delete()

    fig = kept(cast.school)
    assert fig.month_totals == [2, 2]
    assert fig.still_open == 2
    assert [row["count"] for row in fig.resolution] == [1, 0, 1, 0]
    natures = {row["label"]: row["counts"] for row in fig.by_nature}
    assert natures == {
        Nature.CYBERBULLYING.label: [1, 1],
        Nature.THREAT.label: [2, 0],
        Nature.DEFAMATORY.label: [0, 1],
    }
    assert {row["label"]: row["count"] for row in fig.routes} == {StepKind.PLATFORM_REPORT.label: 1}
    assert summary(fig) == summary(counted(cast.school))


def test_destroying_a_case_keeps_its_counts(hand):
    """Issue 13: anonymised statistics keep their counts after the rows are destroyed."""
    cast, a, *_ = hand
    a.status = Status.TRIAGED
    a.save()
    a.status = Status.RESOLVED
    a.resolved_at = a.created_at + timedelta(days=2)
    a.save()
    a.status = Status.CLOSED
    a.save()
    before = summary(kept(cast.school))
    with transaction.atomic():
        destruction.execute(destruction._incident_purge(cast.school, a.pk), cast.school)
    assert not Incident.objects.filter(pk=a.pk).exists()
    # The live rows no longer count it; its figures moved to KeptFigures, and the total is unchanged.
    assert MonthlyFigures.objects.get(school=cast.school, month=FEB).incidents == 2
    assert KeptFigures.objects.get(school=cast.school, month=FEB).incidents == 1
    assert summary(kept(cast.school)) == before
    # A rebuild from scratch (after the destruction) does not lose them either.
    figures.rebuild_school(cast.school.pk)
    assert summary(kept(cast.school)) == before
    assert summary(statistics.incident_figures(cast.school, end=date(2026, 3, 31), months=2)) == before


def test_rebuild_repairs_a_wrong_row(hand):
    cast, *_ = hand
    right = summary(kept(cast.school))
    MonthlyFigures.objects.filter(school=cast.school, month=FEB).update(incidents=99, by_nature={"threat": 40})
    MonthlyFigures.objects.create(school=cast.school, month=date(2025, 1, 1), incidents=5)
    out = io.StringIO()
    call_command("rebuild_figures", "--school", cast.school.short_code, stdout=out)
    assert f"{cast.school.short_code}: " in out.getvalue()
    assert summary(kept(cast.school)) == right
    assert not MonthlyFigures.objects.filter(school=cast.school, month=date(2025, 1, 1)).exists()


def test_the_dashboard_reads_the_same_number_of_queries_as_incidents_grow(
    cast, client_for, django_assert_max_num_queries
):
    head = client_for(cast.headteacher)
    url = reverse("dashboard:home")

    def add(count):
        for n in range(count):
            make_incident(
                cast.school,
                cast.staff,
                created=aware(2026, 1 + n % 3, 1 + n % 27, 9),
                platform=["Facebook", "Instagram", "TikTok"][n % 3],
                natures=[list(Nature)[n % len(Nature)]],
                safeguarding_concern=n % 4 == 0,
            )

    add(3)
    statistics.invalidate(cast.school.pk)
    with CaptureQueriesContext(connection) as few:
        assert head.get(url).status_code == 200
    add(30)
    statistics.invalidate(cast.school.pk)  # after a change: the figures are read again
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert head.get(url).status_code == 200
