"""Optimistic concurrency for edit forms.

A form carries the version of the record it was opened at (the id of the record's newest
django-simple-history row). The action that saves it locks the row and compares: if someone else
saved in between, nothing is changed and `StaleEdit` says who and when, so the page can show what
they saved beside the person's own (kept) input. Works for every model with `history`.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django import forms
from django.http import QueryDict
from django.utils import timezone


def current_version(instance) -> int:
    newest = instance.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return newest or 0


class StaleEdit(Exception):
    """Someone else saved this record after the form was opened."""

    def __init__(self, who: str, when: datetime, version: int) -> None:
        self.who, self.when, self.version = who, when, version
        local = timezone.localtime(when)
        super().__init__(
            f"This was changed by {who} at {local:%H:%M} on {local:%d/%m/%Y} while you had it open, so your "
            "changes were not saved. What they saved is shown here; your own answers are still in the form: "
            "check them and save again."
        )


def check_version(instance, seen: int | None) -> None:
    """Raise StaleEdit unless `instance` is still at version `seen`. Call it after locking the row."""
    if seen is None:
        return
    newest = instance.history.select_related("history_user").order_by("-history_id").first()
    if newest is None or newest.history_id == seen:
        return
    who = getattr(newest.history_user, "full_name", "") or "someone else"
    raise StaleEdit(who, newest.history_date, newest.history_id)


class VersionedForm(forms.Form):
    """Mix into an edit form: it carries `seen_version`, the version the form was opened at.
    `opened_at(instance)` sets it for an unbound form; `saw_version` after a stale submit keeps
    the person's answers and checks the next save against the version they have now been shown."""

    seen_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def opened_at(self, instance) -> None:
        if not self.is_bound:
            self.initial["seen_version"] = current_version(instance)

    def saw_version(self, version: int) -> None:
        data = cast(QueryDict, self.data).copy()  # bound to request.POST, a QueryDict
        data["seen_version"] = str(version)
        self.data = data


def unchanged(instance, fields: dict) -> bool:
    """True when saving `fields` would change nothing (the same submit sent twice)."""
    return all(getattr(instance, name) == value for name, value in fields.items())
