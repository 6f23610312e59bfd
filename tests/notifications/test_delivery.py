"""Delivery of recorded notifications: at most once, retried on refusal, honest about crashes."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.outbox import deliver, describe_error, notify, relay

pytestmark = pytest.mark.django_db


def _notification(cast, key: str = "test:1") -> Notification | None:
    notification = notify(
        key=key,
        to=["jo.parent@example.org"],
        template="invitation",
        context={"invitation": None, "accept_url": "https://x.example/a", "school": cast.school},
        school=cast.school,
    )
    return notification


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


def _due_now(notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now())


def test_a_temporary_refusal_is_retried_from_the_database_then_sent_once(cast, refusing_server, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 600  # beyond the countdown limit: only the relay retries it
    notification = _notification(cast)
    refusing_server["refusals"] = 1
    assert deliver(notification.pk) == "deferred"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.QUEUED
    assert "Try again later" in notification.last_error
    assert notification.next_attempt_at > timezone.now() + timedelta(seconds=590)
    assert notification.enqueued_at is None  # nothing waits in the broker for ten minutes
    assert deliver(notification.pk) == "skipped"  # an early duplicate does not jump the queue
    assert mail.outbox == []

    _due_now(notification)
    assert deliver(notification.pk) == "sent"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_the_back_off_doubles_and_the_last_allowed_attempt_marks_it_failed(cast, refusing_server, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 600
    settings.NOTIFY_MAX_RETRIES = 3
    notification = _notification(cast)
    refusing_server["refusals"] = 10
    waits = []
    for _ in range(3):
        before = timezone.now()
        assert deliver(notification.pk) == "deferred"
        notification.refresh_from_db()
        waits.append(round((notification.next_attempt_at - before).total_seconds() / 600))
        _due_now(notification)
    assert waits == [1, 2, 4]
    assert deliver(notification.pk) == "failed"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.FAILED, 4)
    assert deliver(notification.pk) == "skipped"
    assert mail.outbox == []


def test_a_permanent_refusal_fails_at_once_and_is_not_retried(cast, monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPDataError(554, b"5.7.1 Message rejected as spam")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    notification = _notification(cast)
    assert deliver(notification.pk) == "failed"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.FAILED, 1)
    assert "554 5.7.1" in notification.last_error
    assert relay()["requeued"] == 0


def test_an_unreachable_server_counts_as_an_attempt(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nobody listens
    settings.NOTIFY_RETRY_BASE_SECONDS = 600
    notification = _notification(cast)
    assert deliver(notification.pk) == "deferred"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.QUEUED, 1)
    assert "Connection refused" in notification.last_error or "Errno" in notification.last_error


def test_the_relay_settles_a_send_interrupted_by_a_dead_worker_and_never_repeats_it(cast):
    notification = _notification(cast)
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENDING, sending_since=timezone.now() - timedelta(hours=1)
    )
    assert deliver(notification.pk) == "skipped"
    assert relay()["settled"] == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.UNKNOWN
    assert "may or may not have arrived" in notification.last_error
    assert relay() == {"requeued": 0, "settled": 0}
    assert mail.outbox == []


def test_a_send_in_progress_elsewhere_is_left_to_it(cast):
    notification = _notification(cast)
    Notification.objects.filter(pk=notification.pk).update(
        status=Notification.Status.SENDING, sending_since=timezone.now()
    )
    assert deliver(notification.pk) == "skipped"
    assert relay() == {"requeued": 0, "settled": 0}
    assert mail.outbox == []


def test_the_relay_queues_again_what_the_broker_lost_and_nothing_else(cast, settings):
    settings.NOTIFY_RELAY_STALE_SECONDS = 300
    lost = _notification(cast, key="test:lost")
    fresh = _notification(cast, key="test:fresh")
    later = _notification(cast, key="test:later")
    long_ago = timezone.now() - timedelta(minutes=10)
    Notification.objects.filter(pk__in=[lost.pk, later.pk]).update(enqueued_at=long_ago)
    Notification.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert relay() == {"requeued": 1, "settled": 0}  # runs the delivery in-process (eager)
    assert [message.to for message in mail.outbox] == [["jo.parent@example.org"]]
    statuses = dict(Notification.objects.values_list("key", "status"))
    assert statuses == {"test:lost": "sent", "test:fresh": "queued", "test:later": "queued"}
    assert relay()["requeued"] == 0 and len(mail.outbox) == 1
    assert fresh.pk and later.pk


def test_a_broker_outage_after_commit_loses_nothing_and_answers_no_500(
    cast, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from notifications import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_notification, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as published:
        notification = _notification(cast, key="test:broker-down")
    assert len(published) == 1  # the publish ran after commit, failed, and was logged, not raised
    notification.refresh_from_db()
    assert notification.status == Notification.Status.QUEUED and mail.outbox == []
    monkeypatch.undo()
    settings.NOTIFY_RELAY_STALE_SECONDS = 0
    assert relay()["requeued"] == 1
    assert len(mail.outbox) == 1


def test_notify_delivers_on_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notification(cast, key="test:on-commit")
        assert mail.outbox == []  # nothing leaves before the work is saved
    assert len(mail.outbox) == 1
    assert Notification.objects.get(key="test:on-commit").status == Notification.Status.SENT


def test_an_email_queued_by_work_that_fails_is_never_sent(cast, django_capture_on_commit_callbacks):
    class Failed(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Failed), transaction.atomic():
        _notification(cast, key="test:rolled-back")
        raise Failed  # the action fails after queuing its email
    assert mail.outbox == []
    assert not Notification.objects.filter(key="test:rolled-back").exists()


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


# --- A real SMTP server (aiosmtpd) that refuses some recipients -------------------------------


class _Refusing:
    """Accepts everyone except the addresses it was given, which it refuses with their code."""

    def __init__(self, refuse: dict[str, str]):
        self.refuse = refuse
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 Accepted"


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    from tests.integration.conftest import free_port

    def start(refuse: dict[str, str]) -> _Refusing:
        handler = _Refusing(refuse)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        return handler

    started: list = []
    yield start
    for controller in started:
        controller.stop()


def _to_two(cast, key: str) -> Notification:
    notification = notify(
        key=key,
        to=["head@example.org", "governor@example.org"],
        template="invitation",
        context={"invitation": None, "accept_url": "https://x.example/a", "school": cast.school},
        school=cast.school,
    )
    assert notification is not None  # a new key: always a new notification
    return notification


def test_a_recipient_refused_for_good_is_shown_as_such_and_the_other_gets_it_once(cast, smtp):
    server = smtp({"governor@example.org": "550 5.1.1 No such mailbox"})
    notification = _to_two(cast, "test:partial")
    assert deliver(notification.pk) == "partial"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PARTIAL
    assert notification.results["head@example.org"]["state"] == "accepted"
    assert notification.results["governor@example.org"] == {"state": "refused", "reply": "550 5.1.1 No such mailbox"}
    assert "governor@example.org: 550 5.1.1 No such mailbox" in notification.last_error
    assert [rcpts for rcpts, _ in server.received] == [["head@example.org"]]

    # Sending again goes only to the one who did not get it.
    from notifications.delivery import send_again

    server.refuse = {}
    send_again(notification)
    assert deliver(notification.pk) == "sent"
    assert [rcpts for rcpts, _ in server.received] == [["head@example.org"], ["governor@example.org"]]


def test_a_recipient_refused_for_now_is_retried_alone(cast, smtp, settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 600
    server = smtp({"governor@example.org": "452 4.2.2 Mailbox full, try later"})
    notification = _to_two(cast, "test:partial-later")
    assert deliver(notification.pk) == "deferred"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.QUEUED
    assert notification.pending_recipients() == ["governor@example.org"]
    server.refuse = {}
    _due_now(notification)
    assert deliver(notification.pk) == "sent"
    assert [rcpts for rcpts, _ in server.received] == [["head@example.org"], ["governor@example.org"]]


def test_every_recipient_refused_for_good_fails_at_once(cast, smtp):
    smtp({"head@example.org": "550 5.1.1 No such mailbox", "governor@example.org": "553 5.1.3 Bad address"})
    notification = _to_two(cast, "test:all-refused")
    assert deliver(notification.pk) == "failed"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.FAILED, 1)
    assert {result["state"] for result in notification.results.values()} == {"refused"}
