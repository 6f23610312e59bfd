"""Celery tasks: small and idempotent, calling actions."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def retention_sweep() -> dict:
    """The daily beat task (CELERY_BEAT_SCHEDULE["retention-review-sweep"]): lists what reached its
    retention date for review. It never destroys anything."""
    from .actions import sweep_all

    return sweep_all()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=8)
def delete_stored_files(names: list[str]) -> int:
    """Remove destroyed records' files from storage (the local folder or the S3 bucket). Deleting
    a file already gone is not an error, so a retry after a partial run is safe."""
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)
    return len(names)


@shared_task(acks_late=True)
def sar_reminder_sweep() -> dict:
    """The daily beat task (CELERY_BEAT_SCHEDULE["subject-access-reminders"])."""
    from .sar_actions import run_reminder_sweep

    result = run_reminder_sweep()
    return {"considered": result.considered, "reminders": result.reminders}


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=3)
def build_sar_release(release_id: int) -> str:
    """Render the summary PDF once, then build the release ZIP once (both via store_once).
    Run twice, it builds nothing twice."""
    import logging

    from django.utils import timezone

    from schoolsocial.lib.pdf import image_data_uri, render_pdf
    from schoolsocial.lib.store_once import store_once

    from . import release
    from .sar_models import ReleaseState, SarRelease

    made = SarRelease.objects.select_related("request__school").filter(pk=release_id).first()
    if made is None or made.file:
        return "skipped"
    sar = made.request
    SarRelease.objects.filter(pk=release_id).update(state=ReleaseState.BUILDING)
    try:
        answer = release.answer_for(sar)

        def render() -> bytes:
            context = release.summary_context(sar, answer)
            context["logo"] = image_data_uri(sar.school.logo)
            return render_pdf("dataprotection/pdf/sar_summary.html", context)

        summary = store_once(
            made,
            render=render,
            filename=f"{sar.reference}-summary.pdf",
            file_field="summary_pdf",
            sha256_field="summary_sha256",
        )
        if summary is None:
            return "skipped"
        with made.summary_pdf.storage.open(summary.name, "rb") as handle:
            summary_bytes = handle.read()
        built: dict[str, int] = {}

        def build() -> bytes:
            content, built["file_count"] = release.build_zip(sar, answer, summary_bytes)
            return content

        stored = store_once(
            made,
            render=build,
            filename=f"{sar.reference}-release.zip",
            file_field="file",
            sha256_field="sha256",
            also=lambda content: {
                "size": len(content),
                "file_count": built["file_count"],
                "state": ReleaseState.READY,
                "built_at": timezone.now(),
            },
        )
    except Exception as error:
        logging.getLogger(__name__).exception("Release %s could not be built", release_id)
        SarRelease.objects.filter(pk=release_id).update(state=ReleaseState.FAILED, error=str(error)[:300])
        raise
    return "built" if stored and stored.stored_now else "skipped"
