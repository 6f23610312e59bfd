"""Email through a real Celery worker, a real Redis broker and a real SMTP server."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from notifications.models import Notification
from notifications.outbox import notify

from .conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _send(cast, key: str, attachments: list[dict] | None = None) -> Notification:
    with transaction.atomic():
        notification = notify(
            key=key,
            to=["jo.parent@example.org"],
            template="invitation",
            context={"accept_url": "https://portal.example/accept/abc", "school": cast.school},
            school=cast.school,
            attachments=attachments,
        )
    assert notification is not None
    return notification


def _small_pdf(cast) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{cast.school.name}: a one-page document for the integration tests.</p>").write_pdf()


def _status(notification: Notification) -> Notification:
    notification.refresh_from_db()
    return notification


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "attachment.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_a_worker_sends_the_email_with_its_pdf_attached(cast, smtp_server, start_worker, tmp_path):
    pdf = _small_pdf(cast)
    path = default_storage.save("letters/test/attachment.pdf", ContentFile(pdf))
    start_worker(smtp=smtp_server)

    notification = _send(cast, "it:attachment", [{"name": "letter.pdf", "path": path, "mimetype": "application/pdf"}])

    wait_for(lambda: smtp_server.messages, what="the email to arrive")
    message = smtp_server.messages[0]
    assert message["To"] == "jo.parent@example.org"
    attachments = list(message.iter_attachments())
    assert [part.get_filename() for part in attachments] == ["letter.pdf"]
    assert "Northbrook Primary School" in pdf_text(attachments[0].get_content(), tmp_path)
    wait_for(lambda: _status(notification).status == Notification.Status.SENT, what="the row to say sent")


def test_refused_attempts_are_retried_and_exactly_one_email_arrives(cast, smtp_server, start_worker):
    smtp_server.recorder.refuse_next = 2
    start_worker(smtp=smtp_server)

    notification = _send(cast, "it:refused")

    wait_for(lambda: smtp_server.messages, timeout=40, what="the email to arrive after two refusals")
    wait_for(lambda: _status(notification).status == Notification.Status.SENT, what="the row to say sent")
    time.sleep(2)  # long enough for any stray duplicate to show up
    assert smtp_server.recorder.refused == 2
    assert len(smtp_server.messages) == 1
    assert notification.attempts == 3
    assert notification.last_error == ""


def test_a_worker_killed_mid_task_does_not_lose_the_email(cast, smtp_server, start_worker):
    smtp_server.recorder.hold_next_connections = 1  # the first connection stalls at the greeting
    first = start_worker(smtp=smtp_server)

    notification = _send(cast, "it:killed")

    assert smtp_server.recorder.held.wait(30), "the worker never started the task"
    first.kill()
    smtp_server.recorder.release.set()
    assert _status(notification).status == Notification.Status.QUEUED
    assert smtp_server.messages == []

    start_worker(smtp=smtp_server)
    wait_for(lambda: smtp_server.messages, timeout=60, what="the redelivered task to send the email")
    wait_for(lambda: _status(notification).status == Notification.Status.SENT, what="the row to say sent")
    time.sleep(2)
    assert len(smtp_server.messages) == 1
    assert smtp_server.recorder.connections >= 2
