"""files.staging: the one way a file enters storage."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from files import staging
from files.models import StagedUpload
from incidents.models import Evidence
from schoolsocial.lib.uploads import inspect_upload
from tests.incidents.conftest import upload

pytestmark = pytest.mark.django_db


def _stage(cast, user=None, token=None, name="shot.png") -> StagedUpload:
    item = upload(name)
    return staging.stage(
        school=cast.school,
        user=user or cast.parent,
        form_token=token or uuid.uuid4(),
        upload=item,
        facts=inspect_upload(item),
    )


def test_a_staged_file_is_stored_under_a_random_name_with_the_detected_type(cast):
    staged = _stage(cast, name="evidence.html")
    assert staged.file.name.startswith(f"staged/{cast.school.pk}/")
    assert staged.file.name.endswith(".png") and "evidence" not in staged.file.name
    assert staged.original_name == "evidence.html" and staged.content_type == "image/png"


def test_staged_files_are_found_only_by_their_owner_school_and_form(cast):
    token = uuid.uuid4()
    mine = _stage(cast, token=token)
    _stage(cast, user=cast.other_parent, token=token)
    _stage(cast, token=uuid.uuid4())
    assert staging.staged_for(user=cast.parent, school=cast.school, form_token=token) == [mine]
    assert staging.staged_for(user=cast.parent, school=cast.other_school, form_token=token) == []
    assert staging.staged_for(user=cast.parent, school=cast.school, form_token=None) == []


def test_promote_copies_the_same_bytes_into_the_record_and_drops_the_staged_copy(
    cast, file_report, django_capture_on_commit_callbacks
):
    incident = file_report()
    staged = _stage(cast)
    staged_name = staged.file.name
    with staged.file.open("rb") as handle:
        original = handle.read()
    evidence = Evidence(school=cast.school, incident=incident, uploaded_by=cast.parent)
    with django_capture_on_commit_callbacks(execute=True):
        staging.promote(staged, evidence)
        evidence.save()
    assert evidence.file.name.startswith(f"evidence/{cast.school.pk}/")
    with evidence.file.open("rb") as handle:
        assert handle.read() == original
    assert evidence.sha256 == staged.sha256 and evidence.width == staged.width
    assert not StagedUpload.objects.exists()
    assert not evidence.file.storage.exists(staged_name)


def test_promote_refuses_a_staged_file_whose_bytes_changed(cast, file_report):
    incident = file_report()
    staged = _stage(cast)
    storage = staged.file.storage
    storage.delete(staged.file.name)
    storage.save(staged.file.name, ContentFile(b"\x89PNG\r\n\x1a\nnot what was inspected"))
    evidence = Evidence(school=cast.school, incident=incident, uploaded_by=cast.parent)
    with pytest.raises(staging.FileChanged, match="changed after it was checked"):
        staging.promote(staged, evidence)
    assert (
        StagedUpload.objects.filter(pk=staged.pk).exists() and not Evidence.objects.filter(incident=incident).exists()
    )


def test_nobody_can_discard_someone_elses_staged_file(cast, django_capture_on_commit_callbacks):
    token = uuid.uuid4()
    theirs = _stage(cast, user=cast.other_parent, token=token)
    with django_capture_on_commit_callbacks(execute=True):
        staging.discard(user=cast.parent, form_token=token, pk=theirs.pk)
    assert StagedUpload.objects.filter(pk=theirs.pk).exists()
    assert theirs.file.storage.exists(theirs.file.name)


def test_stale_staged_uploads_are_removed_but_evidence_is_kept(cast, file_report):
    kept = file_report(files=1).evidence.get()
    staged = _stage(cast, name="forgotten.png")
    fresh = _stage(cast, name="still-typing.png")
    StagedUpload.objects.filter(pk=staged.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert staging.discard_stale() == 1
    assert not staged.file.storage.exists(staged.file.name)
    assert fresh.file.storage.exists(fresh.file.name)
    assert kept.file.storage.exists(kept.file.name)
