"""A headteacher enrols a passkey, then uses it: as the second step after the password, and to
sign in with no password at all. Chromium's virtual authenticator plays the fingerprint reader."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _passkeys_on_the_test_server(settings):
    # The live server's port is chosen at run time: the passkey follows the address the browser is on.
    settings.PASSKEYS_FOLLOW_REQUEST_HOST = True


def virtual_authenticator(page) -> None:
    client = page.context.new_cdp_session(page)
    client.send("WebAuthn.enable")
    client.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def password_then_code(page, user) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/two-factor/verify/" in url)


def sign_out(page) -> None:
    page.context.clear_cookies()


def test_enrol_a_passkey_then_use_it(cast, page, assert_axe_clean):
    virtual_authenticator(page)
    head = cast.headteacher
    password_then_code(page, head)
    device = TOTPDevice.objects.get(user=head, confirmed=True)
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="What needs you today").wait_for()

    page.goto(reverse("accounts:passkeys"))
    page.get_by_text("You have no passkeys yet.").wait_for()
    page.get_by_role("button", name="Add a passkey on this device").click()
    page.locator(".list-group-item").first.wait_for()
    passkey = WebAuthnCredential.objects.get(user=head)
    page.get_by_label("Name").fill("Office laptop")
    page.get_by_role("button", name="Rename").click()
    page.get_by_text("Renamed: “Office laptop”.").wait_for()
    assert_axe_clean(page, name="passkeys-list")

    # The second step after the password: the passkey instead of the app's code.
    sign_out(page)
    password_then_code(page, head)
    page.get_by_role("heading", name="Confirm it is you").wait_for()
    assert_axe_clean(page, name="two-factor-passkey")
    page.get_by_role("button", name="Use my passkey").click()
    page.get_by_role("heading", name="What needs you today").wait_for()

    # No password at all: the passkey is both factors.
    sign_out(page)
    page.goto(reverse("accounts:login"))
    page.get_by_role("button", name="Sign in with a passkey").wait_for()
    assert_axe_clean(page, name="sign-in-with-passkey")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.get_by_role("heading", name="What needs you today").wait_for()
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    # The session is a verified one: the headteacher's pages open without asking for a code.
    page.goto(reverse("incidents:list"))
    assert "/two-factor/" not in page.url
    assert Session.objects.count() >= 1


def test_first_sign_in_with_a_passkey_instead_of_an_app(cast, page):
    virtual_authenticator(page)
    head = cast.headteacher
    TOTPDevice.objects.filter(user=head).delete()
    page.goto(reverse("accounts:login"))
    page.get_by_label("Email address").fill(head.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/two-factor/setup/" in url)
    page.get_by_role("button", name="Use a passkey instead").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert len(page.locator(".recovery-codes code").all_inner_texts()) == 10
    assert WebAuthnCredential.objects.filter(user=head, confirmed=True).count() == 1
    assert not TOTPDevice.objects.filter(user=head, confirmed=True).exists()
