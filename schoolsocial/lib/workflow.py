"""Allowed status moves: the one place a status (or a complaint's stage) is checked and changed.

Each model keeps its workflow as plain data beside it: its TextChoices, and a mapping of each
status to the statuses it may move to next. `Workflow.move(obj, new)` checks a move against the
object's current status and applies it in memory; the caller saves the object and writes its
history (a timeline entry, an audit row) in the same transaction, using the status `move`
returns as the one the object left. `Workflow.check_save(stored, new)` is the model's own
backstop in `save()`, whoever calls it.

A refused move raises `InvalidTransition`, a ValidationError whose message is written in the
statuses' human labels, for example "This version is already approved." or "This complaint is
closed, so it cannot move to “Formal (headteacher)”." Because it is a ValidationError, a form's
clean method can raise it as it is and the message appears beside the field;
`TransitionChoiceField` does that for a "New status" drop-down.

Pure: imports Django only, never an app of the portal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import TextChoices


class InvalidTransition(ValidationError):
    """A status move the workflow does not allow. Its message (`str(error)`, `error.message`) is
    written for the person on screen."""

    def __str__(self) -> str:
        return str(self.message)


class Workflow:
    """The allowed moves of one model's status field.

    `states`: the TextChoices of the field. `transitions`: every status -> the statuses it may move to.
    `noun`: what the object is called in a message ("incident", "version"). `phrases`: how each
    status reads after "This <noun> is ..." ("a draft", "at the informal stage"); without them a
    status reads as its label in quotes, after "marked". The table is checked when it is built, so a
    status missing from it, or a move to a status that does not exist, fails at import.
    """

    def __init__(
        self,
        *,
        states: type[TextChoices],
        transitions: Mapping[str, frozenset[str]],
        noun: str,
        field: str = "status",
        phrases: Mapping[str, str] | None = None,
    ) -> None:
        values = set(states.values)
        if set(transitions) != values:
            raise ValueError(f"The {noun} workflow must list every status once: {sorted(values ^ set(transitions))}")
        unknown = {new for targets in transitions.values() for new in targets} - values
        if unknown:
            raise ValueError(f"The {noun} workflow moves to statuses that do not exist: {sorted(unknown)}")
        if any(current in targets for current, targets in transitions.items()):
            raise ValueError(f"The {noun} workflow may not move a status to itself.")
        if phrases is not None and set(phrases) != values:
            raise ValueError(f"The {noun} workflow needs a phrase for every status: {sorted(values ^ set(phrases))}")
        self.states = states
        self.transitions = {
            str(current): frozenset(str(new) for new in targets) for current, targets in transitions.items()
        }
        self.noun = noun
        self.field = field
        self.phrases = dict(phrases) if phrases is not None else None

    # --- reading the table ----------------------------------------------------------------------
    def moves(self) -> list[tuple[str, str]]:
        """Every allowed move, as (from, to) pairs in the order of the choices."""
        return [(current, new) for current in self.states.values for new in self.allowed(current)]

    def allowed(self, current: str) -> list[Any]:
        """The statuses `current` may move to, as members of the TextChoices, in their order."""
        targets = self.transitions.get(current, frozenset())
        return [state for state in self.states if state in targets]

    def can(self, current: str, new: str) -> bool:
        return new in self.transitions.get(current, frozenset())

    # --- messages -------------------------------------------------------------------------------
    def label(self, status: str) -> str:
        try:
            return str(self.states(status).label)
        except ValueError:
            return str(status)

    def describe(self, status: str) -> str:
        """How the status reads after "This <noun> is": "approved", "marked “Reported”"."""
        if self.phrases is not None and status in self.phrases:
            return self.phrases[status]
        return f"marked “{self.label(status)}”"

    def refusal(self, current: str, new: str) -> str:
        if current == new:
            return f"This {self.noun} is already {self.describe(current)}."
        if new not in self.states.values:
            return f"That is not a {self.field} this {self.noun} can have."
        return f"This {self.noun} is {self.describe(current)}, so it cannot move to “{self.label(new)}”."

    # --- checking and moving --------------------------------------------------------------------
    def check(self, current: str, new: str) -> None:
        """Refuse a move the table does not allow, including a move to where the object already is
        (a second click, or a page opened before someone else moved it)."""
        if not self.can(current, new):
            raise InvalidTransition(self.refusal(current, new), code="invalid_transition")

    def check_save(self, stored: str | None, new: str) -> None:
        """The model's backstop in save(): an unchanged status, or a new row, always passes."""
        if stored is not None and stored != new:
            self.check(stored, new)

    def move(self, obj: object, new: str) -> str:
        """Check the move from the object's current status and apply it in memory. Returns the
        status it left, for the caller's history; the caller saves."""
        current = getattr(obj, self.field)
        self.check(current, new)
        setattr(obj, self.field, new)
        return current


class TransitionChoiceField(forms.ChoiceField):
    """A drop-down of the statuses an object may move to next. A status it does not offer (a page
    opened before someone else moved the object, or a hand-made request) is refused with the
    workflow's own message, not "Select a valid choice"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", ())
        super().__init__(*args, **kwargs)
        self.workflow: Workflow | None = None
        self.current: str | None = None

    def offer(self, workflow: Workflow, current: str) -> None:
        self.workflow, self.current = workflow, current
        self.choices = [(state.value, state.label) for state in workflow.allowed(current)]

    def validate(self, value: Any) -> None:
        if value in self.empty_values or self.workflow is None or self.current is None:
            super().validate(value)
            return
        self.workflow.check(self.current, value)
