"""Destroying a case removes its files from an S3 bucket too (moto's S3 server, in-process)."""

from __future__ import annotations

import pytest

from dataprotection import actions, destruction
from dataprotection.models import ReviewItem
from incidents import actions as incident_actions
from incidents.letters import actions as letter_actions
from incidents.letters.models import LetterKind
from schoolsocial.lib.uploads import inspect_upload
from tests.dataprotection.conftest import closed_years_ago
from tests.incidents.conftest import upload
from tests.letters.builders import make_case
from tests.storage.test_s3_storage import moto_endpoint, s3  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_cases_files_leave_the_bucket(cast, s3, django_capture_on_commit_callbacks):  # noqa: F811
    incident, step = make_case(cast)
    shot = upload("post.png")
    with django_capture_on_commit_callbacks(execute=True):
        incident_actions.add_evidence(incident=incident, by=cast.headteacher, uploads=[(shot, inspect_upload(shot))])
        letter = letter_actions.create_letter(
            incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher
        )
        letter_actions.finalise(letter=letter, by=cast.headteacher)
        letter_actions.request_bundle(incident=incident, by=cast.headteacher)
    keys = s3.stored_keys()
    assert len(keys) >= 3  # the screenshot, the letter's PDF, the bundle

    incident_actions.record_step_outcome(step=step, by=cast.headteacher, outcome="sent")
    incident_actions.change_status(incident=incident, by=cast.headteacher, status="resolved", reason="Removed")
    closed_years_ago(incident, 7, status="closed")
    actions.sweep_school(cast.school)
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the destruction commits
        destruction.destroy_item(item=ReviewItem.objects.get(record_type="incident"), by=cast.headteacher)
    assert s3.stored_keys() == []
