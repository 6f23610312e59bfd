"""The workflow helper on plain data: the table is checked when built, refusals read as English."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import TextChoices

from schoolsocial.lib.workflow import InvalidTransition, TransitionChoiceField, Workflow


class Door(TextChoices):
    SHUT = "shut", "Shut"
    OPEN = "open", "Wide open"
    LOCKED = "locked", "Locked"


MOVES = {Door.SHUT: frozenset({Door.OPEN, Door.LOCKED}), Door.OPEN: frozenset({Door.SHUT}), Door.LOCKED: frozenset()}


class Item:
    status = Door.SHUT


def test_move_applies_an_allowed_move_in_memory_and_returns_where_it_was():
    item = Item()
    assert Workflow(states=Door, transitions=MOVES, noun="door").move(item, Door.OPEN) == Door.SHUT
    assert item.status == Door.OPEN


def test_moves_and_allowed_follow_the_order_of_the_choices():
    workflow = Workflow(states=Door, transitions=MOVES, noun="door")
    assert workflow.allowed(Door.SHUT) == [Door.OPEN, Door.LOCKED]
    assert workflow.moves() == [(Door.SHUT, Door.OPEN), (Door.SHUT, Door.LOCKED), (Door.OPEN, Door.SHUT)]


def test_a_refused_move_names_both_statuses_by_their_labels_and_changes_nothing():
    item = Item()
    item.status = Door.LOCKED
    with pytest.raises(InvalidTransition) as refused:
        Workflow(states=Door, transitions=MOVES, noun="door").move(item, Door.OPEN)
    assert str(refused.value) == "This door is marked “Locked”, so it cannot move to “Wide open”."
    assert refused.value.message == str(refused.value)
    assert item.status == Door.LOCKED


def test_a_move_to_where_it_already_is_says_so():
    workflow = Workflow(
        states=Door, transitions=MOVES, noun="door", phrases={"shut": "shut", "open": "open", "locked": "locked"}
    )
    with pytest.raises(InvalidTransition, match=r"^This door is already locked\.$"):
        workflow.check(Door.LOCKED, Door.LOCKED)
    with pytest.raises(InvalidTransition, match=r"^This door is locked, so it cannot move to “Shut”\.$"):
        workflow.check(Door.LOCKED, Door.SHUT)


def test_an_unknown_status_is_refused_without_echoing_the_code():
    with pytest.raises(InvalidTransition) as refused:
        Workflow(states=Door, transitions=MOVES, noun="door").check(Door.SHUT, "ajar")
    assert "ajar" not in str(refused.value)


def test_the_save_backstop_lets_an_unchanged_status_and_a_new_row_through():
    workflow = Workflow(states=Door, transitions=MOVES, noun="door")
    workflow.check_save(None, Door.LOCKED)
    workflow.check_save(Door.LOCKED, Door.LOCKED)
    with pytest.raises(InvalidTransition):
        workflow.check_save(Door.LOCKED, Door.OPEN)


@pytest.mark.parametrize(
    "transitions, phrases",
    [
        ({Door.SHUT: frozenset(), Door.OPEN: frozenset()}, None),  # a status missing from the table
        ({**MOVES, Door.LOCKED: frozenset({"ajar"})}, None),  # a move to a status that does not exist
        ({**MOVES, Door.LOCKED: frozenset({Door.LOCKED})}, None),  # a move to itself
        (MOVES, {Door.SHUT: "shut"}),  # a phrase missing
    ],
)
def test_a_broken_table_fails_when_it_is_built(transitions, phrases):
    with pytest.raises(ValueError):
        Workflow(states=Door, transitions=transitions, noun="door", phrases=phrases)


class DoorForm(forms.Form):
    status = TransitionChoiceField(label="New status")

    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].offer(Workflow(states=Door, transitions=MOVES, noun="door"), current)


def test_the_drop_down_offers_only_allowed_moves_and_refuses_others_in_words():
    assert DoorForm(current=Door.SHUT).fields["status"].choices == [("open", "Wide open"), ("locked", "Locked")]
    form = DoorForm({"status": "open"}, current=Door.LOCKED)
    assert not form.is_valid()
    assert form.errors["status"] == ["This door is marked “Locked”, so it cannot move to “Wide open”."]
    assert DoorForm({"status": "locked"}, current=Door.SHUT).is_valid()
    empty = DoorForm({"status": ""}, current=Door.SHUT)
    assert not empty.is_valid() and empty.errors["status"] == [forms.Field.default_error_messages["required"]]


def test_invalid_transition_is_a_validation_error():
    assert issubclass(InvalidTransition, ValidationError)
