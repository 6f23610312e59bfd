"""The signed copy as PDF, kept in private storage."""

from __future__ import annotations

import uuid

from django.utils.text import slugify

from schoolsocial.lib.downloads import download_name as lib_download_name
from schoolsocial.lib.pdf import image_data_uri, render_pdf
from schoolsocial.lib.store_once import forget_if_missing, store_once

from .models import Signature, SignedCopy


def download_stem(signature: Signature) -> str:
    return f"agreement-{slugify(signature.pupil_name)}-{signature.academic_year.replace('/', '-')}"


def download_name(signature: Signature) -> str:
    return lib_download_name(download_stem(signature), "application/pdf")


def render_signed_copy(signature: Signature) -> bytes:
    school = signature.school
    return render_pdf(
        "agreements/pdf/signed_copy.html",
        {
            "signature": signature,
            "version": signature.version,
            "school": school,
            "logo": image_data_uri(school.logo),
            "text_blocks": text_blocks(signature.text_signed),
        },
    )


def text_blocks(text: str) -> list[dict]:
    """The signed text as paragraphs and bullet lists, for display. The words are unchanged."""
    blocks: list[dict] = []
    for line in text.split("\n"):
        if line.startswith("- "):
            if not blocks or blocks[-1]["kind"] != "list":
                blocks.append({"kind": "list", "items": []})
            blocks[-1]["items"].append(line[2:])
        elif line.strip():
            blocks.append({"kind": "para", "text": line})
    return blocks


def ensure_signed_copy(signature: Signature) -> SignedCopy:
    """The signed copy, rendered and stored once with its SHA-256 (`schoolsocial.lib.store_once`):
    the task after signing and a parent downloading meanwhile keep one file between them. A copy
    whose file has gone from storage is made again."""
    copy, _ = SignedCopy.objects.get_or_create(signature=signature)
    forget_if_missing(copy, file_field="file", sha256_field="sha256")
    store_once(
        copy,
        render=lambda: render_signed_copy(signature),
        filename=f"{signature.school_id}/{uuid.uuid4().hex}.pdf",
        file_field="file",
        sha256_field="sha256",
    )
    copy.refresh_from_db()
    return copy
