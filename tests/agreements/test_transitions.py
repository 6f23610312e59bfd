"""Every move in the agreement workflow has a worked example; every other move is refused in words."""

import itertools

import pytest
from django.urls import reverse

from agreements import actions
from agreements.models import (
    AGREEMENT_WORKFLOW,
    ALLOWED_TRANSITIONS,
    AgreementVersion,
    InvalidTransition,
    VersionStatus,
)

from .conftest import CONTENT


def in_state(cast, status) -> AgreementVersion:
    version = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    if status != VersionStatus.DRAFT:
        actions.publish(version, by=cast.headteacher, ask_parents=False)
    if status == VersionStatus.SUPERSEDED:
        publish_the_next(version, cast)
    return AgreementVersion.objects.get(pk=version.pk)


def publish(version, cast):
    actions.publish(version, by=cast.headteacher, ask_parents=False)


def publish_the_next(version, cast):
    publish(actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT), cast)


def move_by_hand(status):
    # Nothing in the portal asks for these: the workflow refuses them whoever does.
    def move(version, cast):
        AGREEMENT_WORKFLOW.move(version, status)
        version.save()

    return move


# What a person does to make each move. A move added to ALLOWED_TRANSITIONS without an example
# here fails test_every_move_has_a_worked_example.
WORKED_EXAMPLES = {
    (VersionStatus.DRAFT, VersionStatus.PUBLISHED): publish,
    (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED): publish_the_next,
}
ASK_FOR = {
    VersionStatus.DRAFT: move_by_hand(VersionStatus.DRAFT),
    VersionStatus.PUBLISHED: publish,
    VersionStatus.SUPERSEDED: move_by_hand(VersionStatus.SUPERSEDED),
}
PHRASE = {VersionStatus.DRAFT: "a draft", VersionStatus.PUBLISHED: "published", VersionStatus.SUPERSEDED: "superseded"}


def test_every_move_has_a_worked_example():
    assert set(WORKED_EXAMPLES) == set(AGREEMENT_WORKFLOW.moves())


@pytest.mark.parametrize("move", AGREEMENT_WORKFLOW.moves(), ids=lambda move: "-".join(move))
def test_each_move_happens_through_its_action_and_is_in_the_history(cast, move):
    current, new = move
    version = in_state(cast, current)
    WORKED_EXAMPLES[move](version, cast)
    version = AgreementVersion.objects.get(pk=version.pk)
    assert version.status == new
    assert [row.status for row in version.history.order_by("history_date")][-2:] == [current, new]


FORBIDDEN = [(a, b) for a, b in itertools.product(VersionStatus, VersionStatus) if b not in ALLOWED_TRANSITIONS[a]]


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
    assert AgreementVersion.objects.get(pk=version.pk).status == current


def test_publishing_a_superseded_version_shows_the_refusal_on_the_page(cast, client_for):
    version = in_state(cast, VersionStatus.SUPERSEDED)
    response = client_for(cast.headteacher).post(reverse("agreements:version_publish", args=[version.pk]), follow=True)
    assert response.status_code == 200
    assert "This version is superseded, so it cannot move to “Published”." in response.content.decode()
    assert AgreementVersion.objects.get(pk=version.pk).status == VersionStatus.SUPERSEDED
