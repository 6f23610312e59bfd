"""The portal's sign-in backends: Django's password backend and the passkey backend, with the
signed-in person read on every request by a prepared query (schoolsocial/lib/prepared.py).

Sessions name the backend that signed the person in, and Django asks that backend for the user on
every request; this is where that read happens. What they check is unchanged: a person who no
longer exists, or is inactive, is signed out.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django_otp_webauthn.backends import WebAuthnBackend

from schoolsocial.lib.prepared import PreparedQuery

from .models import User

PASSWORD_BACKEND = "accounts.backends.PasswordBackend"

_user_by_pk = PreparedQuery(lambda pk: User._default_manager.filter(pk=pk))


class SignedInUserMixin:
    def get_user(self, user_id):
        found = _user_by_pk(int(user_id))
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None  # type: ignore[attr-defined]


class PasswordBackend(SignedInUserMixin, ModelBackend):
    """Email and password (and the school's own sign-in, accounts/sso.py, which logs in through it)."""


class PasskeyBackend(SignedInUserMixin, WebAuthnBackend):
    """A passkey alone: no password, the passkey is both factors (accounts/passkeys.py)."""
