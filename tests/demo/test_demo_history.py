"""The demo's year of past incidents: spread over the months, resolved with consistent times,
numbered in the year they were made, and added only once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Cluster, Role, School
from demo import incident_history as history_demo
from incidents import actions
from incidents.models import (
    FINISHED_STATUSES,
    EscalationStep,
    Incident,
    IncidentSequence,
    Nature,
    Outcome,
    Platform,
    TimelineEntry,
    seconds_between,
)
from incidents.statistics import incident_figures
from tests.conftest import ensure_reference_data
from tests.factories import make_school, make_user

pytestmark = pytest.mark.django_db

PAST = [case.content for case in history_demo.CASES]


def _people(school: School) -> dict:
    people = {role: make_user(school, role) for role in (Role.HEADTEACHER, Role.DSL, Role.STAFF, Role.OFFICE)}
    parents = [make_user(school, Role.PARENT) for _ in range(8)]
    return {**people, Role.PARENT: parents[0]}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[list[tuple[School, dict]]]:
    """Two schools seeded once for the whole module, inside a transaction rolled back at the end
    (each test's own transaction nests inside it), so nothing leaks to other modules."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        ensure_reference_data()
        cluster = Cluster.objects.create(name="Demo history cluster")
        schools = []
        for code in ("NBP", "HVP"):
            school = make_school(code, cluster=cluster)
            people = _people(school)
            history_demo.seed_school(school, people)
            schools.append((school, people))
        yield schools
        transaction.set_rollback(True)


def test_each_school_has_a_year_of_cases_spread_over_the_months(demo):
    for school, _people in demo:
        past = Incident.objects.filter(school=school, content__in=PAST)
        assert 25 <= past.count() <= 35
        figures = incident_figures(school)
        busy_months = [count for count in figures.month_totals if count]
        assert len(busy_months) >= 6
        assert max(figures.month_totals) >= 2 * min(busy_months)  # uneven, with a busy month
        assert len(figures.by_platform) >= 5
        assert len(figures.by_nature) >= 6
        assert {band["label"] for band in figures.resolution if band["count"]} >= {"Within a week", "1 to 2 weeks"}
        # The charts show the past only: nothing of the history is in this month or the future.
        assert not past.filter(created_at__gt=timezone.now() - history_demo.NEWEST).exists()
        assert set(past.values_list("platform_id", flat=True)) <= set(
            Platform.objects.shared().values_list("pk", flat=True)
        )


def test_finished_cases_have_resolved_at_and_seconds_to_resolve_that_agree(demo):
    past = list(Incident.objects.filter(content__in=PAST))
    finished = [incident for incident in past if incident.status in FINISHED_STATUSES]
    assert len(finished) >= 0.8 * len(past)
    for incident in past:
        if incident.status in FINISHED_STATUSES:
            assert incident.resolved_at is not None
            assert incident.seconds_to_resolve == seconds_between(incident.created_at, incident.resolved_at)
            assert incident.created_at < incident.resolved_at < timezone.now()
        else:
            assert incident.resolved_at is None and incident.seconds_to_resolve is None
            assert incident.next_due_on is not None and incident.next_due_on >= timezone.localdate()
    days = sorted(incident.seconds_to_resolve / 86400 for incident in finished)
    assert days[0] < 3 and days[-1] > 28  # from a few days to several weeks


def test_steps_and_timeline_happen_in_order_within_the_case(demo):
    for incident in Incident.objects.filter(content__in=PAST).prefetch_related("timeline", "steps"):
        entries = list(incident.timeline.all())
        assert entries[0].kind == "reported" and entries[0].at == incident.created_at
        assert all(entry.at <= timezone.now() for entry in entries)
        # Moved back in the order the actions wrote them.
        written = [entry.at for entry in sorted(entries, key=lambda entry: entry.pk)]
        assert written == sorted(written)
        if incident.resolved_at:
            assert max(entry.at for entry in entries if entry.kind != "status") <= incident.resolved_at
        for step in incident.steps.all():
            assert incident.created_at < step.created_at
            if step.outcome != Outcome.PENDING:
                assert step.created_at < step.completed_at <= (incident.resolved_at or timezone.now())
                assert f"due {step.due_date:%d/%m/%Y}" in next(e.summary for e in entries if e.step_id == step.pk)
    kinds = set(EscalationStep.objects.filter(incident__content__in=PAST).values_list("kind", flat=True))
    assert {"platform_report", "removal_request", "headteacher_meeting"} <= kinds


def test_references_are_numbered_in_the_year_each_case_was_made(demo):
    for school, _people in demo:
        incidents = Incident.objects.filter(school=school).order_by("created_at")
        for incident in incidents:
            year = timezone.localdate(incident.created_at).year
            assert incident.year == year
            assert incident.reference == f"{school.short_code}-{year}-{incident.number:04d}"
        # Numbers run in date order, and each year's sequence stands at the last number used.
        for year in set(incidents.values_list("year", flat=True)):
            numbers = list(incidents.filter(year=year).values_list("number", flat=True))
            assert numbers == list(range(1, len(numbers) + 1))
            assert IncidentSequence.objects.get(school=school, year=year).last_number == len(numbers)


def test_a_report_made_after_the_seed_takes_the_next_number(demo):
    school, people = demo[0]
    year = timezone.localdate().year
    last = Incident.objects.filter(school=school, year=year).aggregate(n=Max("number"))["n"] or 0
    incident = actions.report(
        school=school,
        reporter=people[Role.STAFF],
        role=Role.STAFF,
        details={
            "platform": Platform.objects.shared().first(),
            "seen_at": timezone.now(),
            "content": "A new post today.",
            "poster_kind": "unknown",
        },
        natures=[Nature.COMPLAINT],
        urls=[],
    )
    assert incident.reference == f"{school.short_code}-{year}-{last + 1:04d}"


def test_seeding_again_adds_nothing_and_sends_no_email(demo):
    counts = (Incident.objects.count(), EscalationStep.objects.count(), TimelineEntry.objects.count())
    for school, people in demo:
        assert history_demo.seed_school(school, people) == 0
    assert (Incident.objects.count(), EscalationStep.objects.count(), TimelineEntry.objects.count()) == counts
    from notifications.models import Notification

    assert not Notification.objects.exists()  # past alerts are recorded as sent then, not emailed now
