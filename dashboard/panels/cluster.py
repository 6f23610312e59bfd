"""The "Cluster alerts" panel on the headteacher's and DSL's landing page."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.http import AuthenticatedRequest
from incidents.models import ClusterAlert

PANEL_ROWS = 5
PANEL_DAYS = 90


def cluster_panel(request: AuthenticatedRequest, school) -> dict | None:
    if school.cluster_id is None:
        return None
    since = timezone.now() - timedelta(days=PANEL_DAYS)
    alerts = list(
        ClusterAlert.objects.received_by(school)
        .filter(sent_at__gte=since)
        .select_related("source_school")
        .order_by("-sent_at", "-pk")[: PANEL_ROWS + 1]
    )
    for alert in alerts:
        alert.sender = alert.sender_label(school)
    return {
        "template": "dashboard/panels/cluster_alerts.html",
        "alerts": alerts[:PANEL_ROWS],
        "more": len(alerts) > PANEL_ROWS,
        "days": PANEL_DAYS,
    }
