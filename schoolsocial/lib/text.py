"""Free text as people type it, made safe to store and print.

Bidirectional control characters (right-to-left override and its kin) are invisible, but they
reorder the characters around them: "‮txt.exe" reads as "exe.txt", and a letter's PDF would show
a sentence backwards. Nobody needs them in a report, a note or a letter, so every form that takes
free text removes them (PlainTextMixin), as uploaded file names already are.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def _cleaned(value):
    if isinstance(value, str):
        return strip_bidi_controls(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


class PlainTextMixin:
    """For forms: every text typed (not passwords) loses its bidirectional control characters
    before the form's own clean() sees it."""

    fields: dict

    def clean(self):
        from django import forms

        cleaned = super().clean()  # type: ignore[misc]  # a mixin: the form class supplies clean()
        for name, value in list(cleaned.items()):
            field = self.fields.get(name)
            if field is not None and isinstance(field.widget, forms.PasswordInput):
                continue
            cleaned[name] = _cleaned(value)
        return cleaned
