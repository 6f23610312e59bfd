"""Home-page panels: what is waiting for the headteacher's or DPO's decision."""

from __future__ import annotations

from .models import ReviewItem


def retention_panel(request, school) -> dict | None:
    due = ReviewItem.objects.filter(school=school).due().count()
    if not due:
        return None
    return {"template": "dataprotection/panels/retention.html", "due": due}
