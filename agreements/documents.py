"""The signed copy as PDF, kept in private storage."""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from schoolsocial.lib.downloads import download_name as lib_download_name
from schoolsocial.lib.pdf import image_data_uri, render_pdf

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
    existing = SignedCopy.objects.filter(signature=signature).first()
    if existing is not None and default_storage.exists(existing.file.name):
        return existing
    pdf = render_signed_copy(signature)
    name = default_storage.save(f"agreements/signed/{signature.school_id}/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
    digest = hashlib.sha256(pdf).hexdigest()
    if existing is not None:  # the file went missing: point the record at the fresh one
        SignedCopy.objects.filter(pk=existing.pk).update(file=name, sha256=digest)
        existing.refresh_from_db()
        return existing
    try:
        with transaction.atomic():
            return SignedCopy.objects.create(signature=signature, file=name, sha256=digest)
    except IntegrityError:
        default_storage.delete(name)  # another worker rendered it first
        return SignedCopy.objects.get(signature=signature)
