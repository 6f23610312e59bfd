"""Every move in the policy workflow has a worked example; every other move is refused in words."""

import itertools

import pytest
from django.urls import reverse

from policies import actions
from policies.models import ALLOWED_TRANSITIONS, POLICY_WORKFLOW, InvalidTransition, PolicyVersion, Status

from .helpers import approved_policy, make_policy


def in_state(cast, status) -> PolicyVersion:
    """A version that got to `status` the way a school's would."""
    version = make_policy(cast.school, cast.headteacher)
    if status == Status.AWAITING_APPROVAL:
        actions.submit_for_approval(version)
    elif status in (Status.APPROVED, Status.SUPERSEDED):
        version = approved_policy(cast.school, cast.headteacher)
        if status == Status.SUPERSEDED:
            approve_the_next(version, cast)
    return PolicyVersion.objects.get(pk=version.pk)


def approve_the_next(version, cast):
    following = actions.start_draft(version.document, by=cast.headteacher, change_summary="Updated contacts.")
    actions.submit_for_approval(following)
    actions.approve(following, by=cast.headteacher)


def supersede_by_hand(version, cast):
    # Nothing in the portal does this to a single version: the model itself refuses it.
    POLICY_WORKFLOW.move(version, Status.SUPERSEDED)
    version.save()


# What a person does to make each move. A move added to ALLOWED_TRANSITIONS without an example
# here fails test_every_move_has_a_worked_example.
WORKED_EXAMPLES = {
    (Status.DRAFT, Status.AWAITING_APPROVAL): lambda version, cast: actions.submit_for_approval(version),
    (Status.AWAITING_APPROVAL, Status.APPROVED): lambda version, cast: actions.approve(version, by=cast.headteacher),
    (Status.AWAITING_APPROVAL, Status.DRAFT): lambda version, cast: actions.return_to_draft(
        version, by=cast.headteacher
    ),
    (Status.APPROVED, Status.SUPERSEDED): approve_the_next,
}
# The one way to ask for each status, for trying the moves that are not allowed.
ASK_FOR = {
    Status.DRAFT: WORKED_EXAMPLES[(Status.AWAITING_APPROVAL, Status.DRAFT)],
    Status.AWAITING_APPROVAL: WORKED_EXAMPLES[(Status.DRAFT, Status.AWAITING_APPROVAL)],
    Status.APPROVED: WORKED_EXAMPLES[(Status.AWAITING_APPROVAL, Status.APPROVED)],
    Status.SUPERSEDED: supersede_by_hand,
}
PHRASE = {
    Status.DRAFT: "a draft",
    Status.AWAITING_APPROVAL: "awaiting approval",
    Status.APPROVED: "approved",
    Status.SUPERSEDED: "superseded",
}


def test_every_move_has_a_worked_example():
    assert set(WORKED_EXAMPLES) == set(POLICY_WORKFLOW.moves())


@pytest.mark.parametrize("move", POLICY_WORKFLOW.moves(), ids=lambda move: "-".join(move))
def test_each_move_happens_through_its_action_and_is_in_the_history(cast, move):
    current, new = move
    version = in_state(cast, current)
    WORKED_EXAMPLES[move](version, cast)
    version = PolicyVersion.objects.get(pk=version.pk)
    assert version.status == new
    assert [row.status for row in version.history.order_by("history_date")][-2:] == [current, new]


FORBIDDEN = [(a, b) for a, b in itertools.product(Status, Status) if b not in ALLOWED_TRANSITIONS[a]]


@pytest.mark.parametrize("move", FORBIDDEN, ids=lambda move: "-".join(move))
def test_every_other_move_is_refused_in_words_and_changes_nothing(cast, move):
    current, new = move
    version = in_state(cast, current)
    with pytest.raises(InvalidTransition) as refused:
        ASK_FOR[new](version, cast)
    if current == new:
        assert str(refused.value) == f"This version is already {PHRASE[current]}."
    else:
        assert str(refused.value) == f"This version is {PHRASE[current]}, so it cannot move to “{new.label}”."
    assert PolicyVersion.objects.get(pk=version.pk).status == current


def test_a_stale_approval_says_the_version_is_already_approved(cast):
    # Two approvers clicked at once: the second finds it approved (issue 11, item 9).
    version = in_state(cast, Status.AWAITING_APPROVAL)
    actions.approve(version, by=cast.headteacher)
    with pytest.raises(InvalidTransition, match=r"^This version is already approved\.$"):
        actions.approve(version, by=cast.headteacher)


def test_a_second_send_for_approval_shows_the_refusal_on_the_page(cast, client_for):
    version = in_state(cast, Status.AWAITING_APPROVAL)
    url = reverse("policies:submit", args=[version.document_id, version.number])
    response = client_for(cast.headteacher).post(url, follow=True)
    assert response.status_code == 200
    assert "This version is already awaiting approval." in response.content.decode()


def test_sending_a_draft_back_to_draft_shows_the_refusal_on_the_page(cast, client_for):
    version = in_state(cast, Status.DRAFT)
    url = reverse("policies:return", args=[version.document_id, version.number])
    response = client_for(cast.headteacher).post(url, follow=True)
    assert response.status_code == 200
    assert "This version is already a draft." in response.content.decode()
