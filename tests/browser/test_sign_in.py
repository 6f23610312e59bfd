"""Each role signs in through the real form (two-factor included) and lands on its page."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Invitation, ParentLink
from accounts.two_factor import set_recovery_codes
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

HEADINGS = {
    "headteacher": "What needs you today",
    "dsl": "Safeguarding overview",
    "staff": "Welcome",
    "governor": "Governors' workspace",
    "office": "School office",
    "parent": "Welcome",
}


def fill_sign_in(page, email: str) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.mark.parametrize("role", list(HEADINGS))
def test_each_role_signs_in_and_lands_on_its_page(cast, page, assert_axe_clean, role):
    user = getattr(cast, role)
    fill_sign_in(page, user.email)
    if user.requires_two_factor:
        page.wait_for_url("**/two-factor/verify/**")
        assert_axe_clean(page)
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name=HEADINGS[role]).wait_for()
    assert_axe_clean(page, name=f"home-{role}")


def test_first_sign_in_of_a_headteacher_enrols_an_authenticator(cast, page, assert_axe_clean):
    TOTPDevice.objects.filter(user=cast.headteacher).delete()
    fill_sign_in(page, cast.headteacher.email)
    page.wait_for_url("**/two-factor/setup/")
    page.get_by_role("img", name="QR code for your authenticator app").wait_for()
    assert_axe_clean(page, name="two-factor-setup")
    device = TOTPDevice.objects.get(user=cast.headteacher, confirmed=False)
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved them").click()
    page.get_by_role("heading", name="What needs you today").wait_for()


def test_recovery_code_signs_in_once(cast, page):
    set_recovery_codes(cast.office, ["demo-code-1"])
    fill_sign_in(page, cast.office.email)
    page.get_by_label("Code").fill("demo-code-1")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="School office").wait_for()
    assert page.get_by_text("You used a recovery code. You have 0 left.").is_visible()


def test_parent_accepts_invitation_on_a_phone_and_finds_their_child(cast, phone_page, assert_axe_clean):
    invitation = Invitation(
        school=cast.school, email="new.parent@example.org", full_name="Nia New", created_by=cast.office
    )
    token = invitation.new_token()
    invitation.save()
    invitation.pupils.set([cast.other_child])
    phone_page.goto(reverse("accounts:accept_invitation", args=[token]))
    phone_page.get_by_role("heading", name="Welcome to Northbrook Primary School").wait_for()
    assert_axe_clean(phone_page, name="invitation-accept-phone")
    phone_page.get_by_label("Choose a password").fill("a-long-family-passphrase")
    phone_page.get_by_label("Type the password again").fill("a-long-family-passphrase")
    phone_page.get_by_role("button", name="Create my account").click()
    phone_page.get_by_text(cast.other_child.full_name).wait_for()
    assert ParentLink.objects.filter(parent__email="new.parent@example.org", pupil=cast.other_child).exists()
    assert_axe_clean(phone_page, name="parent-home-phone")


def test_wrong_password_is_explained_on_the_sign_in_page(cast, page, assert_axe_clean):
    page.goto(reverse("accounts:login"))
    assert_axe_clean(page, name="sign-in")
    page.get_by_label("Email address").fill(cast.staff.email)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text("That email address and password do not match").wait_for()
    assert page.get_by_label("Email address").input_value() == cast.staff.email
    assert_axe_clean(page, name="sign-in-error")


def test_forgotten_password_is_reset_from_the_emailed_link(cast, page, assert_axe_clean):
    page.goto(reverse("accounts:login"))
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email").fill(cast.parent.email)
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/password-reset/" in line).strip()
    page.goto(urlsplit(link).path)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    assert_axe_clean(page, name="password-reset-confirm")
    page.get_by_label("Choose a new password").fill("a-brand-new-family-passphrase")
    page.get_by_label("Type the new password again").fill("a-different-passphrase")
    page.get_by_role("button", name="Save the new password").click()
    page.get_by_text("The two passwords are different").wait_for()
    page.get_by_label("Choose a new password").fill("a-brand-new-family-passphrase")
    page.get_by_label("Type the new password again").fill("a-brand-new-family-passphrase")
    page.get_by_role("button", name="Save the new password").click()
    page.get_by_role("heading", name="Your password has been changed").wait_for()
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Email address").fill(cast.parent.email)
    page.get_by_label("Password").fill("a-brand-new-family-passphrase")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="Welcome").wait_for()


def test_after_a_wrong_password_the_keyboard_is_on_the_password_and_the_error_is_announced(
    cast, page, assert_axe_clean
):
    page.goto(reverse("accounts:login"))
    page.get_by_label("Email address").fill(cast.office.email)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "That email address and password do not match" in alert.inner_text()
    assert page.evaluate("document.activeElement.id") == "id_password"
    password = page.get_by_label("Password")
    assert password.get_attribute("aria-invalid") == "true"
    assert password.get_attribute("aria-describedby") == alert.get_attribute("id")
    assert_axe_clean(page, name="sign-in-wrong-password-focus")


def test_any_form_sent_back_with_a_mistake_puts_the_keyboard_on_the_first_field_to_fix(cast, page, sign_in_page):
    sign_in_page(page, cast.office)
    page.goto(reverse("accounts:pupil_create"))
    page.get_by_label("First name").fill("Ruby")
    page.get_by_label("Last name").fill("Stone")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Type the pupil's date of birth.").wait_for()
    assert page.evaluate("document.activeElement.id") == "id_date_of_birth"
