"""What waits for the headteacher's or the DPO's decision under the retention schedule."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import School
from dataprotection.models import ReviewItem


def retention_panel(request: HttpRequest, school: School) -> dict | None:
    due = ReviewItem.objects.filter(school=school).due().count()
    if not due:
        return None
    return {"template": "dashboard/panels/retention_review.html", "due": due}
