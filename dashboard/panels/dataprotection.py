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


def requests_panel(request: HttpRequest, school: School) -> dict | None:
    """Open subject access requests: how many, how many overdue, and the next due date."""
    from django.db.models import Count, Min, Q
    from django.utils import timezone

    from dataprotection.models import SubjectAccessRequest

    today = timezone.localdate()
    found = (
        SubjectAccessRequest.objects.filter(school=school)
        .open()
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)), next_due=Min("due_on"))
    )
    if not found["open"]:
        return None
    return {
        "template": "dashboard/panels/subject_access.html",
        "open": found["open"],
        "overdue": found["overdue"],
        "next_due": found["next_due"],
        "days_left": (found["next_due"] - today).days,
    }
