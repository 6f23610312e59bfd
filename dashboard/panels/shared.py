"""School-wide panels rendered once and kept as HTML until what they show changes.

The charts and the agreement coverage are the same for every viewer of a role at a school: the
figures of the whole school, never anything that depends on who is looking (no case list, nothing
`cases_for` or a permission filters). Rendering them costs more than the rest of the page, so their
HTML is kept in Django's cache under a key of everything that changes it: the panel, the school,
the viewer's role, the active language, and the generation number(s) of the data it shows
(incidents.statistics.generation, agreements.coverage.generation: each moves when that data does,
so an older key is never read again) with whatever else the panel names (the day, the version).

A panel that depends on the viewer must never come through here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from accounts.http import AuthenticatedRequest
from accounts.models import School

# A safety net only: every write that moves what a panel shows moves its generation at once.
CACHE_SECONDS = 15 * 60


def panel_key(request: AuthenticatedRequest, school: School, name: str, parts: Iterable[object]) -> str:
    membership = request.membership
    role = membership.role if membership is not None else "-"
    return ":".join(["dashboard:panel", name, str(school.pk), str(role), get_language() or "-", *map(str, parts)])


def school_wide(
    request: AuthenticatedRequest,
    school: School,
    template: str,
    parts: Iterable[object],
    build: Callable[[], dict],
) -> dict:
    """The panel `build()` would return, with its HTML (`html`) rendered once per key: `parts` must
    hold every generation and value the panel's HTML depends on besides school, role and language."""
    key = panel_key(request, school, template, parts)
    html = cache.get(key)
    if html is None:
        panel = build()
        html = render_to_string(template, {"panel": panel})
        cache.set(key, str(html), CACHE_SECONDS)
    return {"template": template, "html": _safe(html)}


def _safe(html: str) -> SafeString:
    # Rendered by the template engine, which escaped every value in it.
    return mark_safe(html)  # noqa: S308
