"""Which panels each role's landing page shows, top to bottom.

A panel is a function of (request, school) returning a dict with at least "template" (rendered
with the dict as `panel`), or None to show nothing. Each runs a fixed number of queries.
The dashboard reads every app; no app imports the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.http import AuthenticatedRequest
from accounts.models import Role, School

from . import agreements, cases, cluster, complaints, dataprotection, email, policies

Panel = Callable[[AuthenticatedRequest, School], dict | None]

PANELS: dict[Role, list[Panel]] = {
    Role.HEADTEACHER: [
        email.email_trouble_panel,
        cases.case_panel,
        cluster.cluster_panel,
        policies.headteacher_panel,
        agreements.staff_panel,
        complaints.attention_panel,
        complaints.coverage_panel,
        complaints.charts_panel,
        dataprotection.requests_panel,
        dataprotection.retention_panel,
    ],
    Role.DSL: [
        cases.safeguarding_panel,
        cases.case_panel,
        cluster.cluster_panel,
        policies.staff_panel,
        complaints.assigned_panel,
    ],
    Role.STAFF: [policies.staff_panel, complaints.assigned_panel],
    Role.GOVERNOR: [cases.chair_panel, policies.governor_panel, complaints.governor_panel],
    Role.OFFICE: [agreements.staff_panel],
    Role.DPO: [dataprotection.requests_panel, dataprotection.retention_panel],
    Role.PARENT: [agreements.parent_panel, complaints.parent_panel, policies.parent_panel],
}


def panels_for(role: Role) -> list[Panel]:
    return PANELS.get(role, [])
