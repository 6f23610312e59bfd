"""Checks a scanned paper form by its content, not its name, before it is stored.

Accepted: what schoolsocial.lib.uploads accepts for evidence (PNG, JPEG or WebP pictures within its
pixel limit, readable PDFs, up to settings.MAX_UPLOAD_BYTES). Anything else is refused with a
message for the person uploading it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from schoolsocial.lib.uploads import EXTENSIONS

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


def scan_from_staged(staged) -> CheckedUpload:
    """The scan staged on the paper-signature form (files.staging), its bytes checked again."""
    from files.staging import checked_content

    content = checked_content(staged)
    return CheckedUpload(content, staged.content_type, EXTENSIONS[staged.content_type], staged.sha256)
