"""A pupil's page shows the headteacher and DSLs that child's cases, each linked; nobody else."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, Membership, Role
from agreements import actions as agreement_actions
from tests.agreements.conftest import CONTENT, sign
from tests.complaints.conftest import make_incident, raise_complaint
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(cast):
    incident = make_incident(cast.school, cast.staff, created=timezone.now(), poster_pupil=cast.child)
    other_child_incident = make_incident(cast.school, cast.staff, created=timezone.now(), poster_pupil=cast.other_child)
    complaint = raise_complaint(cast, subject="Group chat about Mia")
    draft = agreement_actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    version = agreement_actions.publish(draft, by=cast.headteacher, ask_parents=False)
    signature = sign(cast, version)
    return {"incident": incident, "other": other_child_incident, "complaint": complaint, "signature": signature}


def page_of(client, pupil):
    return client.get(reverse("accounts:pupil_detail", args=[pupil.pk]))


def test_the_headteacher_sees_the_childs_incidents_complaints_and_signatures_each_linked(cast, cases, client_for):
    page = page_of(client_for(cast.headteacher), cast.child).content.decode()
    assert f'href="{cases["incident"].get_absolute_url()}">{cases["incident"].reference}</a>' in page
    assert cases["other"].reference not in page  # another child's incident
    assert f'href="{cases["complaint"].get_absolute_url()}">{cases["complaint"].reference}</a>' in page
    assert "Group chat about Mia" in page
    assert f'href="{cases["signature"].get_absolute_url()}">Signed by Jo Parent</a>' in page


def test_opening_the_page_and_each_case_from_it_is_logged(cast, cases, client_for):
    client = client_for(cast.headteacher)
    page_of(client, cast.child)
    logged = set(AccessLog.objects.filter(user=cast.headteacher).values_list("action", "object_type", "object_id"))
    assert ("view", "accounts.pupil", str(cast.child.pk)) in logged
    assert ("view-case-history", "accounts.pupil", str(cast.child.pk)) in logged
    client.get(cases["incident"].get_absolute_url())
    client.get(cases["complaint"].get_absolute_url())
    client.get(cases["signature"].get_absolute_url())
    opened = set(AccessLog.objects.filter(user=cast.headteacher).values_list("object_type", "object_id"))
    assert {
        ("incidents.incident", str(cases["incident"].pk)),
        ("complaints.complaint", str(cases["complaint"].pk)),
        ("agreements.signature", str(cases["signature"].pk)),
    } <= opened


@pytest.mark.parametrize("deputy", [False, True])
def test_a_dsl_or_deputy_sees_the_incidents_only_where_the_table_lets_them_open_them(cast, cases, client_for, deputy):
    dsl = cast.dsl
    if deputy:
        dsl = make_user(cast.school, Role.DSL, name="Dee Deputy")
        Membership.objects.filter(user=dsl).update(is_deputy=True)
    page = page_of(client_for(dsl), cast.child).content.decode()
    assert cases["incident"].reference in page
    # Complaints are the headteacher's, signatures the headteacher's and office's: no dead links.
    assert cases["complaint"].reference not in page and "Signed by" not in page
    assert AccessLog.objects.filter(user=dsl, action="view-case-history").exists()


def test_the_office_sees_the_page_without_the_case_sections(cast, cases, client_for):
    response = page_of(client_for(cast.office), cast.child)
    page = response.content.decode()
    assert response.status_code == 200 and "Mia Parent" in page
    assert cases["incident"].reference not in page and cases["complaint"].reference not in page
    assert "Signed by" not in page and "Incidents" not in page
    assert not AccessLog.objects.filter(action="view-case-history").exists()


@pytest.mark.parametrize("role", ["staff", "governor", "parent"])
def test_other_roles_get_no_such_page(cast, client_for, role):
    assert page_of(client_for(getattr(cast, role)), cast.child).status_code == 404


@pytest.mark.parametrize("role", ["other_headteacher", "other_office"])
def test_another_schools_staff_get_no_such_page(cast, cases, client_for, role):
    assert page_of(client_for(getattr(cast, role)), cast.child).status_code == 404


def test_the_pupil_page_query_count_stays_flat(cast, cases, client_for, django_assert_max_num_queries):
    client = client_for(cast.headteacher)
    page_of(client, cast.child)
    for _ in range(10):
        make_incident(cast.school, cast.staff, created=timezone.now(), poster_pupil=cast.child)
        raise_complaint(cast, subject="Another worry")
    with django_assert_max_num_queries(20):
        assert page_of(client, cast.child).status_code == 200
