"""Staff and governors managed in the portal: who may do what, the last headteacher, sign-outs."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Invitation, Membership, PeopleEvent, Role
from tests.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def membership(user, school, role=None):
    memberships = Membership.objects.filter(user=user, school=school)
    return memberships.get(role=role) if role else memberships.get()


def test_headteacher_invites_a_deputy_dsl_who_accepts_into_the_role(
    cast, client_for, django_capture_on_commit_callbacks
):
    head = client_for(cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = head.post(
            reverse("accounts:people_invite"),
            {"full_name": "Dee Puty", "email": "Dee@Example.org", "role": "deputy_dsl"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="dee@example.org")
    assert (invitation.role, invitation.is_deputy) == (Role.DSL, True)
    assert "as deputy designated safeguarding lead" in mail.outbox[-1].body
    token = mail.outbox[-1].body.split("/invite/")[1].split("/")[0]
    anonymous = Client()
    anonymous.post(
        reverse("accounts:accept_invitation", args=[token]),
        {"full_name": "Dee Puty", "password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9"},
    )
    dee = Membership.objects.get(user__email="dee@example.org", school=cast.school)
    assert (dee.role, dee.is_deputy, dee.role_label) == (Role.DSL, True, "Deputy designated safeguarding lead")
    assert PeopleEvent.objects.filter(person_email="dee@example.org", action="invited").exists()


def test_office_may_invite_only_roles_that_never_open_a_case(cast, client_for):
    office = client_for(cast.office)
    page = office.get(reverse("accounts:people_invite")).content.decode()
    assert "Governor" in page and "Designated safeguarding lead" not in page and "Headteacher" not in page
    response = office.post(
        reverse("accounts:people_invite"), {"full_name": "X", "email": "x@example.org", "role": "dsl"}
    )
    assert response.status_code == 400
    assert not Invitation.objects.filter(email="x@example.org").exists()


def test_office_cannot_touch_a_case_role(cast, client_for):
    office = client_for(cast.office)
    dsl_role = membership(cast.dsl, cast.school)
    assert office.get(reverse("accounts:person_detail", args=[cast.dsl.pk])).status_code == 404
    assert office.post(reverse("accounts:membership_remove", args=[dsl_role.pk])).status_code == 404
    assert office.post(reverse("accounts:membership_change", args=[dsl_role.pk]), {"role": "staff"}).status_code == 404
    assert office.post(reverse("accounts:person_deactivate", args=[cast.dsl.pk])).status_code == 404
    # Nor promote a member of staff into one.
    staff_role = membership(cast.staff, cast.school)
    assert office.post(reverse("accounts:membership_change", args=[staff_role.pk]), {"role": "dsl"}).status_code == 404
    dsl_role.refresh_from_db()
    staff_role.refresh_from_db()
    assert dsl_role.is_active and staff_role.role == Role.STAFF


@pytest.mark.parametrize("who", ["staff", "dsl", "governor", "parent", "other_headteacher", "other_office"])
def test_people_pages_are_404_for_everyone_else(cast, client_for, who):
    client = client_for(getattr(cast, who))
    staff_role = membership(cast.staff, cast.school)
    if not who.startswith("other_"):
        assert client.get(reverse("accounts:people_list")).status_code == 404
    assert client.get(reverse("accounts:person_detail", args=[cast.staff.pk])).status_code == 404
    assert client.post(reverse("accounts:membership_remove", args=[staff_role.pk])).status_code == 404
    assert client.post(reverse("accounts:person_deactivate", args=[cast.staff.pk])).status_code == 404
    assert (
        client.post(reverse("accounts:person_reset_second_factor", args=[cast.staff.pk]), {"reason": "x"}).status_code
        == 404
    )
    staff_role.refresh_from_db()
    assert staff_role.is_active


def test_the_last_headteacher_cannot_be_removed_changed_or_switched_off(cast, client_for):
    head = client_for(cast.headteacher)
    own = membership(cast.headteacher, cast.school)
    head.post(reverse("accounts:membership_remove", args=[own.pk]))
    head.post(reverse("accounts:membership_change", args=[own.pk]), {"role": "staff"})
    response = head.post(reverse("accounts:person_deactivate", args=[cast.headteacher.pk]), follow=True)
    assert "must always have a headteacher" in response.content.decode()
    own.refresh_from_db()
    assert own.is_active and own.role == Role.HEADTEACHER


def test_removing_a_role_signs_the_person_out_at_once(cast, client_for):
    governor_client = Client()
    sign_in(governor_client, cast.governor)
    assert governor_client.get(reverse("complaints:governor_list")).status_code == 200
    head = client_for(cast.headteacher)
    head.post(reverse("accounts:membership_remove", args=[membership(cast.governor, cast.school).pk]))
    response = governor_client.get(reverse("complaints:governor_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert membership(cast.governor, cast.school).history.first().history_user == cast.headteacher


def test_a_leaver_is_switched_off_and_cannot_sign_in(cast, client_for):
    head = client_for(cast.headteacher)
    head.post(reverse("accounts:person_deactivate", args=[cast.staff.pk]))
    cast.staff.refresh_from_db()
    assert cast.staff.is_active is False
    response = Client().post(
        reverse("accounts:login"), {"username": cast.staff.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session
    assert PeopleEvent.objects.get(person=cast.staff).action == "deactivated"


def test_a_leaver_who_works_at_another_school_keeps_that_account(cast, client_for):
    Membership.objects.create(user=cast.staff, school=cast.other_school, role=Role.STAFF)
    client_for(cast.headteacher).post(reverse("accounts:person_deactivate", args=[cast.staff.pk]))
    cast.staff.refresh_from_db()
    assert cast.staff.is_active
    assert Membership.objects.get(user=cast.staff, school=cast.other_school).is_active


def test_reset_second_factor_needs_a_reason_and_records_it(cast, client_for):
    head = client_for(cast.headteacher)
    url = reverse("accounts:person_reset_second_factor", args=[cast.office.pk])
    head.post(url, {"reason": ""})
    assert TOTPDevice.objects.filter(user=cast.office).exists()
    head.post(url, {"reason": "New phone"})
    assert not TOTPDevice.objects.filter(user=cast.office).exists()
    event = PeopleEvent.objects.get(person=cast.office)
    assert (event.action, event.reason, event.by) == ("second_factor_reset", "New phone", cast.headteacher)


def test_change_role_from_staff_to_governor(cast, client_for):
    head = client_for(cast.headteacher)
    head.post(
        reverse("accounts:membership_change", args=[membership(cast.staff, cast.school).pk]), {"role": "governor"}
    )
    assert membership(cast.staff, cast.school).role == Role.GOVERNOR
    assert PeopleEvent.objects.get(person=cast.staff).detail == "Staff → Governor"


def test_people_list_query_count(cast, client_for, django_assert_max_num_queries):
    for n in range(15):
        make_user(cast.school, Role.STAFF)
    head = client_for(cast.headteacher)
    with django_assert_max_num_queries(10):
        response = head.get(reverse("accounts:people_list"))
    assert response.content.decode().count("/people/") >= 20
