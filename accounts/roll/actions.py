"""The steps of an import, each a small write: upload -> (match columns) -> preview -> confirm -> apply.

    uploaded --unknown headings--> mapping --office matches them--> previewing
    uploaded --all known---------------------------------------->  previewing --task--> previewed
    previewed --confirm--> applying --task--> applied    (or back to previewed when the roll
                                                          changed since the preview)
    mapping / previewed --discard--> discarded

The preview and the apply run as Celery tasks (in-process when no broker is configured), so a
secondary school's 1,500 pupils never hold a request open. Nothing reaches the roll before the
apply, and the apply is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from schoolsocial.lib.tasks import enqueue_on_commit

from . import columns, parsing, preview
from .apply import apply_plan
from .models import ColumnMapping, RollImport

Status = RollImport.Status


class ImportNotReady(Exception):
    """The import is not in the state this step needs (already confirmed, discarded...)."""


@dataclass
class FileColumns:
    kind: str
    headings: list[str]
    unknown: list[str]
    missing: list[str]


def max_bytes() -> int:
    return settings.ROLL_IMPORT_MAX_BYTES


def remembered(school, kind: str) -> dict[str, str]:
    mapping = ColumnMapping.objects.filter(school=school, kind=kind).first()
    return dict(mapping.columns) if mapping else {}


def read_upload(data: bytes) -> str:
    """Decode and check an uploaded file is a CSV table (raises parsing.FileProblem)."""
    text = parsing.decode(data, max_bytes=max_bytes())
    parsing.read_table(text)
    return text


def file_columns(school, kind: str, text: str) -> FileColumns:
    table = parsing.read_table(text)
    by_column, unknown = parsing.match_columns(kind, table.headings, remembered(school, kind))
    return FileColumns(kind, table.headings, unknown, parsing.missing_fields(kind, by_column))


def columns_of(roll_import: RollImport) -> list[FileColumns]:
    found = [file_columns(roll_import.school, columns.PUPILS, roll_import.pupils_text)]
    if roll_import.contacts_text:
        found.append(file_columns(roll_import.school, columns.CONTACTS, roll_import.contacts_text))
    return found


@transaction.atomic
def start_import(
    *, school, by, pupils_name: str, pupils_text: str, contacts_name: str = "", contacts_text: str = ""
) -> RollImport:
    """Keep the checked files and either ask for the unknown columns or queue the preview."""
    roll_import = RollImport.objects.create(
        school=school,
        created_by=by,
        pupils_filename=pupils_name[:200],
        pupils_text=pupils_text,
        contacts_filename=contacts_name[:200],
        contacts_text=contacts_text,
        status=Status.NEEDS_MAPPING,
    )
    if not any(found.unknown or found.missing for found in columns_of(roll_import)):
        _queue_preview(roll_import)
    return roll_import


@transaction.atomic
def save_mapping(roll_import: RollImport, choices: dict[str, dict[str, str]]) -> RollImport:
    """Remember the office's choices for this school (heading -> field, "" to leave out) and preview.

    Raises parsing.FileProblem when the choices put two columns on one field."""
    roll_import = RollImport.objects.select_for_update().get(pk=roll_import.pk)
    if roll_import.status != Status.NEEDS_MAPPING:
        raise ImportNotReady("These columns have been matched already.")
    for kind, chosen in choices.items():
        mapping, _ = ColumnMapping.objects.get_or_create(school=roll_import.school, kind=kind)
        mapping.columns = {**mapping.columns, **{columns.normalise_heading(h): f for h, f in chosen.items()}}
        mapping.save()
    found = columns_of(roll_import)  # raises FileProblem for two columns on one field
    missing = [label for f in found for label in f.missing]
    if missing:
        raise parsing.FileProblem("Still missing: " + ", ".join(missing) + ". Choose a column for each.")
    _queue_preview(roll_import)
    return roll_import


def _queue_preview(roll_import: RollImport) -> None:
    from .tasks import preview_roll_import

    roll_import.status = Status.PREVIEWING
    roll_import.error = ""
    roll_import.save(update_fields=["status", "error"])
    enqueue_on_commit(preview_roll_import, roll_import.pk)


def rows(roll_import: RollImport, kind: str) -> list[parsing.Row] | None:
    text = roll_import.pupils_text if kind == columns.PUPILS else roll_import.contacts_text
    if not text:
        return None
    table = parsing.read_table(text)
    by_column, unknown = parsing.match_columns(kind, table.headings, remembered(roll_import.school, kind))
    return parsing.rows_of(table, by_column)


def work_out(roll_import: RollImport) -> preview.Plan:
    return preview.plan(
        roll_import.school, rows(roll_import, columns.PUPILS) or [], rows(roll_import, columns.CONTACTS)
    )


def run_preview(import_id: int) -> str:
    """Work out the preview and keep it on the import. Safe to run twice."""
    roll_import = RollImport.objects.select_related("school").filter(pk=import_id).first()
    if roll_import is None or roll_import.status != Status.PREVIEWING:
        return "skipped"
    try:
        summary = work_out(roll_import).summary()
    except parsing.FileProblem as problem:
        RollImport.objects.filter(pk=import_id, status=Status.PREVIEWING).update(
            status=Status.FAILED, error=str(problem), pupils_text="", contacts_text=""
        )
        return "failed"
    RollImport.objects.filter(pk=import_id, status=Status.PREVIEWING).update(status=Status.PREVIEWED, preview=summary)
    return "previewed"


def confirm(roll_import: RollImport, by) -> None:
    """previewed -> applying, once: a second click (or a second person) finds it already moving."""
    from .tasks import apply_roll_import

    with transaction.atomic():
        moved = RollImport.objects.filter(pk=roll_import.pk, status=Status.PREVIEWED).update(
            status=Status.APPLYING, applied_by=by, error=""
        )
        if not moved:
            raise ImportNotReady("This import has already been confirmed, or was discarded.")
        enqueue_on_commit(apply_roll_import, roll_import.pk)


def run_apply(import_id: int) -> str:
    """Write the import in one transaction, unless the roll changed since the preview."""
    with transaction.atomic():
        roll_import = RollImport.objects.select_for_update(of=("self",)).select_related("school", "applied_by").get(pk=import_id)
        if roll_import.status != Status.APPLYING:
            return "skipped"
        fresh = work_out(roll_import)
        if fresh.counts() != roll_import.preview.get("counts"):
            roll_import.status = Status.PREVIEWED
            roll_import.preview = fresh.summary()
            roll_import.error = (
                "The pupils on the portal changed after this preview was made (someone may have edited a "
                "pupil), so nothing was imported. The preview below is up to date: check it and confirm again."
            )
            roll_import.save(update_fields=["status", "preview", "error"])
            return "changed"
        written = apply_plan(roll_import.school, fresh, roll_import=roll_import, by=roll_import.applied_by)
        roll_import.result = {**fresh.summary(), "written": written}
        roll_import.status = Status.APPLIED
        roll_import.applied_at = timezone.now()
        roll_import.pupils_text = roll_import.contacts_text = ""
        roll_import.save()
    return "applied"


@transaction.atomic
def discard(roll_import: RollImport) -> None:
    moved = RollImport.objects.filter(
        pk=roll_import.pk, status__in=[Status.NEEDS_MAPPING, Status.PREVIEWED, Status.FAILED]
    ).update(status=Status.DISCARDED, pupils_text="", contacts_text="", preview={})
    if not moved:
        raise ImportNotReady("This import can no longer be discarded.")
