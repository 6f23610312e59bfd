"""A warning on the headteacher's landing page when the school's emails failed in the last week."""

from __future__ import annotations

from django.template.defaultfilters import pluralize

from accounts.http import AuthenticatedRequest
from accounts.models import School
from notifications.delivery import WARNING_DAYS, recent_trouble


def email_trouble_panel(request: AuthenticatedRequest, school: School) -> dict | None:
    """A warning on the headteacher's landing page when emails failed in the last week."""
    trouble = recent_trouble(school)
    if not trouble.failed and not trouble.unknown:
        return None
    parts = []
    if trouble.failed:
        parts.append(f"{trouble.failed} email{pluralize(trouble.failed)} could not be delivered")
    if trouble.unknown:
        parts.append(f"{trouble.unknown} email{pluralize(trouble.unknown)} may not have arrived")
    return {
        "template": "dashboard/panels/email_trouble.html",
        "message": f"In the last {WARNING_DAYS} days, " + " and ".join(parts) + ".",
        "state": "failed" if trouble.failed else "unknown",
        "days": WARNING_DAYS,
    }
