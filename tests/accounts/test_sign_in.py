import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.urls import reverse

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
    assert client.get(reverse("accounts:home")).status_code == 200


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
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:two_factor_verify")
    assert client.get(reverse("accounts:pupil_list")).url == reverse("accounts:two_factor_verify")


def test_two_factor_role_without_device_is_sent_to_enrol(cast, client):
    cast.dsl.totpdevice_set.all().delete()
    post_login(client, cast.dsl.email, PASSWORD)
    assert client.get(reverse("accounts:home")).url == reverse("accounts:two_factor_setup")


@pytest.mark.parametrize("role", ["staff", "governor", "parent"])
def test_other_roles_need_no_second_factor(cast, client, role):
    post_login(client, getattr(cast, role).email, PASSWORD)
    assert client.get(reverse("accounts:home")).status_code == 200


def test_recovery_code_works_once(cast, client):
    set_recovery_codes(cast.headteacher, ["spare-1"])
    post_login(client, cast.headteacher.email, PASSWORD)
    assert client.post(reverse("accounts:two_factor_verify"), {"code": "spare-1"}).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200
    client.logout()
    post_login(client, cast.headteacher.email, PASSWORD)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": "spare-1"})
    assert "That code did not work" in response.content.decode()


def test_wrong_code_keeps_the_person_out(cast, client):
    post_login(client, cast.office.email, PASSWORD)
    response = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    assert "That code did not work" in response.content.decode()
    assert client.get(reverse("accounts:home")).status_code == 302


def test_sessions_expire_after_inactivity():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_password_reset_email_carries_a_working_link(cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": cast.parent.email})
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert "Choose a new password" in response.content.decode()


def test_production_refuses_to_start_without_a_secret_key():
    env = {"DJANGO_ENV": "production", "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "schoolsocial.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
