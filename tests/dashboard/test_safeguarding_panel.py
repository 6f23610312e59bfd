"""The DSL's home lists the open safeguarding and staff-safety cases with their next deadline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.panels import cases
from incidents import actions
from incidents.models import Nature, PosterKind, Severity, Status, StepKind

HOME = reverse("dashboard:home")


@pytest.fixture
def file_report(cast):
    from incidents.models import Platform
    from tests.conftest import ensure_reference_data
    from tests.incidents.conftest import report_details

    ensure_reference_data()
    facebook = Platform.objects.get(name="Facebook")

    def _file(school=None, reporter=None, **fields):
        return actions.report(
            school=school or cast.school,
            reporter=reporter or cast.parent,
            role="parent",
            details=report_details(facebook, **fields),
            natures=[Nature.COMPLAINT],
            urls=["https://www.facebook.com/groups/123/posts/456"],
        )

    return _file


def triage_and_plan(cast, incident, kind, due):
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity=Severity.HIGH,
        natures=[Nature.COMPLAINT],
        poster_kind=PosterKind.PARENT,
        owner=cast.dsl,
    )
    return actions.add_step(incident=incident, by=cast.headteacher, kind=kind, due_date=due)


def rows(response):
    return [incident.reference for incident in _panel(response)["rows"]]


def _panel(response):
    return next(p for p in response.context["panels"] if p["template"].endswith("safeguarding_cases.html"))


def test_lists_open_flagged_cases_nearest_deadline_first(cast, client_for, file_report):
    today = timezone.localdate()
    later = file_report(safeguarding_concern=True)
    triage_and_plan(cast, later, StepKind.SAFEGUARDING_REFERRAL, today + timedelta(days=5))
    staff = file_report(content="I know where she lives", targeted="Mrs Patel")
    triage_and_plan(cast, staff, StepKind.RISK_ASSESSMENT, today + timedelta(days=1))
    unplanned = file_report(pupils_identifiable=True)
    plain = file_report()
    closed = file_report(safeguarding_concern=True)
    actions.change_status(incident=closed, by=cast.headteacher, status=Status.NO_ACTION, reason="A duplicate.")
    elsewhere = file_report(school=cast.other_school, reporter=cast.other_school_parent, safeguarding_concern=True)

    response = client_for(cast.dsl).get(HOME)
    assert rows(response) == [staff.reference, later.reference, unplanned.reference]
    page = response.content.decode()
    assert "Open safeguarding and staff-safety cases" in page
    assert "Risk assessment for the member of staff" in page
    assert (today + timedelta(days=1)).strftime("%d/%m/%Y") in page
    assert "No step planned yet" in page
    for hidden in (plain, closed, elsewhere):
        assert hidden.reference not in rows(response)


def test_an_overdue_deadline_is_marked(cast, client_for, file_report, time_machine):
    incident = file_report(safeguarding_concern=True)
    triage_and_plan(cast, incident, StepKind.SAFEGUARDING_REFERRAL, timezone.localdate() + timedelta(days=1))
    time_machine.move_to(timezone.now() + timedelta(days=3))
    page = client_for(cast.dsl).get(HOME).content.decode()
    section = page.split("Open safeguarding and staff-safety cases")[1].split("</table>")[0]
    assert "Overdue" in section


def test_nothing_flagged_says_so(cast, client_for, file_report):
    file_report()
    assert "No open case is flagged" in client_for(cast.dsl).get(HOME).content.decode()


def test_other_roles_do_not_get_the_panel(cast, client_for):
    for user in (cast.headteacher, cast.staff, cast.governor, cast.office):
        response = client_for(user).get(HOME)
        assert "Open safeguarding and staff-safety cases" not in response.content.decode()


def test_the_panel_costs_the_same_queries_for_two_cases_or_twenty(
    cast, client_for, file_report, django_assert_max_num_queries
):
    def add(count):
        for index in range(count):
            incident = file_report(safeguarding_concern=True)
            triage_and_plan(
                cast, incident, StepKind.SAFEGUARDING_REFERRAL, timezone.localdate() + timedelta(days=index)
            )

    add(2)
    request = acting_as(cast.dsl, cast.school)
    with django_assert_max_num_queries(cases.SAFEGUARDING_PANEL_QUERIES):
        cases.safeguarding_panel(request, cast.school)
    add(18)
    with django_assert_max_num_queries(cases.SAFEGUARDING_PANEL_QUERIES):
        panel = cases.safeguarding_panel(request, cast.school)
    assert len(panel["rows"]) == cases.WATCH_ROWS and panel["total"] == 20 and panel["more"]


def acting_as(user, school):
    """What a panel reads of the request: the membership the person is acting in."""
    from types import SimpleNamespace

    from accounts.models import Membership

    return SimpleNamespace(membership=Membership.objects.select_related("school", "user").get(user=user, school=school))
