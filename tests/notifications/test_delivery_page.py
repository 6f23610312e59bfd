"""Email delivery page: who may see it, filters, sending again exactly once, constant queries."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from notifications.models import Notification

pytestmark = pytest.mark.django_db

Status = Notification.Status
URL = reverse("notifications:list")
_keys = count()


def make_email(school, status=Status.FAILED, *, days_ago: float = 1, template="agreement-request", **fields):
    email = Notification.objects.create(
        key=f"test:{next(_keys)}",
        school=school,
        to=fields.pop("to", ["jo.parent@example.org"]),
        template=template,
        subject=fields.pop("subject", "Please sign the home-school agreement"),
        body_text=fields.pop("body_text", "BODY-TEXT-NEVER-SHOWN"),
        body_html=fields.pop("body_html", "<p>BODY-HTML-NEVER-SHOWN</p>"),
        status=status,
        attempts=fields.pop("attempts", 7 if status == Status.FAILED else 1),
        last_error=fields.pop("last_error", "(550, b'Mailbox unavailable')" if status == Status.FAILED else ""),
        **fields,
    )
    Notification.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return email


def send_again_url(email) -> str:
    return reverse("notifications:send_again", args=[email.pk])


# --- who may see it -------------------------------------------------------------------------------
def test_headteacher_and_office_see_their_schools_emails(cast, client_for):
    ours = make_email(cast.school, to=["ours@example.org"])
    make_email(cast.other_school, to=["theirs@example.org"])
    for user in (cast.headteacher, cast.office):
        response = client_for(user).get(URL)
        text = response.content.decode()
        assert response.status_code == 200
        assert "ours@example.org" in text and "theirs@example.org" not in text
        assert [row["email"] for row in response.context["rows"]] == [ours]


def test_other_roles_get_404(cast, client_for):
    email = make_email(cast.school)
    for user in (cast.dsl, cast.staff, cast.governor, cast.parent):
        client = client_for(user)
        assert client.get(URL).status_code == 404, user
        assert client.post(send_again_url(email)).status_code == 404, user


def test_another_schools_email_is_404_and_is_not_sent(cast, client_for, django_capture_on_commit_callbacks):
    theirs = make_email(cast.other_school)
    client = client_for(cast.headteacher)
    assert client.get(send_again_url(theirs)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(send_again_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.FAILED and mail.outbox == []


def test_nav_has_email_delivery_for_headteacher_and_office_only(cast, client_for):
    for user in (cast.headteacher, cast.office):
        assert "Email delivery" in client_for(user).get(reverse("dashboard:home")).content.decode(), user
    for user in (cast.dsl, cast.parent):
        assert "Email delivery" not in client_for(user).get(reverse("dashboard:home")).content.decode(), user


# --- what it shows --------------------------------------------------------------------------------
def test_bodies_are_never_shown_and_errors_are_escaped(cast, client_for):
    make_email(cast.school, last_error="<script>alert('x')</script> refused")
    text = client_for(cast.headteacher).get(URL).content.decode()
    assert "NEVER-SHOWN" not in text
    assert "<script>alert" not in text and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; refused" in text
    assert "Agreement: please sign" in text and "Please sign the home-school agreement" in text


def test_safeguarding_email_shows_its_subject_to_the_headteacher_and_only_its_kind_to_the_office(cast, client_for):
    make_email(
        cast.school,
        template="incident-dsl-alert",
        subject="A safeguarding concern needs you at Northbrook",
        body_text="Child named Mia Parent, details of the post",
    )
    head = client_for(cast.headteacher).get(URL).content.decode()
    assert "Safeguarding alert" in head and "A safeguarding concern needs you" in head
    assert "Mia Parent" not in head
    office = client_for(cast.office).get(URL).content.decode()
    assert "Safeguarding alert" in office
    assert "A safeguarding concern needs you" not in office and "Mia Parent" not in office


def test_last_30_days_by_default_and_longer_on_request(cast, client_for):
    recent = make_email(cast.school, days_ago=3)
    old = make_email(cast.school, days_ago=45)
    client = client_for(cast.headteacher)
    assert [row["email"] for row in client.get(URL).context["rows"]] == [recent]
    assert [row["email"] for row in client.get(URL + "?period=90").context["rows"]] == [recent, old]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("failed", {Status.FAILED}),
        ("unknown", {Status.UNKNOWN}),
        ("pending", {Status.QUEUED, Status.SENDING}),
        ("sent", {Status.SENT}),
        ("", {Status.FAILED, Status.PARTIAL, Status.UNKNOWN, Status.QUEUED, Status.SENDING, Status.SENT}),
    ],
)
def test_state_filter(cast, client_for, state, expected):
    for status in Status.values:
        make_email(cast.school, status)
    response = client_for(cast.office).get(URL + f"?state={state}&period=30")
    assert {row["email"].status for row in response.context["rows"]} == expected
    assert response.context["counts"]["total"] == 6 and response.context["counts"]["pending"] == 2


def test_unreadable_filters_fall_back_to_the_defaults(cast, client_for):
    make_email(cast.school, days_ago=3)
    make_email(cast.school, days_ago=45)
    response = client_for(cast.office).get(URL + "?state=<b>&period=abc&page=zz")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1


def test_paginated(cast, client_for):
    Notification.objects.bulk_create(
        Notification(key=f"bulk:{n}", school=cast.school, to=["a@example.org"], template="invitation", subject="s")
        for n in range(55)
    )
    client = client_for(cast.office)
    assert len(client.get(URL).context["rows"]) == 50
    assert len(client.get(URL + "?page=2").context["rows"]) == 5


@pytest.mark.parametrize("emails", [3, 40])
def test_query_count_is_pinned(cast, client_for, emails, django_assert_max_num_queries):
    for n in range(emails):
        make_email(cast.school, [Status.FAILED, Status.SENT, Status.UNKNOWN][n % 3])
    client = client_for(cast.headteacher)
    # Sign-in and session (7 with the session save), then the page count, the page, the tallies.
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200


def test_same_number_of_queries_at_two_sizes(cast, client_for):
    client = client_for(cast.headteacher)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    make_email(cast.school)
    small = queries()
    for n in range(45):
        make_email(cast.school, [Status.FAILED, Status.SENT, Status.UNKNOWN][n % 3])
    assert queries() == small


# --- sending again --------------------------------------------------------------------------------
def test_failed_email_is_sent_again_exactly_once_even_if_clicked_twice(
    cast, client_for, django_capture_on_commit_callbacks
):
    email = make_email(cast.school, to=["jo.parent@example.org"])
    client = client_for(cast.office)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(send_again_url(email), {"next": URL + "?state=failed"})
    assert first.status_code == 302 and first["Location"] == URL + "?state=failed"
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(send_again_url(email), follow=True)
    assert "already being sent again, or has been sent" in second.content.decode()
    email.refresh_from_db()
    assert email.status == Status.SENT and email.attempts == 1 and email.last_error == ""  # a fresh try
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["jo.parent@example.org"]
    assert mail.outbox[0].subject == "Please sign the home-school agreement"
    assert Notification.objects.filter(school=cast.school).count() == 1
    log = AccessLog.objects.get(action="send-email-again")
    assert (log.user, log.school_id, log.object_id) == (cast.office, cast.school.pk, str(email.pk))


def test_a_requeued_email_is_not_queued_twice_before_the_worker_runs(
    cast, client_for, django_capture_on_commit_callbacks
):
    email = make_email(cast.school)
    client = client_for(cast.headteacher)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(send_again_url(email))
        client.post(send_again_url(email))
    assert len(callbacks) == 1  # one delivery task queued for two clicks
    email.refresh_from_db()
    assert email.status == Status.QUEUED
    assert AccessLog.objects.filter(action="send-email-again").count() == 1


def test_unconfirmed_email_asks_first_and_explains_it_may_have_arrived(
    cast, client_for, django_capture_on_commit_callbacks
):
    email = make_email(cast.school, Status.UNKNOWN, last_error="The worker stopped mid-send")
    client = client_for(cast.headteacher)
    page = client.get(send_again_url(email))
    assert page.status_code == 200 and "may already have arrived" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        unconfirmed = client.post(send_again_url(email))
    assert unconfirmed.status_code == 200 and "may already have arrived" in unconfirmed.content.decode()
    email.refresh_from_db()
    assert email.status == Status.UNKNOWN and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(send_again_url(email), {"confirm": "yes"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(send_again_url(email), {"confirm": "yes"})
    email.refresh_from_db()
    assert email.status == Status.SENT and len(mail.outbox) == 1


@pytest.mark.parametrize("status", [Status.SENT, Status.QUEUED, Status.SENDING])
def test_emails_not_failed_are_not_sent_again(cast, client_for, django_capture_on_commit_callbacks, status):
    email = make_email(cast.school, status)
    client = client_for(cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(send_again_url(email), {"confirm": "yes"}).status_code == 302
    email.refresh_from_db()
    assert email.status == status and mail.outbox == []
    assert not AccessLog.objects.filter(action="send-email-again").exists()


def test_send_again_ignores_an_outside_next_address(cast, client_for):
    email = make_email(cast.school)
    response = client_for(cast.headteacher).post(send_again_url(email), {"next": "https://evil.example/"})
    assert response["Location"] == URL


# --- the landing-page warning ---------------------------------------------------------------------
def test_headteacher_is_warned_about_failed_emails_of_the_last_week(cast, client_for):
    client = client_for(cast.headteacher)
    make_email(cast.school, days_ago=8)
    make_email(cast.other_school, days_ago=1)
    assert "did not get through" not in client.get(reverse("dashboard:home")).content.decode()
    make_email(cast.school, days_ago=2)
    make_email(cast.school, days_ago=2)
    make_email(cast.school, Status.UNKNOWN, days_ago=1)
    text = client.get(reverse("dashboard:home")).content.decode()
    assert "did not get through" in text
    assert "In the last 7 days, 2 emails could not be delivered and 1 email may not have arrived." in text
    assert "Email delivery" in text


def test_the_warning_is_for_the_headteacher(cast, client_for):
    make_email(cast.school, days_ago=1)
    assert "did not get through" not in client_for(cast.office).get(reverse("dashboard:home")).content.decode()
