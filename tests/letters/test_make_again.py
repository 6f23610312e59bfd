"""Rendered documents are owed by the database (files/renders.py): a render whose task was lost is
queued again by the relay, one that failed shows "Make it again", and two clicks make one."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from files import renders
from files.models import RenderJob
from files.tasks import relay_renders
from incidents.letters import actions, rendering
from incidents.letters.models import EvidenceBundle, Letter, LetterKind, RenderState

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(cast, case) -> Letter:
    incident, step = case
    return actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)


@pytest.fixture
def counted_renders(monkeypatch) -> list[int]:
    made: list[int] = []
    real = rendering.letter_pdf

    def count(letter):
        made.append(letter.pk)
        return real(letter)

    monkeypatch.setattr("incidents.letters.tasks.letter_pdf", count)
    return made


def break_renders(monkeypatch) -> None:
    def broken(letter):
        raise RuntimeError("The font could not be read")

    monkeypatch.setattr("incidents.letters.tasks.letter_pdf", broken)


def test_a_final_letter_whose_task_was_lost_is_made_by_the_relay(cast, letter, counted_renders):
    actions.finalise(letter=letter, by=cast.headteacher)  # its task never ran: lost with the broker
    job = renders.job_for(letter)
    assert job is not None and job.state == RenderJob.State.QUEUED

    assert relay_renders.apply().result == {"requeued": 0, "failed": 0}  # not late yet: left alone
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert relay_renders.apply().result == {"requeued": 1, "failed": 0}
        assert relay_renders.apply().result == {"requeued": 0, "failed": 0}
    letter.refresh_from_db()
    assert letter.pdf and letter.pdf_ready and counted_renders == [letter.pk]
    assert renders.job_for(letter).state == RenderJob.State.DONE


def test_a_render_left_by_a_killed_worker_is_made_again_then_shown_as_failed(cast, letter, client_for):
    actions.finalise(letter=letter, by=cast.headteacher)
    RenderJob.objects.update(state=RenderJob.State.RUNNING, started_at=timezone.now(), attempts=5)
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert relay_renders.apply().result == {"requeued": 0, "failed": 1}  # lost five times: shown
        page = client_for(cast.headteacher).get(reverse("letters:detail", args=[letter.pk])).content.decode()
    assert "Make it again" in page


def test_a_failed_render_offers_make_it_again_and_two_clicks_make_one(
    cast, letter, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    break_renders(monkeypatch)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        actions.finalise(letter=letter, by=cast.headteacher)
    job = renders.job_for(letter)
    assert job.state == RenderJob.State.FAILED and "font" in job.error
    client = client_for(cast.headteacher)
    page = client.get(reverse("letters:detail", args=[letter.pk])).content.decode()
    assert "Make it again" in page and "could not be made" in page

    made: list[int] = []
    real = rendering.letter_pdf
    monkeypatch.setattr("incidents.letters.tasks.letter_pdf", lambda letter: made.append(letter.pk) or real(letter))
    url = reverse("letters:again", args=[letter.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
        second = client.post(url)
    assert first.status_code == second.status_code == 302
    letter.refresh_from_db()
    assert made == [letter.pk] and letter.pdf_ready
    assert renders.job_for(letter).attempts == 2
    page = client.get(reverse("letters:detail", args=[letter.pk])).content.decode()
    assert "Make it again" not in page and "Download the PDF" in page


def test_a_render_being_made_cannot_be_asked_for_twice(cast, letter, client_for, django_capture_on_commit_callbacks):
    actions.finalise(letter=letter, by=cast.headteacher)  # queued a moment ago: still on its way
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client_for(cast.headteacher).post(reverse("letters:again", args=[letter.pk]))
    assert callbacks == [] and renders.job_for(letter).attempts == 1


@pytest.mark.parametrize("who", ["staff", "governor", "office", "parent", "other_headteacher"])
def test_make_it_again_is_404_for_everyone_else(cast, letter, client_for, monkeypatch, who):
    break_renders(monkeypatch)
    with pytest.raises(RuntimeError):
        actions.request_preview(letter=letter)
        from incidents.letters.tasks import render_letter

        render_letter(letter.pk, letter.revision)
    response = client_for(getattr(cast, who)).post(reverse("letters:again", args=[letter.pk]))
    assert response.status_code == 404
    assert renders.job_for(letter).state == RenderJob.State.FAILED


def test_a_failed_bundle_is_built_again_once(cast, case, client_for, monkeypatch, django_capture_on_commit_callbacks):
    from incidents.letters import bundles

    real = bundles.build_zip

    def broken(incident):
        raise OSError("Storage was unreachable")

    monkeypatch.setattr(bundles, "build_zip", broken)
    incident, _ = case
    with pytest.raises(OSError), django_capture_on_commit_callbacks(execute=True):
        bundle = actions.request_bundle(incident=incident, by=cast.headteacher)
    bundle = EvidenceBundle.objects.get(incident=incident)
    client = client_for(cast.headteacher)
    assert "Make it again" in client.get(reverse("letters:bundle_detail", args=[bundle.pk])).content.decode()

    monkeypatch.setattr(bundles, "build_zip", real)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("letters:bundle_again", args=[bundle.pk]))
        client.post(reverse("letters:bundle_again", args=[bundle.pk]))
    bundle.refresh_from_db()
    assert bundle.state == RenderState.READY and bundle.sha256
    assert renders.job_for(bundle).attempts == 2
    assert client_for(cast.staff).post(reverse("letters:bundle_again", args=[bundle.pk])).status_code == 404
