"""The complaints section of a pupil's page: the concerns and complaints raised about this child."""

from __future__ import annotations

from accounts.models import Membership, Pupil
from accounts.permissions import may
from accounts.pupil_record import Entry, Section

from . import access


def section(membership: Membership, pupil: Pupil) -> Section | None:
    if not may(membership, "complaints.manage"):
        return None
    complaints = list(access.complaints_for(membership).filter(pupil=pupil).select_related("school")[:100])
    return Section(
        title="Complaints",
        entries=[
            Entry(
                label=complaint.reference,
                url=complaint.get_absolute_url(),
                detail=f"{complaint.subject} · {complaint.get_stage_display()}",
                when=complaint.created_at,
            )
            for complaint in complaints
        ],
        empty="No concern or complaint has been raised about this child.",
    )
