"""Data fixes that migrations run, kept here so tests can call them with the real models."""

from __future__ import annotations

from datetime import datetime

from .models.choices import FINISHED_STATUSES

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
        incidents = list(incident_model.objects.filter(pk__in=chunk).only("pk", "updated_at", "resolved_at"))
        for incident in incidents:
            incident.resolved_at = moments.get(incident.pk) or incident.updated_at
        # queryset.bulk_update skips save() and auto_now, so updated_at stays as it was.
        incident_model.objects.bulk_update(incidents, ["resolved_at"])
        updated += len(incidents)
    return updated


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
