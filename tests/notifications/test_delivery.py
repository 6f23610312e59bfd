"""Delivery of recorded notifications: at most once, retried on refusal, honest about crashes."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from notifications.models import Notification
from notifications.outbox import DeliveryDeferred, deliver, describe_error, notify

pytestmark = pytest.mark.django_db


def _notification(cast, key: str = "test:1") -> Notification:
    return notify(
        key=key,
        to=["jo.parent@example.org"],
        template="invitation",
        context={"invitation": None, "accept_url": "https://x.example/a", "school": cast.school},
        school=cast.school,
    )


@pytest.fixture
def refusing_server(monkeypatch):
    """The next `refusals` sends raise a 451 from the mail server."""
    state = {"refusals": 0}
    original = EmailBackend.send_messages

    def send_messages(self, messages):
        if state["refusals"] > 0:
            state["refusals"] -= 1
            raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    return state


def test_a_second_decision_with_the_same_key_records_nothing(cast):
    assert _notification(cast) is not None
    assert _notification(cast) is None
    assert Notification.objects.filter(key="test:1").count() == 1


def test_delivering_twice_sends_once(cast):
    notification = _notification(cast)
    assert deliver(notification.pk) == "sent"
    assert deliver(notification.pk) == "skipped"
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<notification-{notification.pk}@127.0.0.1>"


def test_a_refusal_is_recorded_and_deferred_then_sent_once(cast, refusing_server):
    notification = _notification(cast)
    refusing_server["refusals"] = 1
    with pytest.raises(DeliveryDeferred):
        deliver(notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.QUEUED
    assert "Try again later" in notification.last_error
    assert mail.outbox == []

    assert deliver(notification.pk) == "sent"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_a_refusal_on_the_last_attempt_marks_it_failed(cast, refusing_server):
    notification = _notification(cast)
    refusing_server["refusals"] = 1
    with pytest.raises(smtplib.SMTPDataError):
        deliver(notification.pk, last_attempt=True)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert deliver(notification.pk) == "skipped"
    assert mail.outbox == []


def test_a_send_interrupted_by_a_dead_worker_is_never_repeated(cast):
    notification = _notification(cast)
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENDING, sending_since=timezone.now() - timedelta(hours=1)
    )
    assert deliver(notification.pk) == "skipped"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.UNKNOWN
    assert "may or may not have arrived" in notification.last_error
    assert mail.outbox == []


def test_a_send_in_progress_elsewhere_is_looked_at_again_later(cast):
    notification = _notification(cast)
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENDING, sending_since=timezone.now()
    )
    with pytest.raises(DeliveryDeferred):
        deliver(notification.pk)
    assert mail.outbox == []


def test_notify_delivers_on_commit(cast, on_commit_runs_immediately):
    _notification(cast, key="test:on-commit")
    assert len(mail.outbox) == 1
    assert Notification.objects.get(key="test:on-commit").status == Notification.Status.SENT


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (smtplib.SMTPDataError(550, b"5.1.1 Mailbox full"), "550 5.1.1 Mailbox full"),
        (
            smtplib.SMTPRecipientsRefused({"sam@example.org": (550, b"5.1.1 No such user")}),
            "sam@example.org: 550 5.1.1 No such user",
        ),
        (ConnectionRefusedError(111, "Connection refused"), "ConnectionRefusedError: [Errno 111] Connection refused"),
    ],
)
def test_the_recorded_problem_reads_as_the_server_said_it(error, expected):
    assert describe_error(error) == expected
