"""Every move in the complaint workflow has a worked example; every other move is refused in words."""

import itertools
from datetime import date

import pytest
from django.urls import reverse

from complaints import actions
from complaints.models import (
    ALLOWED_TRANSITIONS,
    COMPLAINT_WORKFLOW,
    Complaint,
    ComplaintEntry,
    Decision,
    EntryKind,
    InvalidTransition,
    Stage,
)

from .conftest import raise_complaint


def at(complaint: Complaint, stage: str) -> Complaint:
    Complaint.objects.filter(pk=complaint.pk).update(stage=stage)
    return Complaint.objects.get(pk=complaint.pk)


def move_to(stage):
    def move(complaint, cast):
        actions.move_stage(complaint=complaint, by=cast.headteacher, stage=stage, reason="As we discussed.")

    return move


def record_the_panel_decision(complaint, cast):
    actions.record_panel_decision(
        complaint=complaint,
        by=cast.governor,
        meeting_date=date.today(),
        members="Three governors",
        decision=Decision.NOT_UPHELD,
        reasons="The school followed its policy.",
    )


# What a person does to make each move. A move added to ALLOWED_TRANSITIONS without an example
# here fails test_every_move_has_a_worked_example.
WORKED_EXAMPLES = {
    (Stage.INFORMAL, Stage.FORMAL): move_to(Stage.FORMAL),
    (Stage.INFORMAL, Stage.CLOSED): move_to(Stage.CLOSED),
    (Stage.FORMAL, Stage.PANEL): move_to(Stage.PANEL),
    (Stage.FORMAL, Stage.CLOSED): move_to(Stage.CLOSED),
    (Stage.PANEL, Stage.CLOSED): record_the_panel_decision,
}


def test_every_move_has_a_worked_example():
    assert set(WORKED_EXAMPLES) == set(COMPLAINT_WORKFLOW.moves())


@pytest.mark.parametrize("move", COMPLAINT_WORKFLOW.moves(), ids=lambda move: "-".join(move))
def test_each_move_happens_through_its_action_and_is_on_the_record(cast, move):
    current, new = move
    complaint = at(raise_complaint(cast), current)
    WORKED_EXAMPLES[move](complaint, cast)
    assert Complaint.objects.get(pk=complaint.pk).stage == new
    assert ComplaintEntry.objects.filter(complaint=complaint, kind=EntryKind.STAGE).exists()


FORBIDDEN = [(a, b) for a, b in itertools.product(Stage, Stage) if b not in ALLOWED_TRANSITIONS[a]]
WHERE = {
    Stage.INFORMAL: "at the informal stage",
    Stage.FORMAL: "at the formal stage, with the headteacher",
    Stage.PANEL: "with the governors' panel",
    Stage.CLOSED: "closed",
}


@pytest.mark.parametrize("move", FORBIDDEN, ids=lambda move: "-".join(move))
def test_every_other_move_is_refused_in_words_and_changes_nothing(cast, move):
    current, new = move
    complaint = at(raise_complaint(cast), current)
    with pytest.raises(InvalidTransition) as refused:
        actions.move_stage(complaint=complaint, by=cast.headteacher, stage=new, reason="Moving on.")
    if current == new:
        assert str(refused.value) == f"This complaint is already {WHERE[current]}."
    else:
        assert str(refused.value) == f"This complaint is {WHERE[current]}, so it cannot move to “{new.label}”."
    assert Complaint.objects.get(pk=complaint.pk).stage == current
    assert not ComplaintEntry.objects.filter(complaint=complaint, kind=EntryKind.STAGE).exists()


def test_a_stale_stage_form_shows_the_refusal_on_the_page(cast, client_for):
    # The page was opened at the formal stage; someone else closed the complaint meanwhile.
    complaint = at(raise_complaint(cast), Stage.CLOSED)
    response = client_for(cast.headteacher).post(
        reverse("complaints:stage", args=[complaint.pk]), {"stage": Stage.PANEL, "reason": "Please review it."}
    )
    assert response.status_code == 400
    assert "This complaint is closed, so it cannot move to “Governors&#x27; panel”." in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).stage == Stage.CLOSED
