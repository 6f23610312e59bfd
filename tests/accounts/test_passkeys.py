"""Passkeys: several per person, each named and removable; never someone's last second factor;
a passkey counts as the second factor; and a passkey sign-in obeys the portal's rules."""

from __future__ import annotations

import os

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import Membership
from accounts.views.passkeys import PasskeySignInCompleteView
from tests.factories import PASSWORD


def add_passkey(user, name="Work laptop") -> WebAuthnCredential:
    credential_id = os.urandom(32)
    return WebAuthnCredential.objects.create(
        user=user,
        name=name,
        confirmed=True,
        credential_id=credential_id,
        credential_id_sha256=WebAuthnCredential.get_credential_id_sha256(credential_id),
        public_key=os.urandom(77),
    )


def signed_in_with_passkey(client, user, passkey):
    client.force_login(user, backend="accounts.backends.PasswordBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = passkey.persistent_id
    session.save()
    return client


def test_the_list_shows_only_your_own_passkeys(cast, client_for):
    add_passkey(cast.headteacher, "Head's laptop")
    add_passkey(cast.dsl, "DSL's phone")
    page = client_for(cast.headteacher).get(reverse("accounts:passkeys")).content.decode()
    assert "Head&#x27;s laptop" in page and "DSL" not in page
    assert 'id="passkey-registration-placeholder"' in page


def test_rename_and_remove_touch_only_your_own(cast, client_for):
    mine = add_passkey(cast.parent, "Phone")
    theirs = add_passkey(cast.other_parent, "Their phone")
    client = client_for(cast.parent)
    client.post(reverse("accounts:passkey_rename", args=[mine.pk]), {"name": "  Kitchen   tablet "})
    mine.refresh_from_db()
    assert mine.name == "Kitchen tablet"
    # Another person's passkey: refused, unchanged, still there.
    response = client.post(reverse("accounts:passkey_rename", args=[theirs.pk]), {"name": "Hijacked"}, follow=True)
    assert "That passkey is not one of yours." in response.content.decode()
    client.post(reverse("accounts:passkey_remove", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.name == "Their phone"
    # A blank name is explained.
    response = client.post(reverse("accounts:passkey_rename", args=[mine.pk]), {"name": "   "}, follow=True)
    assert "Give the passkey a name" in response.content.decode()
    # A parent needs no second factor: their only passkey can go.
    client.post(reverse("accounts:passkey_remove", args=[mine.pk]))
    assert not WebAuthnCredential.objects.filter(pk=mine.pk).exists()


def test_the_last_second_factor_of_a_headteacher_cannot_be_removed(cast, client, client_for):
    TOTPDevice.objects.filter(user=cast.headteacher).delete()
    only = add_passkey(cast.headteacher)
    client = signed_in_with_passkey(client, cast.headteacher, only)
    response = client.post(reverse("accounts:passkey_remove", args=[only.pk]), follow=True)
    assert "This is your only second factor" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=only.pk).exists()
    # With an authenticator app beside it, it can go.
    TOTPDevice.objects.create(user=cast.headteacher, name="App", confirmed=True)
    client_for(cast.headteacher).post(reverse("accounts:passkey_remove", args=[only.pk]))
    assert not WebAuthnCredential.objects.filter(pk=only.pk).exists()


def test_a_passkey_is_a_second_factor_at_sign_in(cast, client):
    """A headteacher with only a passkey is asked for it (not sent to set up an app), and the
    passkey ceremonies are reachable before the second step."""
    TOTPDevice.objects.filter(user=cast.headteacher).delete()
    add_passkey(cast.headteacher)
    client.post(reverse("accounts:login"), {"username": cast.headteacher.email, "password": PASSWORD})
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:two_factor_verify")
    page = client.get(reverse("accounts:two_factor_verify")).content.decode()
    assert "Use my passkey" in page and "Or use a recovery code" in page
    begin = client.post(reverse("otp_webauthn:credential-authentication-begin"), content_type="application/json")
    assert begin.status_code == 200 and "challenge" in begin.json()
    # Nothing else opens before the passkey is used.
    assert client.get(reverse("incidents:list")).status_code == 302


def test_registering_a_passkey_needs_the_second_step_first(cast, client):
    """Someone who knows only the password cannot add a passkey to skip the authenticator app."""
    client.post(reverse("accounts:login"), {"username": cast.headteacher.email, "password": PASSWORD})
    begin = client.post(reverse("otp_webauthn:credential-registration-begin"), content_type="application/json")
    assert begin.status_code == 403


def test_a_passkey_cannot_sign_in_someone_with_no_active_school(cast):
    passkey = add_passkey(cast.parent)
    view = PasskeySignInCompleteView()
    view.request = RequestFactory().post("/")
    view.check_device_usable(passkey)  # active: fine
    Membership.objects.filter(user=cast.parent).update(is_active=False)
    passkey.refresh_from_db()
    with pytest.raises(exceptions.UserDisabled):
        view.check_device_usable(passkey)
    cast.parent.is_active = False
    cast.parent.save()
    passkey.refresh_from_db()
    with pytest.raises(exceptions.UserDisabled):
        view.check_device_usable(passkey)
