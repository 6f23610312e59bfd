"""Signing in with the school's account through a real OpenID Connect provider on loopback."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from accounts.models import Membership, Role, User

from .conftest import sso_sign_in

pytestmark = pytest.mark.django_db


def _messages(client, response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _signed_in_as(client):
    return client.get("/").wsgi_request.user


def test_staff_member_of_the_schools_domain_is_signed_in(client, school_sign_in, cast):
    response = sso_sign_in(client, "staff@example.org")
    assert response.status_code == 302
    home = client.get(response.headers["Location"], follow=True)
    assert home.wsgi_request.user == cast.staff
    assert "Priya" in home.content.decode()


def test_governor_is_signed_in(client, school_sign_in, cast):
    sso_sign_in(client, "governor@example.org")
    assert _signed_in_as(client) == cast.governor


def test_another_organisations_account_is_refused_with_a_clear_message(client, school_sign_in, cast):
    response = sso_sign_in(client, "elsewhere@example.org")
    assert response.headers["Location"] == "/sign-in/"
    page = client.get("/sign-in/")
    assert "staff@elsewhere.example is not an address of a school that signs in this way" in page.content.decode()
    assert not _signed_in_as(client).is_authenticated


def test_an_address_of_a_domain_without_school_sign_in_is_refused_before_the_provider(client, school_sign_in):
    response = client.post("/sign-in/school-account/", {"username": "someone@other.example", "provider": "oidc"})
    assert response.headers["Location"] == "/sign-in/"
    assert "has not set up signing in with Microsoft or Google" in client.get("/sign-in/").content.decode()


def test_an_unverified_email_is_refused(client, school_sign_in, cast):
    sso_sign_in(client, "unverified@example.org")
    assert "has not verified that email address" in client.get("/sign-in/").content.decode()
    assert not _signed_in_as(client).is_authenticated


def test_a_disabled_membership_is_refused(client, school_sign_in, cast):
    Membership.objects.filter(user=cast.staff).update(is_active=False)
    sso_sign_in(client, "staff@example.org")
    assert "You do not have an active role at" in client.get("/sign-in/").content.decode()
    assert not _signed_in_as(client).is_authenticated


def test_an_unknown_address_gets_no_account(client, school_sign_in, cast):
    users_before = User.objects.count()
    sso_sign_in(client, "nobody@example.org")
    assert "There is no portal account for that address" in client.get("/sign-in/").content.decode()
    assert User.objects.count() == users_before
    assert not User.objects.filter(email="nobody@example.org").exists()
    assert not _signed_in_as(client).is_authenticated


def test_parents_cannot_use_school_sign_in(client, school_sign_in, cast):
    sso_sign_in(client, "jo.parent@example.org")
    assert (
        "Parents and carers sign in with their email address and password" in client.get("/sign-in/").content.decode()
    )
    assert not _signed_in_as(client).is_authenticated


def test_provider_mfa_counts_when_the_school_allows_and_amr_says_mfa(client, school_sign_in, cast):
    school_sign_in.provider_mfa_counts = True
    school_sign_in.save()
    response = sso_sign_in(client, "dsl@example.org")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200  # the dashboard, not the portal's code page
    assert page.wsgi_request.user == cast.dsl


def test_provider_mfa_does_not_count_when_the_school_has_not_said_so(client, school_sign_in, cast):
    assert not school_sign_in.provider_mfa_counts
    response = sso_sign_in(client, "dsl@example.org")
    page = client.get(response.headers["Location"])
    assert page.status_code == 302
    assert page.headers["Location"] in ("/two-factor/verify/", "/two-factor/setup/")


def test_without_mfa_in_amr_the_portals_second_factor_is_asked_for(client, school_sign_in, cast):
    school_sign_in.provider_mfa_counts = True
    school_sign_in.save()
    response = sso_sign_in(client, "head@example.org")
    page = client.get(response.headers["Location"])
    assert page.status_code == 302
    assert page.headers["Location"] in ("/two-factor/verify/", "/two-factor/setup/")
    assert page.wsgi_request.user == cast.headteacher


def test_a_school_that_uses_another_provider_sends_people_to_the_right_button(client, school_sign_in):
    response = client.post("/sign-in/school-account/", {"username": "staff@example.org", "provider": "google"})
    assert response.headers["Location"] == "/sign-in/"
    assert "signs in with Other OpenID Connect provider" in client.get("/sign-in/").content.decode()


def test_the_sign_in_page_allows_the_providers_origin_as_a_form_target(client, school_sign_in, oidc_provider):
    page = client.get("/sign-in/")
    assert "Sign in with your school account" in page.content.decode()
    assert oidc_provider.issuer in page.headers["Content-Security-Policy"].split("form-action")[1].split(";")[0]


def test_the_password_form_still_signs_in_a_parent(client, school_sign_in, cast):
    from tests.factories import PASSWORD

    response = client.post("/sign-in/", {"username": cast.parent.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in_as(client) == cast.parent
    assert Role.PARENT in {Role(m.role) for m in cast.parent.active_memberships}


def test_the_headteacher_sets_the_schools_sign_in_in_the_portal(client_for, cast):
    from accounts.models import SchoolSignIn

    head = client_for(cast.headteacher)
    response = head.post(
        "/school-sign-in/",
        {"provider": "microsoft", "email_domain": "northbrook.sch.uk", "tenant_id": "", "is_enabled": "on"},
    )
    assert "Enter your Microsoft directory (tenant) ID" in response.content.decode()
    assert not SchoolSignIn.objects.exists()
    response = head.post(
        "/school-sign-in/",
        {"provider": "microsoft", "email_domain": "northbrook.sch.uk", "tenant_id": "abc-123", "is_enabled": "on"},
    )
    assert response.status_code == 302
    saved = SchoolSignIn.objects.get(school=cast.school)
    assert (saved.email_domain, saved.tenant_id, saved.provider_mfa_counts) == ("northbrook.sch.uk", "abc-123", False)


def test_only_the_headteacher_may_change_it(client_for, cast):
    assert client_for(cast.dsl).get("/school-sign-in/").status_code in (403, 404)
    assert client_for(cast.parent).get("/school-sign-in/").status_code in (403, 404)
