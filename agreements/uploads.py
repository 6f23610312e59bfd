"""Checks a scanned paper form by its content, not its name, before it is stored.

Accepted: PNG, JPEG or WebP images that Pillow can decode within a pixel limit, and PDF files
that start with `%PDF-` and that pypdf can read. Anything else, or anything larger than
settings.MAX_UPLOAD_BYTES, is refused with a message for the person uploading it.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat

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


def check_scan(upload) -> CheckedUpload:
    if upload is None:
        raise ValidationError("Choose the scanned form to upload.")
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(f"This file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}.")
    content = b"".join(upload.chunks())
    if not content:
        raise ValidationError("This file is empty.")
    if content.startswith(b"%PDF-"):
        content_type, extension = _check_pdf(content), "pdf"
    else:
        content_type, extension = _check_image(content)
    return CheckedUpload(content, content_type, extension, hashlib.sha256(content).hexdigest())


def _check_pdf(content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if len(reader.pages) < 1:
            raise ValidationError("This PDF has no pages.")
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise ValidationError("This PDF could not be read. Try scanning the form again.") from error
    except Exception as error:  # noqa: BLE001 - pypdf raises many kinds of error on broken files
        raise ValidationError("This PDF could not be read. Try scanning the form again.") from error
    return "application/pdf"


def _check_image(content: bytes) -> tuple[str, str]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format
            if kind not in IMAGE_TYPES:
                raise ValidationError(UNSUPPORTED)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError("This image is too large to store. Scan at a lower resolution.")
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()  # verify() does not decode the pixels; a truncated file fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise ValidationError(UNSUPPORTED) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError("This image could not be read. Try scanning the form again.") from error
    return IMAGE_TYPES[kind]
