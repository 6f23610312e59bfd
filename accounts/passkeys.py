"""Passkeys (WebAuthn, django-otp-webauthn): a second factor beside the authenticator app and,
once enrolled, a way to sign in without a password.

The relying party is the portal's public address (SITE_URL), so a passkey made on the portal
works only there, and the browser's origin must match it exactly: a look-alike site gets nothing.
Each person may have several passkeys (a laptop, a phone, a security key), each named and each
removable, except the last second factor of someone whose role requires one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from .models import User

MAX_NAME = 64


class PasskeyHelper(WebAuthnHelper):
    """The relying party is SITE_URL (settings); in development and browser tests, the host the
    browser is on, already checked against ALLOWED_HOSTS (PASSKEYS_FOLLOW_REQUEST_HOST)."""

    def _follows_request(self) -> bool:
        return bool(getattr(settings, "PASSKEYS_FOLLOW_REQUEST_HOST", False))

    def get_relying_party_domain(self) -> str:
        if self._follows_request():
            return self.request.get_host().rsplit(":", 1)[0]
        return super().get_relying_party_domain()

    def get_allowed_origins(self) -> list[str]:
        if self._follows_request():
            return [f"{self.request.scheme}://{self.request.get_host()}"]
        return super().get_allowed_origins()

    def get_credential_display_name(self, user) -> str:
        return f"{user.full_name} ({user.email})" if getattr(user, "full_name", "") else user.email


class PasskeyError(Exception):
    pass


def passkeys_for(user: User) -> QuerySet[WebAuthnCredential]:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def has_passkey(user: User) -> bool:
    return passkeys_for(user).exists()


@transaction.atomic
def rename(*, user: User, pk: int, name: str) -> WebAuthnCredential:
    passkey = passkeys_for(user).select_for_update().filter(pk=pk).first()
    if passkey is None:
        raise PasskeyError("That passkey is not one of yours.")
    name = " ".join(name.split())[:MAX_NAME]
    if not name:
        raise PasskeyError("Give the passkey a name, for example “Work laptop”.")
    passkey.name = name
    passkey.save(update_fields=["name"])
    return passkey


@transaction.atomic
def remove(*, user: User, pk: int) -> str:
    """Remove one of the person's passkeys; never someone's last second factor when their role needs one."""
    passkey = passkeys_for(user).select_for_update().filter(pk=pk).first()
    if passkey is None:
        raise PasskeyError("That passkey is not one of yours.")
    others = passkeys_for(user).exclude(pk=pk).exists() or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if user.requires_two_factor and not others:
        raise PasskeyError(
            "This is your only second factor, and your role needs one. Add another passkey or an "
            "authenticator app first."
        )
    name = passkey.name
    passkey.delete()
    return name
