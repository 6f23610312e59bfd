"""`{% poster_agreement_status incident %}`: on an incident page, whether the parent who posted
signed the home-school agreement for their child, when, and which version (so letters can cite it)."""

from __future__ import annotations

from django import template

from ..queries import poster_statuses

register = template.Library()


@register.inclusion_tag("agreements/_incident_poster.html")
def poster_agreement_status(incident) -> dict:
    """Nothing when the poster is not a parent of the school; otherwise one line per child."""
    parent = getattr(incident, "poster_parent", None)
    if parent is None:
        return {"rows": []}
    return {"rows": poster_statuses(parent, incident.school, getattr(incident, "poster_pupil", None)), "parent": parent}
