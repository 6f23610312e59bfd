"""Every move in the incident workflow has a worked example; every other move is refused in words."""

import itertools

import pytest
from django.urls import reverse

from incidents import actions
from incidents.models import (
    ALLOWED_TRANSITIONS,
    INCIDENT_WORKFLOW,
    EntryKind,
    Incident,
    InvalidTransition,
    Nature,
    PosterKind,
    Severity,
    Status,
    StepKind,
)


def at(incident: Incident, status: str) -> Incident:
    Incident.objects.filter(pk=incident.pk).update(status=status)
    return Incident.objects.get(pk=incident.pk)


def triage(incident, cast):
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity=Severity.MEDIUM,
        natures=[Nature.COMPLAINT],
        poster_kind=PosterKind.PARENT,
        owner=cast.headteacher,
    )
    return EntryKind.TRIAGED


def plan_a_step(incident, cast):
    actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    return EntryKind.STEP_ADDED


def change_status_to(status):
    def change(incident, cast):
        actions.change_status(incident=incident, by=cast.dsl, status=status, reason="Checked with the family.")
        return EntryKind.STATUS

    return change


# What a person does to make each move, returning the timeline entry it writes. A move added to
# ALLOWED_TRANSITIONS without an example here fails test_every_move_has_a_worked_example.
WORKED_EXAMPLES = {
    (Status.REPORTED, Status.TRIAGED): triage,
    (Status.REPORTED, Status.NO_ACTION): change_status_to(Status.NO_ACTION),
    (Status.TRIAGED, Status.IN_PROGRESS): plan_a_step,
    (Status.TRIAGED, Status.RESOLVED): change_status_to(Status.RESOLVED),
    (Status.TRIAGED, Status.NO_ACTION): change_status_to(Status.NO_ACTION),
    (Status.IN_PROGRESS, Status.RESOLVED): change_status_to(Status.RESOLVED),
    (Status.IN_PROGRESS, Status.NO_ACTION): change_status_to(Status.NO_ACTION),
    (Status.RESOLVED, Status.CLOSED): change_status_to(Status.CLOSED),
    (Status.RESOLVED, Status.IN_PROGRESS): change_status_to(Status.IN_PROGRESS),
    (Status.NO_ACTION, Status.CLOSED): change_status_to(Status.CLOSED),
    (Status.NO_ACTION, Status.TRIAGED): triage,
}


def test_every_move_has_a_worked_example():
    assert set(WORKED_EXAMPLES) == set(INCIDENT_WORKFLOW.moves())


@pytest.mark.parametrize("move", INCIDENT_WORKFLOW.moves(), ids=lambda move: "-".join(move))
def test_each_move_happens_through_its_action_and_is_on_the_timeline(cast, file_report, move):
    current, new = move
    incident = at(file_report(), current)
    kind = WORKED_EXAMPLES[move](incident, cast)
    assert Incident.objects.get(pk=incident.pk).status == new
    assert incident.timeline.filter(kind=kind).exists()


FORBIDDEN = [(a, b) for a, b in itertools.product(Status, Status) if b not in ALLOWED_TRANSITIONS[a]]


@pytest.mark.parametrize("move", FORBIDDEN, ids=lambda move: "-".join(move))
def test_every_other_move_is_refused_in_words_and_changes_nothing(cast, file_report, move):
    current, new = move
    incident = at(file_report(), current)
    with pytest.raises(InvalidTransition) as refused:
        actions.change_status(incident=incident, by=cast.headteacher, status=new, reason="Tidying up.")
    message = str(refused.value)
    if current == new:
        assert message == f"This incident is already marked “{current.label}”."
    else:
        assert message == f"This incident is marked “{current.label}”, so it cannot move to “{new.label}”."
    assert Incident.objects.get(pk=incident.pk).status == current
    assert not incident.timeline.filter(kind=EntryKind.STATUS).exists()


def test_a_stale_status_form_shows_the_refusal_on_the_page(cast, client_for, file_report):
    # The headteacher opened the page while the report was "Resolved"; the DSL closed it meanwhile.
    incident = at(file_report(), Status.CLOSED)
    response = client_for(cast.headteacher).post(
        reverse("incidents:status_change", args=[incident.pk]),
        {"status": Status.IN_PROGRESS, "reason": "The post is back up."},
        follow=True,
    )
    assert response.status_code == 200
    assert "This incident is marked “Closed”, so it cannot move to “In progress”." in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).status == Status.CLOSED


def test_the_status_drop_down_offers_only_the_allowed_moves(cast, client_for, file_report):
    incident = at(file_report(), Status.RESOLVED)
    page = client_for(cast.headteacher).get(incident.get_absolute_url()).content.decode()
    assert '<option value="closed">Closed</option>' in page
    assert '<option value="in_progress">In progress</option>' in page
    assert '<option value="no_action">' not in page
