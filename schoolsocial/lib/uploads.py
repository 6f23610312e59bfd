"""Deciding what an uploaded file really is, by reading it, never by trusting its name.

Accepted: PNG, JPEG and WebP pictures and PDF documents, up to settings.MAX_UPLOAD_BYTES. A
picture must open fully (a truncated file is refused) and stay within MAX_PIXELS, so a tiny file
that would expand into gigabytes of pixels (a "decompression bomb") is refused before it is decoded.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

# 40 million pixels: a full-page phone screenshot is about 1,200 x 20,000; a photo 4,000 x 3,000.
MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
# The one map from an accepted content type to the extension its stored copy gets.
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "application/pdf": "pdf"}
ACCEPTED_HELP = gettext_lazy("Please upload a screenshot (PNG, JPEG or WebP) or a PDF.")


@dataclass(frozen=True)
class Inspected:
    content_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    has_scripts: bool = False  # a PDF that carries JavaScript (kept as evidence, only ever downloaded)


def sniff(head: bytes) -> str | None:
    """The content type the first bytes announce, or None for anything we do not accept."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def inspect_upload(upload: UploadedFile) -> Inspected:
    """Read the file and say what it is, or raise ValidationError with a message for the person."""
    name = upload.name or "The file"
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"“{name}” is {megabytes(upload.size)}, larger than the {megabytes(limit)} limit. "
            "Try a screenshot of just the post, or save the PDF at a smaller size.",
            code="too_large",
        )
    if not upload.size:
        raise ValidationError(f"“{name}” is empty. Please choose the file again.", code="empty")
    upload.seek(0)
    content_type = sniff(upload.read(16))
    if content_type is None:
        raise ValidationError(
            f"“{name}” is not a picture or PDF we can accept, whatever its name says. {ACCEPTED_HELP}",
            code="unsupported",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    if content_type == "application/pdf":
        pages, has_scripts = _check_pdf(upload, name)
        facts = Inspected(content_type, upload.size, digest.hexdigest(), pages=pages, has_scripts=has_scripts)
    else:
        width, height = _check_image(upload, name, content_type)
        facts = Inspected(content_type, upload.size, digest.hexdigest(), width=width, height=height)
    upload.seek(0)
    return facts


def _check_image(upload: UploadedFile, name: str, content_type: str) -> tuple[int, int]:
    damaged = ValidationError(
        f"“{name}” looks like a picture but could not be read: it may be damaged or only partly "
        "saved. Please take the screenshot again.",
        code="damaged",
    )
    if not _ends_complete(upload, content_type):
        raise damaged
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if IMAGE_FORMATS.get(image.format or "") != content_type:
                    raise damaged
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(name, width, height)
                image.verify()  # checks the file's structure to its end marker, without decoding
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()  # decodes every pixel: a file cut short fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels(name) from error
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise damaged from error
    return width, height


def _ends_complete(upload: UploadedFile, content_type: str) -> bool:
    """Does the file reach its format's end? Checked by hand because Pillow's own truncation check
    is a process-wide switch that other libraries (WeasyPrint) turn off."""
    size = upload.size or 0
    upload.seek(0)
    head = upload.read(12)
    upload.seek(max(size - 256, 0))
    tail = upload.read()
    upload.seek(0)
    if content_type == "image/jpeg":
        return b"\xff\xd9" in tail.rstrip(b"\x00\r\n ")[-64:]
    if content_type == "image/png":
        return b"IEND" in tail[-64:]
    if content_type == "image/webp":
        declared = int.from_bytes(head[4:8], "little") + 8
        return declared <= size
    return True


def _too_many_pixels(name: str, width: int | None = None, height: int | None = None) -> ValidationError:
    size = f" ({width:,} × {height:,} pixels)" if width and height else ""
    return ValidationError(
        f"“{name}” is far larger in pixels than any screenshot{size}, so it was not opened. "
        "Please take an ordinary screenshot of the post.",
        code="too_many_pixels",
    )


# How a PDF carries scripts: JavaScript, or an action that launches a program.
_SCRIPT_MARKERS = re.compile(rb"/(JavaScript|JS|Launch)\b")
_SCRIPT_ACTIONS = ("/JavaScript", "/Launch")


def _check_pdf(upload: UploadedFile, name: str) -> tuple[int, bool]:
    """The number of pages, and whether the PDF carries scripts. A PDF with scripts is still
    accepted (it may be the evidence itself); it is recorded as such and only ever downloaded."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                f"“{name}” is protected by a password. Please save a copy without a password and upload that.",
                code="encrypted",
            )
        pages = len(reader.pages)
        has_scripts = _pdf_has_scripts(reader, upload)
    except ValidationError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise ValidationError(
            f"“{name}” starts like a PDF but could not be read: it may be damaged. Please save or export it again.",
            code="damaged",
        ) from error
    if pages < 1:
        raise ValidationError(f"“{name}” has no pages.", code="damaged")
    return pages, has_scripts


def _pdf_has_scripts(reader, upload: UploadedFile) -> bool:
    """Looks in the document's catalogue and pages (which pypdf reads even from compressed object
    streams), and in the raw bytes for anything the structure walk does not reach."""

    def runs_script(action) -> bool:
        action = action.get_object() if action is not None else None
        return hasattr(action, "get") and action.get("/S") in _SCRIPT_ACTIONS

    def any_runs_script(actions) -> bool:  # an /AA dictionary: event name -> action
        actions = actions.get_object() if actions is not None else None
        return hasattr(actions, "values") and any(runs_script(action) for action in actions.values())

    catalog = reader.trailer["/Root"]
    names = catalog.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        return True
    if runs_script(catalog.get("/OpenAction")) or any_runs_script(catalog.get("/AA")):
        return True
    for page in reader.pages:
        if any_runs_script(page.get("/AA")):
            return True
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if runs_script(annotation.get("/A")) or any_runs_script(annotation.get("/AA")):
                return True
    upload.seek(0)
    found = any(_SCRIPT_MARKERS.search(chunk) for chunk in upload.chunks())
    upload.seek(0)
    return found
