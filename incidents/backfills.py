"""Data fixes that migrations run, kept here so tests can call them with the real models."""

from __future__ import annotations

from datetime import datetime

from .models.choices import FINISHED_STATUSES
from .models.incident import seconds_between

BATCH = 2000


def backfill_resolved_at(incident_model, history_model) -> int:
    """Set `resolved_at` on finished incidents that have none, from their audit history.

    The moment is the start of the incident's current finished spell: the first history row in a
    finished status after the last row in an open one (so resolved -> closed keeps the moment it was
    resolved, and a reopened-then-resolved-again incident counts from the second resolution). An
    incident without such history (rows made in bulk) falls back to its last update. Returns how
    many incidents were updated. Takes the models as arguments so a migration can pass historical ones.
    """
    finished = list(FINISHED_STATUSES)
    pending = incident_model.objects.filter(status__in=finished, resolved_at__isnull=True)
    updated = 0
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        moments: dict[int, datetime | None] = {}
        rows = (
            history_model.objects.filter(id__in=chunk)
            .order_by("id", "history_date", "history_id")
            .values_list("id", "status", "history_date")
        )
        for pk, status, when in rows:
            if status in finished:
                if moments.get(pk) is None:
                    moments[pk] = when
            else:
                moments[pk] = None  # reopened: a later finished row starts the spell again
        incidents = list(
            incident_model.objects.filter(pk__in=chunk).only("pk", "created_at", "updated_at", "resolved_at")
        )
        for incident in incidents:
            incident.resolved_at = moments.get(incident.pk) or incident.updated_at
            incident.seconds_to_resolve = seconds_between(incident.created_at, incident.resolved_at)
        # queryset.bulk_update skips save() and auto_now, so updated_at stays as it was. Models from
        # before seconds_to_resolve (the migration that added resolved_at) leave it to a later one.
        fields = ["resolved_at"] + (["seconds_to_resolve"] if _has_field(incident_model, "seconds_to_resolve") else [])
        incident_model.objects.bulk_update(incidents, fields)
        updated += len(incidents)
    return updated


def _has_field(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def backfill_seconds_to_resolve(incident_model) -> int:
    """Set `seconds_to_resolve` from `created_at` and `resolved_at` on every finished incident
    (what Incident.save() keeps for new changes). Returns how many incidents were updated."""
    rows = (
        incident_model.objects.filter(resolved_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "created_at", "resolved_at", "seconds_to_resolve")
    )
    changed = [
        incident_model(pk=pk, seconds_to_resolve=seconds_between(created, resolved))
        for pk, created, resolved, stored in rows.iterator(chunk_size=BATCH)
        if stored != seconds_between(created, resolved)
    ]
    incident_model.objects.bulk_update(changed, ["seconds_to_resolve"], batch_size=BATCH)
    return len(changed)


# What letters wrote on the timeline before they had an entry kind of their own.
LETTER_SUMMARY_STARTS = (
    "Letter drafted:",
    "Letter finalised:",
    "Letter emailed to ",
    "Letter posted:",
    "Letter handed over:",
)


def mark_letter_entries(timeline_model) -> int:
    """Give the timeline entries that letters wrote as notes the "letter" kind. Returns how many."""
    from django.db.models import Q

    match = Q()
    for start in LETTER_SUMMARY_STARTS:
        match |= Q(summary__startswith=start)
    return timeline_model.objects.filter(match, kind="note", actor__isnull=False).update(kind="letter")
