"""Policy panels: what waits for approval or review, and what staff still have to read. One query each."""

from __future__ import annotations

from accounts.http import AuthenticatedRequest
from accounts.models import School
from policies import selectors
from policies.models import Owner


def headteacher_panel(request: AuthenticatedRequest, school: School) -> dict:
    return {
        "template": "dashboard/panels/policies_headteacher.html",
        "policy_counts": selectors.attention_counts(school),
    }


def governor_panel(request: AuthenticatedRequest, school: School) -> dict:
    counts = selectors.attention_counts(school, owner=Owner.GOVERNING_BODY)
    return {"template": "dashboard/panels/policies_governor.html", "policy_counts": counts}


def staff_panel(request: AuthenticatedRequest, school: School) -> dict:
    count = selectors.unacknowledged_count(school, request.user)
    return {"template": "dashboard/panels/policies_staff.html", "policies_to_read": count}


def parent_panel(request: AuthenticatedRequest, school: School) -> dict:
    """The school's published policies, a few by name (one query)."""
    shown = 5
    versions = list(selectors.published_versions(school)[: shown + 1])
    return {
        "template": "dashboard/panels/policies_parent.html",
        "versions": versions[:shown],
        "more": len(versions) > shown,
    }
