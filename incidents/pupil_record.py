"""The incidents section of a pupil's page: the incidents where this child posted."""

from __future__ import annotations

from accounts.models import Membership, Pupil
from accounts.permissions import may
from accounts.pupil_record import Entry, Section

from . import access


def section(membership: Membership, pupil: Pupil) -> Section | None:
    if not may(membership, "incidents.view_all"):
        return None
    incidents = list(access.cases_for(membership).filter(poster_pupil=pupil).select_related("platform")[:100])
    return Section(
        title="Incidents",
        entries=[
            Entry(
                label=incident.reference,
                url=incident.get_absolute_url(),
                detail=f"{incident.platform} · {incident.get_status_display()}",
                when=incident.created_at,
            )
            for incident in incidents
        ],
        empty="No incident names this child as the one who posted.",
    )
