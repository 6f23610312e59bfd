"""Background work for letters: PDF renders, referral bundles, the daily step-reminder sweep.

Each task is idempotent: run twice (a redelivery after a worker died), it does the work once or
harmlessly again, never a second email or a second stored PDF for a final letter: final letters
and bundles are stored by `schoolsocial.lib.store_once`.
"""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from files import renders
from schoolsocial.lib.store_once import store_once

from . import bundles
from .models import EvidenceBundle, Letter, LetterStatus, RenderState
from .rendering import letter_pdf

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def render_letter(letter_id: int, revision: int) -> str:
    """Make the PDF of a draft (a preview of `revision`) or of a final letter (stored for good)."""
    with renders.running(Letter, letter_id, revision):
        return _render_letter(letter_id, revision)


def _render_letter(letter_id: int, revision: int) -> str:
    letter = Letter.objects.select_related("school", "incident").filter(pk=letter_id).first()
    if letter is None:
        return "missing"
    if letter.is_final and letter.pdf:
        return "already stored"
    if not letter.is_final and letter.revision != revision:
        return "stale"  # the draft changed since; a newer render was (or will be) asked for
    Letter.objects.filter(pk=letter_id).update(render_state=RenderState.RENDERING)
    if letter.is_final:
        stored = store_once(
            letter,
            render=partial(_render, letter),
            filename=letter.filename,
            only_if=Q(status=LetterStatus.FINAL),
            also={"render_state": RenderState.READY, "rendered_revision": F("revision")},
        )
        return "stored" if stored and stored.stored_now else "already stored"
    content = _render(letter)
    # A draft's preview is not kept for good: it is replaced by each newer revision's.
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.is_final or letter.revision != revision:
            return "stale"
        old = letter.preview_pdf.name
        letter.preview_pdf.save(letter.filename, ContentFile(content), save=False)
        letter.render_state = RenderState.READY
        letter.rendered_revision = revision
        letter.save(update_fields=["preview_pdf", "render_state", "rendered_revision"])
    if old:
        letter.preview_pdf.storage.delete(old)
    return "preview"


def _render(letter: Letter) -> bytes:
    try:
        return letter_pdf(letter)
    except Exception as error:  # a broken render must show on the page, not spin for ever
        logger.exception("Letter %s could not be rendered", letter.pk)
        Letter.objects.filter(pk=letter.pk).update(render_state=RenderState.FAILED, render_error=str(error)[:300])
        raise


@shared_task(acks_late=True)
def build_bundle(bundle_id: int) -> str:
    with renders.running(EvidenceBundle, bundle_id):
        return _build_bundle(bundle_id)


def _build_bundle(bundle_id: int) -> str:
    bundle = (
        EvidenceBundle.objects.select_related("incident__school", "incident__platform").filter(pk=bundle_id).first()
    )
    if bundle is None or bundle.file:
        return "skipped"
    EvidenceBundle.objects.filter(pk=bundle_id).update(state=RenderState.RENDERING)
    built: dict[str, int] = {}

    def build() -> bytes:
        try:
            content, built["file_count"] = bundles.build_zip(bundle.incident)
        except Exception as error:
            logger.exception("Bundle %s could not be built", bundle_id)
            EvidenceBundle.objects.filter(pk=bundle_id).update(state=RenderState.FAILED, error=str(error)[:300])
            raise
        return content

    stored = store_once(
        bundle,
        render=build,
        filename=bundle.filename,
        file_field="file",
        sha256_field="sha256",
        also=lambda content: {
            "size": len(content),
            "file_count": built["file_count"],
            "state": RenderState.READY,
            "built_at": timezone.now(),
        },
    )
    return "built" if stored and stored.stored_now else "skipped"
