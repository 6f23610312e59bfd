"""Platform takedown that does not stop at the report button: after 48 hours without the platform
acting, the case suggests POSH with a prepared summary, and records POSH's reference and outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from incidents import actions, escalation
from incidents.models import Nature, Outcome, Platform, PosterKind, StepKind

NOW = timezone.now()


@pytest.mark.parametrize(
    ("kind", "outcome", "hours", "expected"),
    [
        (StepKind.PLATFORM_REPORT, Outcome.PENDING, 47, False),
        (StepKind.PLATFORM_REPORT, Outcome.PENDING, 48, True),
        (StepKind.PLATFORM_REPORT, Outcome.NO_REPLY, 72, True),
        (StepKind.PLATFORM_REPORT, Outcome.REMOVED, 72, False),
        (StepKind.PLATFORM_REPORT, Outcome.ACCOUNT_SUSPENDED, 72, False),
        (StepKind.UNDERAGE_REPORT, Outcome.NO_REPLY, 49, True),
        (StepKind.REMOVAL_REQUEST, Outcome.NO_REPLY, 200, False),
    ],
)
def test_the_platform_has_not_acted_after_48_hours(kind, outcome, hours, expected):
    steps = [(kind, outcome, NOW - timedelta(hours=hours))]
    assert escalation.platform_not_acted(steps, NOW) is expected


@pytest.fixture
def reported_case(cast, file_report):
    facebook = Platform.objects.get(name="Facebook")
    facebook.rules_url = "https://transparency.example.com/community-standards"
    facebook.legal_form_url = "https://www.example.com/help/defamation-form"
    facebook.save()
    incident = file_report(reporter=cast.parent, natures=[Nature.OFFENSIVE_NAMED], platform=facebook)
    incident = actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="medium",
        natures=[Nature.OFFENSIVE_NAMED],
        poster_kind=PosterKind.PARENT,
        owner=cast.headteacher,
    )
    with time_machine.travel(timezone.now() - timedelta(hours=50), tick=False):
        step = actions.add_step(
            incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT, due_date=timezone.localdate()
        )
    actions.record_step_outcome(step=step, by=cast.headteacher, outcome=Outcome.NO_REPLY, external_reference="FB-99123")
    return incident, step


def test_the_case_suggests_posh_and_the_summary_has_what_posh_asks_for(cast, client_for, reported_case):
    incident, step = reported_case
    client = client_for(cast.headteacher)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Escalate to POSH" in page and "has not acted 48 hours" in page
    assert reverse("incidents:posh_summary", args=[incident.pk]) in page
    summary = client.get(reverse("incidents:posh_summary", args=[incident.pk])).content.decode()
    reported_on = timezone.localtime(step.created_at).strftime("%d/%m/%Y")
    for expected in (
        "Platform: Facebook",
        "https://www.facebook.com/groups/123/posts/456",
        "FB-99123",
        reported_on,
        "What the post breaches: Offensive comment about a named pupil or member of staff",
        "https://transparency.example.com/community-standards",
        "https://www.example.com/help/defamation-form",
        incident.reference,
    ):
        assert expected in summary, expected
    assert cast.parent.full_name not in summary.split("<textarea")[1]


def test_posh_is_not_suggested_before_48_hours(cast, client_for, file_report):
    incident = file_report(reporter=cast.parent)
    incident = actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="low",
        natures=[Nature.COMPLAINT],
        poster_kind=PosterKind.PARENT,
        owner=cast.headteacher,
    )
    actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    page = client_for(cast.headteacher).get(incident.get_absolute_url()).content.decode()
    assert "has not acted 48 hours" not in page


def test_posh_reference_and_outcome_are_recorded_on_the_timeline(cast, client_for, reported_case):
    incident, _ = reported_case
    client = client_for(cast.headteacher)
    client.post(reverse("incidents:step_add", args=[incident.pk]), {"kind": StepKind.POSH_ESCALATION})
    posh_step = incident.steps.get(kind=StepKind.POSH_ESCALATION)
    actions.record_step_outcome(
        step=posh_step, by=cast.headteacher, outcome=Outcome.REMOVED, external_reference="POSH-4471"
    )
    posh_step.refresh_from_db()
    assert posh_step.outcome == Outcome.REMOVED and posh_step.external_reference == "POSH-4471"
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "POSH&#x27;s reference: POSH-4471" in page or "POSH's reference: POSH-4471" in page


def test_the_posh_summary_is_404_for_other_schools_and_roles(cast, client_for, reported_case):
    incident, _ = reported_case
    url = reverse("incidents:posh_summary", args=[incident.pk])
    for person in (cast.other_headteacher, cast.staff, cast.governor, cast.parent):
        assert client_for(person).get(url).status_code == 404
