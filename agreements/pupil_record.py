"""The agreement section of a pupil's page: every signature (and withdrawal) given for this child."""

from __future__ import annotations

from accounts.models import Membership, Pupil
from accounts.permissions import may
from accounts.pupil_record import Entry, Section

from . import access


def section(membership: Membership, pupil: Pupil) -> Section | None:
    if not may(membership, "agreements.view_signatures"):
        return None
    signatures = list(access.signatures_of_pupil_for(membership, pupil)[:100])
    return Section(
        title="Home-school agreement",
        entries=[
            Entry(
                label=f"{signature.get_kind_display()} by {signature.parent.full_name}",
                url=signature.get_absolute_url(),
                detail=f"Version {signature.version.number}, {signature.academic_year} · "
                f"{signature.get_method_display()}",
                when=signature.signed_at,
            )
            for signature in signatures
        ],
        empty="Nobody has signed the agreement for this child yet.",
    )
