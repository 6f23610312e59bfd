"""Sign-in lockout (django-axes) keyed on the account as the person means it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The email address as the portal matches it: trimmed and lower-case.

    Sign-in ignores case, so without this "JO@school.org" and "jo@school.org" would each get their
    own five tries and the lockout could be walked around by changing the case of a letter.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        username = data.get(field)
    if not username:
        return username
    return str(username).strip().lower()


def clear_lockout(email: str) -> None:
    """Forget the failed sign-ins for this account (after it has proved itself another way)."""
    from axes.utils import reset

    reset(username=email.strip().lower())
