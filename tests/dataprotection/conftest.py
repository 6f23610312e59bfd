"""The DPOs of the two schools, and the incident builders of tests/incidents."""

from __future__ import annotations

import pytest

from accounts.models import Role, User
from tests.factories import make_user
from tests.incidents.conftest import facebook, file_report  # noqa: F401


@pytest.fixture
def dpo(cast) -> User:
    return make_user(cast.school, Role.DPO, name="Dee Protection", email="dpo@example.org")


@pytest.fixture
def other_dpo(cast) -> User:
    return make_user(cast.other_school, Role.DPO, name="Olu OtherDPO", email="dpo@other.example.org")


def closed_years_ago(incident, years: float, *, status: str = "no_action"):
    """Close `incident` and move its report and closure `years` back in time."""
    from datetime import timedelta

    from django.utils import timezone

    from incidents import actions as incident_actions
    from incidents.models import Incident

    head = incident.school.memberships.filter(role=Role.HEADTEACHER).first().user
    incident_actions.change_status(incident=incident, by=head, status=status, reason="Dealt with at the time")
    moment = timezone.now() - timedelta(days=365.25 * years)
    Incident.objects.filter(pk=incident.pk).update(created_at=moment - timedelta(days=20), resolved_at=moment)
    return Incident.objects.get(pk=incident.pk)


@pytest.fixture
def old_case(file_report):  # noqa: F811 (the fixture imported above)
    """`old_case(years=7, **report fields)`: a report filed and closed that many years ago."""

    def _old(years: float = 7, **fields):
        return closed_years_ago(file_report(**fields), years)

    return _old
