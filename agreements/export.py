"""The coverage spreadsheet: every family asked to sign, one row each, streamed.

Two queries whatever the school's size: the latest record of each family for the current
version (read once, into a small dict), then the families themselves, read in chunks and written
out as they arrive, so a trust with 50,000 families neither waits for the whole file nor holds it
in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

from accounts.models import Relationship, School
from schoolsocial.lib.spreadsheet import csv_safe

from . import queries
from .models import AgreementVersion, Signature, SignatureKind, SignatureMethod

HEADER = [
    "Class",
    "Child",
    "Parent or carer",
    "Email",
    "Relationship",
    "Status",
    "Signed (UK time)",
    "How",
    "Asked since",
    "Days waiting",
]

CHUNK = 2000


def latest_records(version: AgreementVersion | None, school: School, class_id: int | None) -> dict:
    """(parent_id, pupil_id) -> (kind, signed_at, method) of the latest record that counts for
    `version` (any version of its round). One query."""
    if version is None:
        return {}
    records = Signature.objects.filter(version__signing_round_id=version.round_id, school=school)
    if class_id is not None:
        records = records.filter(pupil__school_class_id=class_id)
    latest: dict[tuple[int, int], tuple[str, datetime, str]] = {}
    for parent_id, pupil_id, kind, signed_at, method in (
        records.order_by("pk").values_list("parent_id", "pupil_id", "kind", "signed_at", "method").iterator(CHUNK)
    ):
        latest[(parent_id, pupil_id)] = (kind, signed_at, method)  # a later record replaces an earlier one
    return latest


def coverage_rows(
    school: School, version: AgreementVersion | None, class_id: int | None = None, now: datetime | None = None
) -> Iterator[list[str]]:
    """The header, then one row per family, every cell already safe for a spreadsheet."""
    now = now or timezone.now()
    latest = latest_records(version, school, class_id)
    links = queries.family_links(school).order_by(
        "pupil__school_class__name", "pupil__last_name", "pupil__first_name", "parent__full_name", "pk"
    )
    if class_id is not None:
        links = links.filter(pupil__school_class_id=class_id)
    # Plain tuples rather than model instances: a third of the time at 50,000 rows.
    columns = links.values_list(
        "parent_id",
        "pupil_id",
        "pupil__school_class__name",
        "pupil__first_name",
        "pupil__last_name",
        "parent__full_name",
        "parent__email",
        "relationship",
        "created_at",
    )
    relationships = dict(Relationship.choices)
    yield HEADER
    for parent_id, pupil_id, class_name, first, last, parent_name, email, relationship, linked_at in columns.iterator(
        chunk_size=CHUNK
    ):
        kind, signed_at, method = latest.get((parent_id, pupil_id), (None, None, None))
        is_signed = kind == SignatureKind.SIGNED
        if is_signed:
            status = "Signed"
        elif kind == SignatureKind.WITHDRAWN:
            status = "Withdrawn"
        else:
            status = "Not signed"
        asked = queries.asked_since(version, linked_at) if version else None
        yield [
            csv_safe(class_name or ""),
            csv_safe(f"{first} {last}"),
            csv_safe(parent_name),
            csv_safe(email),
            relationships.get(relationship, relationship),
            status,
            timezone.localtime(signed_at).strftime("%d/%m/%Y %H:%M") if is_signed else "",
            ("Paper form" if method == SignatureMethod.PAPER else "Online") if is_signed else "",
            timezone.localtime(asked).strftime("%d/%m/%Y") if asked else "",
            str((now - asked).days) if asked and not is_signed else "",
        ]


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def coverage_csv_lines(school: School, version: AgreementVersion | None, class_id: int | None = None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in coverage_rows(school, version, class_id):
        yield writer.writerow(row)
