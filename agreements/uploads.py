"""Checks a scanned paper form by its content, not its name, before it is stored.

Accepted: what schoolsocial.lib.uploads accepts for evidence (PNG, JPEG or WebP pictures within its
pixel limit, readable PDFs, up to settings.MAX_UPLOAD_BYTES). Anything else is refused with a
message for the person uploading it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from schoolsocial.lib.uploads import EXTENSIONS, inspect_upload

UNSUPPORTED = "Upload a photo or scan of the signed form as a PDF, PNG, JPEG or WebP file."


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str
    extension: str
    sha256: str

    def save(self, prefix: str) -> str:
        """Store under a random name in private storage; returns the storage name."""
        return default_storage.save(f"{prefix}/{uuid.uuid4().hex}.{self.extension}", ContentFile(self.content))

    @staticmethod
    def discard(name: str) -> None:
        default_storage.delete(name)


def check_scan(upload) -> CheckedUpload:
    """A scanned paper form, checked by its content with the same inspector as incident evidence
    (which also catches truncated pictures, whatever Pillow's global settings say)."""
    if upload is None:
        raise ValidationError("Choose the scanned form to upload.")
    if upload.size == 0:
        raise ValidationError("This file is empty.")
    facts = inspect_upload(upload)
    upload.seek(0)
    content = b"".join(upload.chunks())
    return CheckedUpload(
        content, facts.content_type, EXTENSIONS[facts.content_type], hashlib.sha256(content).hexdigest()
    )
