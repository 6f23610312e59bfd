"""A letter rendered by a real worker, then emailed with its PDF through the real SMTP server."""

from __future__ import annotations

import hashlib

import pytest

from incidents.letters import actions
from incidents.letters.models import Letter, LetterKind
from notifications.models import Notification
from tests.letters.builders import make_case

from .conftest import wait_for
from .test_notifications import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_renders_the_final_letter_and_emails_it(cast, smtp_server, start_worker, tmp_path):
    start_worker(smtp=smtp_server)
    incident, step = make_case(cast)
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)

    actions.finalise(letter=letter, by=cast.headteacher)

    def stored() -> Letter | None:
        fresh = Letter.objects.get(pk=letter.pk)
        return fresh if fresh.pdf_sha256 else None

    letter = wait_for(stored, timeout=60, what="the worker to store the final PDF")
    delivery = actions.email_letter(letter=letter, by=cast.headteacher, to="sian@example.org")

    wait_for(lambda: smtp_server.messages, timeout=30, what="the letter email to arrive")
    (message,) = smtp_server.messages
    assert message["To"] == "sian@example.org"
    (attachment,) = list(message.iter_attachments())
    content = attachment.get_content()
    assert hashlib.sha256(content).hexdigest() == letter.pdf_sha256
    text = pdf_text(content, tmp_path)
    for expected in ["Northbrook Primary School", "Siân O'Connor-Müller", "Written warning", incident.reference]:
        assert expected in text
    wait_for(
        lambda: Notification.objects.get(pk=delivery.notification_id).status == Notification.Status.SENT,
        what="the delivery to be recorded as sent",
    )


def test_a_final_letter_whose_worker_was_killed_mid_render_is_made_once_by_the_relay(cast, start_worker, private_media):
    from files import renders
    from files.models import RenderJob
    from schoolsocial.celery import app

    relay_env = {"RENDER_RELAY_STALE_SECONDS": "3", "RENDER_RUNNING_TIMEOUT_SECONDS": "5"}
    first = start_worker(**relay_env)
    incident, step = make_case(cast)
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)

    actions.finalise(letter=letter, by=cast.headteacher)

    def running() -> bool:
        job = renders.job_for(letter)
        return job is not None and job.state == RenderJob.State.RUNNING

    wait_for(running, timeout=60, interval=0.02, what="the worker to start the render")
    first.kill()  # SIGKILL, main process and pool: the task is neither finished nor acknowledged
    assert not Letter.objects.get(pk=letter.pk).pdf_sha256
    start_worker(**relay_env)

    def stored() -> Letter | None:
        app.send_task("files.tasks.relay_renders")  # Celery beat's part
        fresh = Letter.objects.get(pk=letter.pk)
        return fresh if fresh.pdf_sha256 else None

    letter = wait_for(stored, timeout=90, interval=2, what="the lost render to be made again")
    wait_for(lambda: renders.job_for(letter).state == RenderJob.State.DONE, what="the render to be recorded as made")
    assert letter.pdf_ready
    kept = (private_media / letter.pdf.name).read_bytes()
    assert hashlib.sha256(kept).hexdigest() == letter.pdf_sha256  # the stored file is the one recorded
