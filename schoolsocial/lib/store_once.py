"""The one way a rendered document (a final letter, a policy PDF, a signed copy, a referral
bundle, a panel letter, a governors' report) is stored: once, with its SHA-256.

    stored = store_once(version, render=lambda: render_pdf(...), filename="policy-v3.pdf",
                        file_field="pdf", sha256_field="pdf_sha256")
    if stored and stored.stored_now: ...  # e.g. email it

The row holds the document in an empty slot: a file field and a SHA-256 field, both blank until
it is stored. `store_once`

1. reads the slot; if it is filled, returns what is there without rendering;
2. renders, saves the bytes to the field's storage under a fresh name;
3. fills the slot with ONE conditional UPDATE (`... WHERE pk = %s AND file = ''`): of two renders
   running at once (a redelivered task, a page asking while the task runs) exactly one UPDATE
   matches; the other deletes its own file and returns the winner's. The first document is never
   overwritten and no second copy is kept. No lock is held while rendering and no cache is
   needed, so it works the same when Redis is down.

A process that dies between 2 and 3 leaves an unreferenced file in storage and an empty slot:
the next render fills the slot. Call inside a transaction to commit the stored document together
with what follows from it (an email); if that transaction rolls back, so does the slot.

Pure: imports no app. The caller passes its row, field names and render function.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.core.files.base import ContentFile
from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class StoredFile:
    name: str  # the name in storage
    sha256: str  # "" for a document stored before its fingerprint was kept
    stored_now: bool  # True if this call stored it; False if it was stored already


def store_once(
    row: models.Model,
    *,
    render: Callable[[], bytes],
    filename: str,
    file_field: str = "pdf",
    sha256_field: str = "pdf_sha256",
    only_if: Q | None = None,
    also: dict[str, Any] | Callable[[bytes], dict[str, Any]] | None = None,
) -> StoredFile | None:
    """Render and store the document in `row`'s empty slot, once. None if the row is gone or no
    longer matches `only_if` (e.g. a letter that is not final). `also` are other columns to set
    in the same UPDATE (a dict, or a function of the bytes)."""
    model = type(row)
    slot = model._default_manager.filter(pk=row.pk).filter(only_if or Q())
    current = _read(slot, file_field, sha256_field)
    if current is None or current.name:
        return current
    content = render()
    field = cast(models.FileField, model._meta.get_field(file_field))
    storage = field.storage
    name = storage.save(field.generate_filename(row, filename), ContentFile(content))
    digest = hashlib.sha256(content).hexdigest()
    extra = also(content) if callable(also) else dict(also or {})
    if not slot.filter(**{file_field: ""}).update(**{file_field: name, sha256_field: digest}, **extra):
        storage.delete(name)  # another render filled the slot first: keep theirs
        return _read(slot, file_field, sha256_field)
    setattr(row, file_field, name)
    setattr(row, sha256_field, digest)
    for column, value in extra.items():
        if not hasattr(value, "resolve_expression"):
            setattr(row, column, value)
    return StoredFile(name, digest, stored_now=True)


def forget_if_missing(row: models.Model, *, file_field: str = "pdf", sha256_field: str = "pdf_sha256") -> bool:
    """Empty the slot if its file is no longer in storage (lost in a restore), so the next
    `store_once` renders it again. Conditional on the same missing name: only one caller empties
    it. True if the slot is (now) empty."""
    model = type(row)
    name = model._default_manager.filter(pk=row.pk).values_list(file_field, flat=True).first()
    if not name:
        return True
    if cast(models.FileField, model._meta.get_field(file_field)).storage.exists(name):
        return False
    model._default_manager.filter(pk=row.pk, **{file_field: name}).update(**{file_field: "", sha256_field: ""})
    return True


def _read(slot: models.QuerySet, file_field: str, sha256_field: str) -> StoredFile | None:
    found = slot.values_list(file_field, sha256_field).first()
    if found is None:
        return None
    name, digest = found
    return StoredFile(name or "", digest or "", stored_now=False)
