"""Telling django-simple-history who changed a row, and why, before it is saved or deleted."""

from __future__ import annotations

from typing import Any


def note_change(instance: Any, *, by: Any, reason: str) -> None:
    """The next save or delete of `instance` is recorded in its history as made by `by` for
    `reason`. (simple-history reads these two attributes; it ships no type information.)"""
    instance._change_reason = reason
    instance._history_user = by
