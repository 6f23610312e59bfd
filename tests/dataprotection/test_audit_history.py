"""The DPO reads the audit history of any record of their school, and nothing of another school."""

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from dataprotection import history
from incidents import actions

HISTORY = reverse("dataprotection:history")


def record_url(label, pk):
    return reverse("dataprotection:record_history", args=[label, pk])


def test_every_model_with_history_is_tied_to_a_school():
    labels = {model._meta.label_lower for model in history.tracked_models()}
    missing = labels - set(history.HISTORY_SCOPES)
    assert not missing, f"Add these to dataprotection.history.HISTORY_SCOPES: {sorted(missing)}"
    unknown = set(history.HISTORY_SCOPES) - labels
    assert not unknown, f"No model with history for: {sorted(unknown)}"


@pytest.mark.django_db
def test_each_scope_finds_only_its_schools_rows(cast, file_report):
    ours = file_report()
    theirs = file_report(reporter=cast.other_school_parent, school=cast.other_school)
    for label in history.HISTORY_SCOPES:
        # Every lookup is a real query that runs (a typo in the table fails here).
        list(history.history_for_school(label, cast.school)[:1])
    incident_rows = history.history_for_school("incidents.incident", cast.school)
    assert set(incident_rows.values_list("id", flat=True)) == {ours.pk}
    timeline = history.history_for_school("incidents.timelineentry", cast.other_school)
    assert set(timeline.values_list("incident_id", flat=True)) == {theirs.pk}
    people = set(history.history_for_school("accounts.user", cast.school).values_list("id", flat=True))
    assert cast.parent.pk in people and cast.other_school_parent.pk not in people


def test_dpo_sees_what_changed_who_and_when(cast, dpo, client_for, file_report):
    incident = file_report(content="Mean words about a teacher")
    triaged = client_for(cast.headteacher).post(
        reverse("incidents:triage", args=[incident.pk]),
        {"severity": "high", "natures": ["complaint"], "poster_kind": "parent", "owner": cast.dsl.pk},
    )
    assert triaged.status_code == 302
    client = client_for(dpo)
    page = client.get(HISTORY, {"record_type": "incidents.incident"})
    assert page.status_code == 200
    assert incident.reference in page.content.decode()

    found = client.get(HISTORY, {"record_type": "incidents.incident", "record": incident.reference.lower()})
    assert found.status_code == 302 and found.url == record_url("incidents.incident", incident.pk)

    text = client.get(found.url).content.decode()
    assert "Changed on" in text and "by Aisha Head" in text
    assert "Triaged" in text and "Reported" in text  # the status, before and after
    assert "Tom Safeguard" in text  # the owner, by name
    assert "Created on" in text
    # Reading the history is itself recorded.
    assert AccessLog.objects.filter(
        user=dpo, action="view-history", object_type="incidents.incident", object_id=str(incident.pk)
    ).exists()


def test_another_schools_dpo_gets_404(cast, dpo, other_dpo, client_for, file_report):
    incident = file_report()
    client = client_for(other_dpo)
    assert client.get(record_url("incidents.incident", incident.pk)).status_code == 404
    assert client.get(record_url("accounts.pupil", cast.child.pk)).status_code == 404
    assert client.get(record_url("accounts.user", cast.parent.pk)).status_code == 404
    searched = client.get(HISTORY, {"record_type": "incidents.incident", "record": incident.reference})
    assert searched.status_code == 200
    assert "no record of this kind" in searched.content.decode()
    assert incident.reference not in client.get(HISTORY, {"record_type": "incidents.incident"}).content.decode()


def test_unknown_kind_of_record_is_404_not_500(dpo, client_for):
    client = client_for(dpo)
    assert client.get(record_url("auth.permission", 1)).status_code == 404
    assert client.get(record_url("accounts.notaModel", 1)).status_code == 404
    assert client.get(HISTORY, {"record_type": "auth.permission"}).status_code == 200


@pytest.mark.parametrize("role", ["headteacher", "dsl", "staff", "governor", "office", "parent"])
def test_only_the_dpo_reads_history_and_access_log(cast, role, client_for, file_report):
    incident = file_report()
    client = client_for(getattr(cast, role))
    assert client.get(HISTORY).status_code == 404
    assert client.get(record_url("incidents.incident", incident.pk)).status_code == 404
    assert client.get(reverse("dataprotection:access_log")).status_code == 404


def test_the_dpo_cannot_open_the_case_itself(cast, dpo, client_for, file_report):
    incident = file_report(content="Words only the case handlers read")
    client = client_for(dpo)
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404
    assert client.get(reverse("incidents:list")).status_code == 404
    assert client.get(reverse("accounts:pupil_detail", args=[cast.child.pk])).status_code == 404


def test_history_list_query_count_does_not_grow(cast, dpo, client_for, file_report, django_assert_max_num_queries):
    for _ in range(60):
        file_report()
    client = client_for(dpo)
    with django_assert_max_num_queries(12):
        response = client.get(HISTORY, {"record_type": "incidents.incident"})
    assert len(response.context["rows"]) == 50
    incident = file_report()
    for n in range(60):
        actions.add_note(incident=incident, by=cast.headteacher, text=f"note {n}")
    with django_assert_max_num_queries(14):
        response = client.get(record_url("incidents.timelineentry", incident.timeline.first().pk))
    assert response.status_code == 200
