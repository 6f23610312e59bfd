"""Dashboard panels (registered in apps.py). One query each."""

from __future__ import annotations

from accounts.http import AuthenticatedRequest
from accounts.models import School

from . import selectors
from .models import Owner


def headteacher_panel(request: AuthenticatedRequest, school: School) -> dict:
    return {"template": "policies/panels/headteacher.html", "policy_counts": selectors.attention_counts(school)}


def governor_panel(request: AuthenticatedRequest, school: School) -> dict:
    counts = selectors.attention_counts(school, owner=Owner.GOVERNING_BODY)
    return {"template": "policies/panels/governor.html", "policy_counts": counts}


def staff_panel(request: AuthenticatedRequest, school: School) -> dict:
    count = selectors.unacknowledged_count(school, request.user)
    return {"template": "policies/panels/staff.html", "policies_to_read": count}
