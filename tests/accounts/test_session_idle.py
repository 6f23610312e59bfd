"""Sessions end when idle, without a database write on every page view: the expiry is pushed
forward at most once a minute (schoolsocial.middleware.SessionIdleTimeoutMiddleware)."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

HOME = reverse("dashboard:home")


def session_writes(client, times: int = 1) -> int:
    with CaptureQueriesContext(connection) as captured:
        for _ in range(times):
            assert client.get(HOME).status_code == 200
    return sum(
        1
        for query in captured.captured_queries
        if "django_session" in query["sql"] and query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def test_two_requests_within_a_minute_write_the_session_once(cast, client_for):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = client_for(cast.parent)
        assert session_writes(client, times=2) == 0  # the expiry was set on signing in
        clock.shift(timedelta(seconds=61))
        assert session_writes(client, times=2) == 1
        clock.shift(timedelta(seconds=30))
        assert session_writes(client, times=3) == 0
        clock.shift(timedelta(seconds=31))  # a minute since the last write
        assert session_writes(client, times=2) == 1


def test_a_click_after_a_minute_keeps_the_session_alive(cast, client_for):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = client_for(cast.parent)
        client.get(HOME)
        for _ in range(3):  # an hour and a half of steady use: never signed out
            clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
            assert client.get(HOME).status_code == 200


def test_after_the_idle_timeout_the_person_is_signed_out(cast, client_for):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = client_for(cast.parent)
        assert client.get(HOME).status_code == 200
        clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_signing_in_through_the_page_sets_the_expiry_at_once(cast, client):
    from .test_sign_in import PASSWORD, post_login

    post_login(client, cast.parent.email, PASSWORD)
    assert session_writes(client, times=2) == 0


def test_a_visitor_who_is_not_signed_in_gets_no_session_row(db, client):
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("accounts:login"))
    assert not [q for q in captured.captured_queries if "django_session" in q["sql"]]
