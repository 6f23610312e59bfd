from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ParentLink
from accounts.two_factor import set_recovery_codes
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def post_login(client, email, password, ip="10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_sign_in_page_is_styled_and_asks_for_email(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "bootstrap.min.css" in page
    assert "Email address" in page


def test_email_is_not_case_sensitive(cast, client):
    response = post_login(client, "JO.Parent@Example.org", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_wrong_password_says_so_plainly(cast, client):
    response = post_login(client, cast.parent.email, "nope")
    assert "do not match" in response.content.decode()


def test_five_failures_lock_that_account_from_that_address_only(cast, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, cast.staff.email, "wrong")
    locked = post_login(client, cast.staff.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    # A colleague behind the same school IP can still sign in.
    assert post_login(client, cast.governor.email, PASSWORD).status_code == 302
    client.logout()
    # The same person from another address is not locked out either.
    assert post_login(client, cast.staff.email, PASSWORD, ip="10.0.0.2").status_code == 302
    assert AccessAttempt.objects.filter(username=cast.staff.email).exists()


@pytest.mark.parametrize("role", ["headteacher", "dsl", "office"])
def test_two_factor_roles_cannot_reach_anything_before_the_code(cast, client, role):
    user = getattr(cast, role)
    post_login(client, user.email, PASSWORD)
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:two_factor_verify")
    assert client.get(reverse("accounts:pupil_list")).url == reverse("accounts:two_factor_verify")


def test_two_factor_role_without_device_is_sent_to_enrol(cast, client):
    cast.dsl.totpdevice_set.all().delete()
    post_login(client, cast.dsl.email, PASSWORD)
    assert client.get(reverse("dashboard:home")).url == reverse("accounts:two_factor_setup")


@pytest.mark.parametrize("role", ["staff", "governor", "parent"])
def test_other_roles_need_no_second_factor(cast, client, role):
    post_login(client, getattr(cast, role).email, PASSWORD)
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_recovery_code_works_once(cast, client):
    set_recovery_codes(cast.headteacher, ["spare-1"])
    post_login(client, cast.headteacher.email, PASSWORD)
    assert client.post(reverse("accounts:two_factor_verify"), {"code": "spare-1"}).status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 200
    client.logout()
    post_login(client, cast.headteacher.email, PASSWORD)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": "spare-1"})
    assert "That code did not work" in response.content.decode()


def test_wrong_code_keeps_the_person_out(cast, client):
    post_login(client, cast.office.email, PASSWORD)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    assert "That code did not work" in response.content.decode()
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_changing_the_case_of_the_email_gives_no_fresh_tries(cast, client):
    variants = [
        "staff@example.org",
        "STAFF@example.org",
        "Staff@Example.org",
        " staff@EXAMPLE.org",
        "sTaff@example.org",
    ]
    for variant in variants[: settings.AXES_FAILURE_LIMIT]:
        post_login(client, variant, "wrong")
    assert post_login(client, "stAFF@example.org", PASSWORD).status_code == 429


def session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_a_session_left_idle_for_half_an_hour_ends(cast, client):
    post_login(client, cast.parent.email, PASSWORD)
    assert client.get(reverse("dashboard:home")).status_code == 200
    row = session_row(client)
    assert row.expire_date <= timezone.now() + timedelta(minutes=30)
    row.expire_date = timezone.now() - timedelta(seconds=1)  # 30 minutes went by with no click
    row.save()
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_each_click_keeps_the_session_alive(cast, client):
    """A click pushes the idle timeout back (at most once a minute: no session write per page)."""
    import time_machine

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        post_login(client, cast.parent.email, PASSWORD)
        row = session_row(client)
        row.expire_date = timezone.now() + timedelta(minutes=2)
        row.save()
        traveller.shift(timedelta(seconds=61))
        client.get(reverse("dashboard:home"))
        assert session_row(client).expire_date > timezone.now() + timedelta(minutes=29)


def reset_link(client, email: str, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    return link.split(settings.SITE_URL, 1)[1].strip()


def test_password_reset_by_email_works_end_to_end(cast, client, django_capture_on_commit_callbacks):
    link = reset_link(client, "JO.PARENT@example.org", django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == [cast.parent.email]
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    form_url = form_page.redirect_chain[-1][0]
    new_password = "a-brand-new-family-passphrase"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.url == reverse("accounts:password_reset_complete")
    assert post_login(client, cast.parent.email, PASSWORD).status_code == 200  # the old one is gone
    assert post_login(client, cast.parent.email, new_password).status_code == 302
    client.logout()
    again = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in again


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    cast, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_a_new_password_from_the_email_lifts_a_lockout(cast, client, django_capture_on_commit_callbacks):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, cast.staff.email, "wrong")
    locked = post_login(client, cast.staff.email, PASSWORD)
    assert "reset your password" in locked.content.decode()
    link = reset_link(client, cast.staff.email, django_capture_on_commit_callbacks)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "staffroom-kettle-passphrase"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert post_login(client, cast.staff.email, new_password).status_code == 302


def test_a_reset_password_still_needs_the_second_factor(cast, client, django_capture_on_commit_callbacks):
    link = reset_link(client, cast.dsl.email, django_capture_on_commit_callbacks)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "safeguarding-lead-passphrase"
    client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    post_login(client, cast.dsl.email, new_password)
    assert client.get(reverse("dashboard:home")).url == reverse("accounts:two_factor_verify")


def test_guessing_codes_pauses_the_authenticator_and_says_so(cast, client):
    device = TOTPDevice.objects.get(user=cast.office, confirmed=True)
    post_login(client, cast.office.email, PASSWORD)
    client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Five wrong codes in a row: the next try has to wait 16 seconds, right code or not.
    device.throttling_failure_count = 5
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    response = client.post(reverse("accounts:two_factor_verify"), {"code": f"{totp(device.bin_key):06d}"})
    assert "Too many wrong codes in a row" in response.content.decode()
    assert client.get(reverse("dashboard:home")).status_code == 302
    # A recovery code still lets the person in, as the message says.
    set_recovery_codes(cast.office, ["spare-9"])
    assert client.post(reverse("accounts:two_factor_verify"), {"code": "spare-9"}).status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_someone_else_signed_in_cannot_take_an_invitation_for_an_existing_account(cast, client_for):
    from accounts import actions

    invitation = actions.invite_parent(
        school=cast.school,
        created_by=cast.office,
        full_name="Jo Parent",
        email=cast.parent.email,
        relationship="mother",
        pupils=[cast.other_child],
    )
    token = invitation.new_token()
    invitation.save()
    url = reverse("accounts:accept_invitation", args=[token])
    intruder = client_for(cast.other_parent)
    assert "Sign in with it, then open the link" in intruder.get(url).content.decode()
    links_before = set(ParentLink.objects.filter(pupil=cast.other_child).values_list("parent_id", "relationship"))
    intruder.post(url)
    links_after = set(ParentLink.objects.filter(pupil=cast.other_child).values_list("parent_id", "relationship"))
    assert links_after == links_before
    invitation.refresh_from_db()
    assert invitation.accepted_at is None

    owner = client_for(cast.parent)
    assert "Link the children named in this invitation" in owner.get(url).content.decode()
    assert owner.post(url).url == reverse("dashboard:home")
    assert ParentLink.objects.filter(parent=cast.parent, pupil=cast.other_child).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == cast.parent
