"""The incidents section of a pupil's page: every incident the child is linked to, with their part
in it (posted it, the poster's child, in the post, targeted)."""

from __future__ import annotations

from accounts.models import Membership, Pupil
from accounts.permissions import may
from accounts.pupil_record import Entry, Section

from . import access
from .models import IncidentPupil, PupilRole


def section(membership: Membership, pupil: Pupil) -> Section | None:
    if not may(membership, "incidents.view_all"):
        return None
    # Through cases_for: a restricted case the person does not handle is left out.
    links = (
        IncidentPupil.objects.filter(pupil=pupil, incident__in=access.cases_for(membership))
        .select_related("incident__platform")
        .order_by("-incident__created_at", "-incident__pk")[:100]
    )
    return Section(
        title="Incidents",
        entries=[
            Entry(
                label=link.incident.reference,
                url=link.incident.get_absolute_url(),
                detail=f"{PupilRole(link.role).label} · {link.incident.platform} · {link.incident.get_status_display()}",
                when=link.incident.created_at,
            )
            for link in links
        ],
        empty="No incident is linked to this child.",
    )
