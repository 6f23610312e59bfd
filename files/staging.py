"""The one way an uploaded file enters storage.

- `store_upload(record, upload, facts)`: an inspected upload becomes the record's file, under the
  record's own random name (never the uploader's name: it is kept only as `original_name`).
- `stage(...)`: keep an inspected upload against a form's token while the rest of the form is put
  right; `staged_for(...)` finds them again (only this person's, this school's, this form's).
- `promote(staged, record)`: the staged file becomes the record's file. The bytes are copied into
  the record's own folder and their SHA-256 checked against the inspected one on the way, so what is
  stored is exactly what was inspected; the staged copy goes once the transaction commits.
- `discard(...)` and `discard_stale(...)`: staged files given up, by the person or after a day.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import School, User
from schoolsocial.lib.uploads import Inspected

from .models import FileFacts, StagedUpload

STALE_AFTER_HOURS = 24


class FileChanged(Exception):
    """A staged file's bytes no longer match what was inspected; the message says so to the person."""


def facts_fields(facts: Inspected) -> dict:
    return {
        "content_type": facts.content_type,
        "size": facts.size,
        "sha256": facts.sha256,
        "width": facts.width,
        "height": facts.height,
        "pages": facts.pages,
        "has_scripts": facts.has_scripts,
    }


def store_upload(record: FileFacts, upload: UploadedFile, facts: Inspected, *, fallback_name: str = "file") -> None:
    """Give an unsaved record the upload's facts and bytes (the caller saves the record)."""
    for name, value in facts_fields(facts).items():
        setattr(record, name, value)
    record.original_name = (upload.name or fallback_name)[:255]
    upload.seek(0)
    record.file.save(record.original_name, upload, save=False)


def stage(*, school: School, user: User, form_token: uuid.UUID, upload: UploadedFile, facts: Inspected) -> StagedUpload:
    staged = StagedUpload(school=school, uploaded_by=user, form_token=form_token)
    store_upload(staged, upload, facts)
    staged.save()
    return staged


def staged_for(*, user: User, school: School, form_token: uuid.UUID | None) -> list[StagedUpload]:
    """Files this person staged on this very form (their token, their school); nobody else's."""
    if form_token is None:
        return []
    return list(
        StagedUpload.objects.filter(uploaded_by=user, school=school, form_token=form_token).order_by("created_at", "pk")
    )


def staged_for_update(*, user: User, school: School, form_token: uuid.UUID | None) -> list[StagedUpload]:
    """As staged_for, locked: two submits of the same form cannot both promote the same files."""
    if form_token is None:
        return []
    return list(
        StagedUpload.objects.select_for_update()
        .filter(uploaded_by=user, school=school, form_token=form_token)
        .order_by("created_at", "pk")
    )


def checked_content(staged: StagedUpload) -> bytes:
    """The staged file's bytes, if they are still the ones inspected (else FileChanged)."""
    with staged.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != staged.sha256:
        raise FileChanged(f"“{staged.original_name}” changed after it was checked. Please attach it again.")
    return content


def promote(staged: StagedUpload, record: FileFacts) -> None:
    """Copy the staged file into the unsaved `record` (same facts, same bytes, checked), then drop
    the staged row now and its file on commit. The caller saves the record."""
    content = checked_content(staged)
    for name in ("original_name", "content_type", "size", "sha256", "width", "height", "pages", "has_scripts"):
        setattr(record, name, getattr(staged, name))
    record.file.save(staged.original_name or "file", ContentFile(content), save=False)
    name, storage = staged.file.name, staged.file.storage
    staged.delete()
    transaction.on_commit(lambda: storage.delete(name))


def discard(*, user: User, form_token: uuid.UUID | None, pk: int) -> None:
    if form_token is None:  # every staged file has its form's token: nothing to discard
        return
    staged = StagedUpload.objects.filter(uploaded_by=user, form_token=form_token, pk=pk).first()
    if staged is not None:
        name, storage = staged.file.name, staged.file.storage
        staged.delete()
        transaction.on_commit(lambda: storage.delete(name))


def discard_stale(older_than_hours: int = STALE_AFTER_HOURS) -> int:
    """Files staged on a form that was never sent: removed after a day. Records are never touched
    (a promoted file is a copy under the record's own name)."""
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    stale: Iterable[StagedUpload] = list(StagedUpload.objects.filter(created_at__lt=cutoff))
    count = 0
    for staged in stale:
        name, storage = staged.file.name, staged.file.storage
        staged.delete()
        storage.delete(name)
        count += 1
    return count
