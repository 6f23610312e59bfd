"""What every signed-in request reads (session, person, verified device, memberships) goes through
prepared queries (schoolsocial/lib/prepared.py). These tests try to stay signed in, or verified, or
in a role, after the portal has taken it away: each attempt must fail on the very next request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, User
from accounts.people import sign_out_everywhere
from tests.factories import PASSWORD

from .test_passkeys import add_passkey

HOME = reverse("dashboard:home")
INCIDENTS = reverse("incidents:list")
SIGN_IN = reverse("accounts:login")
VERIFY = reverse("accounts:two_factor_verify")


def signed_out(response) -> bool:
    return response.status_code == 302 and response.url.startswith(SIGN_IN)


def test_a_signed_in_headteacher_sees_the_incident_list(cast, client_for):
    client = client_for(cast.headteacher)
    response = client.get(INCIDENTS)
    assert response.status_code == 200
    assert response.wsgi_request.user == cast.headteacher
    assert response.wsgi_request.user.is_verified()
    assert response.wsgi_request.membership.school == cast.school


def test_a_session_row_past_its_expiry_signs_nobody_in(cast, client_for):
    client = client_for(cast.parent)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert signed_out(client.get(HOME))
    assert client.session.session_key != key  # a new key, never the stale one revived


def test_a_session_deleted_elsewhere_is_gone(cast, client_for):
    client = client_for(cast.parent)
    Session.objects.filter(session_key=client.session.session_key).delete()
    assert signed_out(client.get(HOME))


def test_a_made_up_session_key_signs_nobody_in(cast, client):
    for key in ("x" * 32, "x' OR '1'='1' --", "short", "é" * 40):
        client.cookies["sessionid"] = key
        assert signed_out(client.get(HOME)), key


def test_signing_out_everywhere_and_deactivation_take_effect_at_once(cast, client_for):
    client = client_for(cast.parent)
    assert client.get(HOME).status_code == 200
    sign_out_everywhere(cast.parent)
    assert signed_out(client.get(HOME))

    client = client_for(cast.other_parent)
    assert client.get(HOME).status_code == 200
    User.objects.filter(pk=cast.other_parent.pk).update(is_active=False)
    assert signed_out(client.get(HOME))


def test_a_person_deleted_while_signed_in_is_signed_out(cast, client_for):
    client = client_for(cast.other_parent)
    assert client.get(HOME).status_code == 200
    cast.other_parent.delete()
    assert signed_out(client.get(HOME))


def test_a_role_taken_away_is_gone_on_the_next_request(cast, client_for):
    client = client_for(cast.dsl)
    assert client.get(INCIDENTS).status_code == 200
    Membership.objects.filter(user=cast.dsl).update(is_active=False)
    response = client.get(INCIDENTS)
    assert response.wsgi_request.membership is None
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("how", ["deleted", "unconfirmed", "someone else's", "garbled", "not a device", "huge id"])
def test_a_second_factor_that_no_longer_holds_is_asked_for_again(cast, client_for, how):
    client = client_for(cast.headteacher)
    assert client.get(INCIDENTS).status_code == 200
    device = TOTPDevice.objects.get(user=cast.headteacher)
    session = client.session
    if how == "deleted":
        TOTPDevice.objects.create(user=cast.headteacher, name="Spare phone", confirmed=True)
        device.delete()
    elif how == "unconfirmed":
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    elif how == "someone else's":
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=cast.dsl).persistent_id
    elif how == "garbled":
        session[DEVICE_ID_SESSION_KEY] = "otp_totp.totpdevice/one"
    elif how == "not a device":
        session[DEVICE_ID_SESSION_KEY] = f"accounts.user/{cast.headteacher.pk}"
    elif how == "huge id":
        session[DEVICE_ID_SESSION_KEY] = f"otp_totp.totpdevice/{2**80}"
    session.save()
    response = client.get(INCIDENTS)
    assert response.status_code == 302
    # The only authenticator left unconfirmed: enrol again; otherwise: enter a code again.
    assert response.url == (reverse("accounts:two_factor_setup") if how == "unconfirmed" else VERIFY)
    assert DEVICE_ID_SESSION_KEY not in client.session  # and the session forgets the device


def test_a_removed_passkey_no_longer_verifies_the_session(cast, client):
    passkey = add_passkey(cast.headteacher)
    client.force_login(cast.headteacher, backend="accounts.backends.PasskeyBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = passkey.persistent_id
    session.save()
    assert client.get(INCIDENTS).status_code == 200
    passkey.delete()
    assert client.get(INCIDENTS).url == VERIFY


def test_a_session_from_a_backend_the_portal_no_longer_has_is_signed_out(cast, client_for):
    client = client_for(cast.parent)
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert signed_out(client.get(HOME))


def test_signing_in_through_the_page_uses_the_portals_backend(cast, client):
    response = client.post(SIGN_IN, {"username": cast.parent.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.PasswordBackend"
    assert client.get(HOME).status_code == 200


def test_the_sign_in_reads_cost_four_queries_whatever_the_person_holds(cast, client_for, django_assert_num_queries):
    from accounts.models import Role
    from tests.factories import make_school

    for n in range(5):  # roles at five more schools: still one query for all of them
        Membership.objects.create(user=cast.headteacher, school=make_school(f"S{n}", f"School {n}"), role=Role.GOVERNOR)
    client = client_for(cast.headteacher)
    client.get(HOME)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in captured.captured_queries[:4]]
    assert tables == ['"django_session"', '"accounts_user"', '"otp_totp_totpdevice"', '"accounts_membership"']
