"""The list, the incident page and the timeline cost the same number of queries however much data."""

import pytest
from django.urls import reverse

from incidents import actions
from incidents.models import Nature, StepKind
from incidents.outcomes import outcomes_for

from .conftest import upload

LIST_QUERIES = 12
DETAIL_QUERIES = 16
TIMELINE_QUERIES = 10


def busy_incident(cast, file_report, size: int):
    from schoolsocial.lib.uploads import inspect_upload

    incident = file_report(natures=[Nature.COMPLAINT, Nature.THREAT], files=size)
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="high",
        natures=[Nature.COMPLAINT, Nature.THREAT],
        poster_kind="pupil",
        pupil_links=[(cast.other_child, "poster")],
        owner=cast.dsl,
    )
    kinds = list(StepKind)
    for index in range(size):
        step = actions.add_step(
            incident=incident, by=cast.headteacher, kind=kinds[index % len(kinds)], owner=cast.staff
        )
        if index % 2 and step.kind != StepKind.CLUSTER_ALERT:
            actions.record_step_outcome(
                step=step,
                by=cast.dsl,
                outcome=outcomes_for(step.kind).choices[0],
                external_reference=f"REF-{index}",
                attendees="The headteacher and the parent",
            )
        actions.add_note(incident=incident, by=cast.dsl, text=f"Note {index}")
        item = upload(f"extra-{index}.png")
        actions.add_evidence(incident=incident, by=cast.headteacher, uploads=[(item, inspect_upload(item))])
    return incident


@pytest.mark.parametrize("size", [2, 30])
def test_list_queries_are_constant(cast, client_for, file_report, django_assert_max_num_queries, size):
    for index in range(size):
        busy_incident(cast, file_report, 1) if index < 2 else file_report(natures=[Nature.CYBERBULLYING, Nature.RACIST])
    client = client_for(cast.headteacher)
    for params in ({}, {"nature": "racist", "overdue": "", "q": "teacher", "status": "open"}):
        with django_assert_max_num_queries(LIST_QUERIES):
            assert client.get(reverse("incidents:list"), params).status_code == 200


@pytest.mark.parametrize("size", [1, 15])
def test_detail_queries_are_constant(cast, client_for, file_report, django_assert_max_num_queries, size):
    incident = busy_incident(cast, file_report, size)
    client = client_for(cast.headteacher)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        assert client.get(incident.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [1, 15])
def test_timeline_queries_are_constant(cast, client_for, file_report, django_assert_max_num_queries, size):
    incident = busy_incident(cast, file_report, size)
    client = client_for(cast.headteacher)
    with django_assert_max_num_queries(TIMELINE_QUERIES):
        assert client.get(reverse("incidents:timeline", args=[incident.pk])).status_code == 200
    with django_assert_max_num_queries(TIMELINE_QUERIES):
        assert client.get(reverse("incidents:report_status", args=[incident.pk])).status_code in (200, 404)


@pytest.mark.parametrize("size", [1, 12])
def test_my_reports_and_panel_queries_are_constant(cast, client_for, file_report, django_assert_max_num_queries, size):
    for _ in range(size):
        file_report(files=1)
    client = client_for(cast.parent)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(reverse("incidents:my_reports")).status_code == 200
    from dashboard.panels.cases import case_panel

    request = acting_as(cast.headteacher, cast.school)
    with django_assert_max_num_queries(2):
        panel = case_panel(request, cast.school)
        assert len(panel["to_triage"]) == min(size, 5)


def acting_as(user, school):
    """What a panel reads of the request: the membership the person is acting in."""
    from types import SimpleNamespace

    from accounts.models import Membership

    return SimpleNamespace(membership=Membership.objects.select_related("school", "user").get(user=user, school=school))
