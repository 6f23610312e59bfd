"""A choice's label in the active language, looked up once per language.

`str(Status(value).label)` translates a lazy string on every call, and gettext walks the whole
chain of fallback catalogues each time: a page of 25 incidents made a hundred such walks. The
catalogues do not change while the process runs, so the answer for a (choices, value, language)
is kept.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.db.models import Choices
from django.dispatch import receiver
from django.utils.translation import get_language


def choice_label(choices: type[Choices], value: str) -> str:
    """The label of `value` among `choices`, in the active language; an unknown value as itself."""
    return _label(choices, value, get_language())


@lru_cache(maxsize=2048)
def _label(choices: type[Choices], value: str, language: str | None) -> str:
    return str(choices(value).label) if value in choices.values else value


@receiver(setting_changed)
def _forget_labels(*, setting: str, **kwargs) -> None:
    # As Django forgets its catalogues when a test changes where they come from.
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}:
        _label.cache_clear()
