"""Every rendered document is stored once (schoolsocial.lib.store_once): two renders of the same
record, even one finishing while the other is still rendering, leave one file and one SHA-256,
and the first stored file is never replaced."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from django.db import models
from django.utils import timezone

from agreements import actions as agreement_actions
from agreements import documents
from agreements.models import SignedCopy
from complaints import actions as complaint_actions
from complaints import tasks as complaint_tasks
from incidents.letters import actions as letter_actions
from incidents.letters import bundles
from incidents.letters import tasks as letter_tasks
from incidents.letters.models import LetterKind
from notifications.models import Notification
from policies import tasks as policy_tasks
from schoolsocial.lib.store_once import forget_if_missing, store_once
from tests.agreements.conftest import CONTENT, sign
from tests.complaints.conftest import raise_complaint, to_panel
from tests.letters.builders import make_case
from tests.policies.helpers import approved_policy

pytestmark = pytest.mark.django_db


@dataclass
class Document:
    row: models.Model
    render_again: Callable[[], object]  # what a second worker (or a page) does
    module: ModuleType  # where the render function is looked up
    render_name: str
    file_field: str
    sha256_field: str


def final_letter(cast) -> Document:
    incident, step = make_case(cast)
    letter = letter_actions.create_letter(
        incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher
    )
    letter = letter_actions.finalise(letter=letter, by=cast.headteacher)
    return Document(
        letter,
        lambda: letter_tasks.render_letter(letter.pk, letter.revision),
        letter_tasks,
        "letter_pdf",
        "pdf",
        "pdf_sha256",
    )


def referral_bundle(cast) -> Document:
    incident, _ = make_case(cast)
    bundle = letter_actions.request_bundle(incident=incident, by=cast.headteacher)
    return Document(bundle, lambda: letter_tasks.build_bundle(bundle.pk), bundles, "build_zip", "file", "sha256")


def panel_letter(cast) -> Document:
    complaint = to_panel(raise_complaint(cast), cast.headteacher)
    record = complaint_actions.record_panel_decision(
        complaint=complaint,
        by=cast.governor,
        meeting_date=timezone.localdate(),
        members="Geoff Governor",
        decision="not_upheld",
        reasons="The school followed its policy.",
    )
    record = complaint_actions.finalise_panel_letter(record=record, by=cast.governor)
    return Document(
        record,
        lambda: complaint_tasks.render_panel_letter(record.pk),
        complaint_actions,
        "render_pdf",
        "letter",
        "letter_sha256",
    )


def policy_pdf(cast) -> Document:
    version = approved_policy(cast.school, cast.headteacher)
    return Document(
        version, lambda: policy_tasks.render_version_pdf(version.pk), policy_tasks, "render_pdf", "pdf", "pdf_sha256"
    )


def signed_copy(cast) -> Document:
    draft = agreement_actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    version = agreement_actions.publish(draft, by=cast.headteacher, ask_parents=False)
    signature = sign(cast, version, send_copy=False)
    row, _ = SignedCopy.objects.get_or_create(signature=signature)
    return Document(
        row, lambda: documents.ensure_signed_copy(signature), documents, "render_signed_copy", "file", "sha256"
    )


def governors_report(cast) -> Document:
    today = timezone.localdate()
    report = complaint_actions.request_termly_report(
        school=cast.school, by=cast.headteacher, start=today - timedelta(days=90), end=today
    )
    return Document(
        report,
        lambda: complaint_tasks.render_termly_report(report.pk),
        complaint_tasks,
        "render_pdf",
        "pdf",
        "pdf_sha256",
    )


PLACES = [final_letter, referral_bundle, panel_letter, policy_pdf, signed_copy, governors_report]


@pytest.fixture
def storage_dir(tmp_path) -> Path:
    return tmp_path  # every test's private storage (tests/conftest.py)


def files_in(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()}


@pytest.mark.parametrize("place", PLACES, ids=lambda place: place.__name__)
def test_two_renders_of_the_same_record_leave_one_file_and_one_hash(cast, storage_dir, monkeypatch, place):
    document = place(cast)  # the render task queued by the action has not run (nothing commits)
    before = files_in(storage_dir)
    real_render = getattr(document.module, document.render_name)
    renders = []

    def render_while_another_worker_finishes_first(*args, **kwargs):
        renders.append(1)
        if len(renders) == 1:
            document.render_again()  # the second worker renders and stores while this one renders
        return real_render(*args, **kwargs)

    monkeypatch.setattr(document.module, document.render_name, render_while_another_worker_finishes_first)
    document.render_again()
    document.render_again()  # a third time, after both: nothing to do

    assert len(renders) == 2  # the late render ran, but its file was not kept
    [stored] = files_in(storage_dir) - before
    document.row.refresh_from_db()
    assert getattr(document.row, document.file_field).name == stored.relative_to(storage_dir).as_posix()
    assert getattr(document.row, document.sha256_field) == hashlib.sha256(stored.read_bytes()).hexdigest()


def test_the_panel_letter_is_emailed_once_however_often_it_is_rendered(cast, storage_dir, monkeypatch):
    document = panel_letter(cast)
    document.render_again()
    document.render_again()
    assert Notification.objects.filter(template="complaint-panel-letter").count() == 1


def test_the_first_stored_file_is_never_replaced(cast, storage_dir):
    version = policy_pdf(cast).row
    first = store_once(version, render=lambda: b"%PDF first", filename="a.pdf")
    second = store_once(version, render=lambda: pytest.fail("rendered again"), filename="b.pdf")
    assert first.stored_now and not second.stored_now
    assert (second.name, second.sha256) == (first.name, hashlib.sha256(b"%PDF first").hexdigest())
    assert [path.name for path in files_in(storage_dir)] == [Path(first.name).name]


def test_a_render_that_fails_stores_nothing_and_the_next_one_stores(cast, storage_dir):
    version = policy_pdf(cast).row

    def broken() -> bytes:
        raise OSError("fonts missing")

    with pytest.raises(OSError):
        store_once(version, render=broken, filename="a.pdf")
    version.refresh_from_db()
    assert not version.pdf and not version.pdf_sha256
    assert store_once(version, render=lambda: b"%PDF", filename="a.pdf").stored_now


def test_a_file_lost_from_storage_is_made_again(cast, storage_dir):
    version = policy_pdf(cast).row
    first = store_once(version, render=lambda: b"%PDF old", filename="a.pdf")
    assert forget_if_missing(version) is False  # still there: kept
    (storage_dir / first.name).unlink()
    assert forget_if_missing(version) is True
    again = store_once(version, render=lambda: b"%PDF new", filename="a.pdf")
    assert again.stored_now and again.sha256 == hashlib.sha256(b"%PDF new").hexdigest()
