"""Lists of names joined in the language being rendered: "Sam and Alex" / "Sam ac Alex"."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def and_list(values: Iterable) -> str:
    """ "Sam", "Sam and Alex", "Sam, Alex and Jo" (in Welsh "Sam, Alex a Jo")."""
    names = [str(value) for value in values]
    if len(names) < 2:
        return "".join(names)
    # Translators: joins the last name to the others, e.g. "Sam, Alex and Jo".
    return gettext("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


@register.filter
def first_names(children: Iterable) -> str:
    """The children's first names as one phrase: "Sam and Alex"."""
    return and_list(child.first_name for child in children)
