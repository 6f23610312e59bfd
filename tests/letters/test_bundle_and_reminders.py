"""The referral bundle and the daily step-reminder sweep."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from incidents import actions as incident_actions
from incidents import reminders
from incidents.letters import actions
from incidents.letters.models import EvidenceBundle, LetterKind
from incidents.models import StepKind, StepReminder
from schoolsocial.lib.uploads import inspect_upload
from tests.incidents.conftest import upload

pytestmark = pytest.mark.django_db


def test_a_bundle_holds_the_evidence_a_chronology_and_a_manifest(
    cast, case, client_for, django_capture_on_commit_callbacks
):
    incident, step = case
    file = upload("screen shot (1).png")
    with django_capture_on_commit_callbacks(execute=True):
        incident_actions.add_evidence(
            incident=incident, by=cast.headteacher, uploads=[(file, inspect_upload(file))], description="Screenshot"
        )
        letter = actions.create_letter(
            incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher
        )
        actions.finalise(letter=letter, by=cast.headteacher)

    client = client_for(cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:bundle_create", args=[incident.pk]))
    bundle = EvidenceBundle.objects.get()
    assert response.url == reverse("letters:bundle_detail", args=[bundle.pk])
    assert client.get(reverse("letters:bundle_status", args=[bundle.pk])).json()["ready"] is True

    download = client.get(reverse("letters:bundle_download", args=[bundle.pk]))
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == bundle.sha256
    assert AccessLog.objects.filter(action="download", object_type="letters.evidencebundle").exists()

    archive = zipfile.ZipFile(io.BytesIO(content))
    manifest = json.loads(archive.read("manifest.json"))
    names = [item["name"] for item in manifest["files"]]
    assert names[0] == f"evidence/evidence-{incident.reference}-1.png"
    assert any(name.startswith("letters/") for name in names)
    assert names[-1] == f"{incident.reference}-chronology.pdf"
    for item in manifest["files"]:
        assert hashlib.sha256(archive.read(item["name"])).hexdigest() == item["sha256"]
    assert archive.read(names[0]) == incident.evidence.get().file.open("rb").read()


def test_bundles_are_404_for_other_schools(cast, case, client_for, django_capture_on_commit_callbacks):
    incident, _ = case
    with django_capture_on_commit_callbacks(execute=True):
        bundle = actions.request_bundle(incident=incident, by=cast.headteacher)
    client = client_for(cast.other_headteacher)
    assert client.get(reverse("letters:bundle_download", args=[bundle.pk])).status_code == 404
    assert client.post(reverse("letters:bundle_create", args=[incident.pk])).status_code == 404


def test_the_sweep_reminds_once_per_step_and_window(cast, case, django_capture_on_commit_callbacks):
    incident, step = case
    today = timezone.localdate()
    step.due_date = today + timedelta(days=1)
    step.save()
    overdue = incident_actions.add_step(
        incident=incident, by=cast.headteacher, kind=StepKind.REMOVAL_REQUEST, due_date=today - timedelta(days=3)
    )
    incident_actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.HEADTEACHER_MEETING, due_date=today)

    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.sweep(today) == 2
        assert reminders.sweep(today) == 0
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == [
        f"Due tomorrow: Written warning ({incident.reference})",
        f"Overdue: Ask the poster to remove it ({incident.reference})",
    ]
    assert mail.outbox[0].to == ["head@example.org"]
    # Next day: the written warning is due that day (no reminder), the removal request was reminded
    # already, and the meeting due today has become overdue.
    assert reminders.sweep(today + timedelta(days=1)) == 1
    # Moving a due date opens a new window.
    overdue.due_date = today - timedelta(days=1)
    overdue.save()
    assert reminders.sweep(today) == 1
    assert StepReminder.objects.count() == 4
