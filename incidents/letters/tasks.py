"""Background work for letters: PDF renders, referral bundles, the daily step-reminder sweep.

Each task is idempotent: run twice (a redelivery after a worker died), it does the work once or
harmlessly again, never a second email or a second stored PDF for a final letter.
"""

from __future__ import annotations

import hashlib
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import bundles
from .models import EvidenceBundle, Letter, RenderState
from .rendering import letter_pdf

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def render_letter(letter_id: int, revision: int) -> str:
    """Make the PDF of a draft (a preview of `revision`) or of a final letter (stored for good)."""
    letter = Letter.objects.select_related("school", "incident").filter(pk=letter_id).first()
    if letter is None:
        return "missing"
    if letter.is_final and letter.pdf_sha256:
        return "already stored"
    if not letter.is_final and letter.revision != revision:
        return "stale"  # the draft changed since; a newer render was (or will be) asked for
    Letter.objects.filter(pk=letter_id).update(render_state=RenderState.RENDERING)
    try:
        content = letter_pdf(letter)
    except Exception as error:  # a broken render must show on the page, not spin for ever
        logger.exception("Letter %s could not be rendered", letter_id)
        Letter.objects.filter(pk=letter_id).update(render_state=RenderState.FAILED, render_error=str(error)[:300])
        raise
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.is_final:
            if letter.pdf_sha256:
                return "already stored"
            letter.pdf.save(letter.filename, ContentFile(content), save=False)
            letter.pdf_sha256 = hashlib.sha256(content).hexdigest()
            letter.render_state = RenderState.READY
            letter.rendered_revision = letter.revision
            letter.save(update_fields=["pdf", "pdf_sha256", "render_state", "rendered_revision"])
            return "stored"
        if letter.revision != revision:
            return "stale"
        old = letter.preview_pdf.name
        letter.preview_pdf.save(letter.filename, ContentFile(content), save=False)
        letter.render_state = RenderState.READY
        letter.rendered_revision = revision
        letter.save(update_fields=["preview_pdf", "render_state", "rendered_revision"])
    if old:
        letter.preview_pdf.storage.delete(old)
    return "preview"


@shared_task(acks_late=True)
def build_bundle(bundle_id: int) -> str:
    bundle = (
        EvidenceBundle.objects.select_related("incident__school", "incident__platform").filter(pk=bundle_id).first()
    )
    if bundle is None or bundle.sha256:
        return "skipped"
    EvidenceBundle.objects.filter(pk=bundle_id).update(state=RenderState.RENDERING)
    try:
        content, file_count = bundles.build_zip(bundle.incident)
    except Exception as error:
        logger.exception("Bundle %s could not be built", bundle_id)
        EvidenceBundle.objects.filter(pk=bundle_id).update(state=RenderState.FAILED, error=str(error)[:300])
        raise
    with transaction.atomic():
        bundle = EvidenceBundle.objects.select_for_update().get(pk=bundle_id)
        if bundle.sha256:
            return "skipped"
        bundle.file.save(bundle.filename, ContentFile(content), save=False)
        bundle.sha256 = hashlib.sha256(content).hexdigest()
        bundle.size = len(content)
        bundle.file_count = file_count
        bundle.state = RenderState.READY
        bundle.built_at = timezone.now()
        bundle.save()
    return "built"
