"""The one place an incident's timeline is written: every act (report, triage, step, letter,
alert, note) adds its row here, inside the act's own transaction."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from accounts.models import User

from .models import EscalationStep, Incident, TimelineEntry


def record(
    incident: Incident | int,
    actor: User | None,
    kind: str,
    summary: str,
    *,
    body: str = "",
    internal: bool = True,
    step: EscalationStep | None = None,
    link: str = "",
    at: datetime | None = None,
) -> TimelineEntry:
    """Add one row. `internal` rows are for the school only; the reporter's page shows the rest."""
    entry = TimelineEntry(
        actor=actor,
        kind=kind,
        summary=summary[:300],
        body=body,
        internal=internal,
        step=step,
        link=link,
        at=at or timezone.now(),
    )
    if isinstance(incident, Incident):
        entry.incident = incident
    else:
        entry.incident_id = incident
    entry.save()
    return entry
