"""A governor signs in with the school's account through a real OpenID Connect provider
(node-oidc-provider on loopback) in Chromium, under the portal's real CSP."""

from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import SchoolSignIn
from tests.accounts.sso.conftest import CALLBACK_PATH, start_provider

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def live_oidc_provider(live_server, settings):
    process, provider = start_provider([f"{live_server.url}{CALLBACK_PATH}"])
    settings.SOCIALACCOUNT_PROVIDERS = provider.settings_for_portal()
    yield provider
    process.terminate()
    process.wait(timeout=10)


def test_a_governor_signs_in_with_the_school_account(cast, page, live_oidc_provider, assert_axe_clean, settings):
    SchoolSignIn.objects.create(school=cast.school, provider=SchoolSignIn.Provider.OPENID, email_domain="example.org")
    # Microsoft and Google registered too (never reached here), so the page shows every button.
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "microsoft": {"APPS": [{"client_id": "portal-app", "secret": "x", "settings": {"tenant": "organizations"}}]},
        "google": {"APPS": [{"client_id": "portal-app", "secret": "x"}]},
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(reverse("accounts:login"))
    page.get_by_label("Email address").fill(cast.governor.email)
    button = page.get_by_role("button", name="Sign in with your school account")
    button.wait_for()
    assert_axe_clean(page, name="sign-in-school-account")
    page.screenshot(path=str(SHOTS / "sso-sign-in.png"), full_page=True)
    button.click()
    page.get_by_role("heading", name="Governors' workspace").wait_for()
    page.screenshot(path=str(SHOTS / "sso-signed-in.png"), full_page=True)


def test_a_parent_is_told_to_use_the_password(cast, page, live_oidc_provider):
    SchoolSignIn.objects.create(school=cast.school, provider=SchoolSignIn.Provider.OPENID, email_domain="example.org")
    page.goto(reverse("accounts:login"))
    page.get_by_label("Email address").fill(cast.parent.email)
    page.get_by_role("button", name="Sign in with your school account").click()
    page.get_by_text("Parents and carers sign in with their email address and password").wait_for()
