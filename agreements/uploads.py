"""Checks a scanned paper form by its content, not its name, before it is stored.

Accepted: PNG, JPEG or WebP images that Pillow can decode within a pixel limit, and PDF files
that start with `%PDF-` and that pypdf can read. Anything else, or anything larger than
settings.MAX_UPLOAD_BYTES, is refused with a message for the person uploading it.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from schoolsocial.lib.uploads import inspect_upload

MAX_PIXELS = 50_000_000  # a full A4 page at 600 dpi is ~35 million
IMAGE_TYPES = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}
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


EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "application/pdf": "pdf"}


def check_scan(upload) -> CheckedUpload:
    """A scanned paper form, checked by its content with the same inspector as incident evidence
    (which also catches truncated pictures, whatever Pillow's global settings say)."""
    if upload is None:
        raise ValidationError("Choose the scanned form to upload.")
    if upload.size == 0:
        raise ValidationError("This file is empty.")
    facts = inspect_upload(upload)
    if facts.width and facts.height and facts.width * facts.height > MAX_PIXELS:
        raise ValidationError("This image is too large to store. Scan at a lower resolution.")
    upload.seek(0)
    content = b"".join(upload.chunks())
    return CheckedUpload(
        content, facts.content_type, EXTENSIONS[facts.content_type], hashlib.sha256(content).hexdigest()
    )
