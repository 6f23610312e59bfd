"""Two people with the same page open: each in their own browser (a Client of their own)."""

from __future__ import annotations

from django.test import Client

from accounts.models import Role
from tests.conftest import sign_in
from tests.factories import make_user


def browser_for(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def second_headteacher(cast):
    """A second headteacher at the cast's school (an acting head), who can change the same records."""
    return make_user(cast.school, Role.HEADTEACHER, name="Tom Whitfield", email="tom.whitfield@example.org")
