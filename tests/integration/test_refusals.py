"""What the mail server refuses, through a real worker: one recipient of two refused for good at
RCPT is recorded as a partial delivery (the other got it, once); a permanent refusal (5xx) fails
the email at once instead of being retried for an hour."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from notifications.models import Notification
from notifications.outbox import notify

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _send(cast, key: str, to: list[str]) -> Notification:
    with transaction.atomic():
        notification = notify(
            key=key,
            to=to,
            template="invitation",
            context={"accept_url": "https://portal.example/accept/abc", "school": cast.school},
            school=cast.school,
        )
    assert notification is not None
    return notification


def _settled(notification: Notification) -> Notification | None:
    notification.refresh_from_db()
    return (
        notification if notification.status not in (Notification.Status.QUEUED, Notification.Status.SENDING) else None
    )


def test_one_recipient_refused_at_rcpt_is_recorded_as_partial_and_the_other_gets_it_once(
    cast, smtp_server, start_worker
):
    smtp_server.recorder.refuse_recipients = {"governor@example.org": "550 5.1.1 No such mailbox"}
    start_worker(smtp=smtp_server)

    notification = _send(cast, "it:partial", ["head@example.org", "governor@example.org"])

    settled = wait_for(lambda: _settled(notification), timeout=60, what="the delivery to be settled")
    time.sleep(3)  # a retry, if one were (wrongly) scheduled, would show up by now
    assert smtp_server.recorder.envelopes == [["head@example.org"]]
    assert settled.status == Notification.Status.PARTIAL and settled.attempts == 1
    assert settled.results["head@example.org"]["state"] == "accepted"
    assert settled.results["governor@example.org"]["state"] == "refused"
    assert "550" in settled.results["governor@example.org"]["reply"] and "governor@example.org" in settled.last_error


def test_a_permanent_refusal_fails_at_once_and_is_not_retried(cast, smtp_server, start_worker):
    smtp_server.recorder.refuse_for_good = "554 5.7.1 Message rejected as spam"
    start_worker(smtp=smtp_server)

    notification = _send(cast, "it:rejected", ["jo.parent@example.org"])

    settled = wait_for(lambda: _settled(notification), timeout=60, what="the refusal to be recorded")
    time.sleep(4)  # with the test's 1 s back-off, a retry would have come by now
    assert settled.status == Notification.Status.FAILED and settled.attempts == 1
    assert "554" in settled.last_error
    assert smtp_server.recorder.refused == 1 and smtp_server.messages == []
