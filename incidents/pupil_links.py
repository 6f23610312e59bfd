"""Linking pupils to an incident: who the case concerns and in what part. Called inside the
triage action's transaction (incidents.actions.triage), which locks the incident first."""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import Pupil, User

from .models import Incident, IncidentPupil, PupilRole


class PupilOfAnotherSchool(ValueError):
    pass


def set_pupil_links(incident: Incident, links: Iterable[tuple[Pupil, str]], *, by: User) -> list[str]:
    """Make the incident's pupil links exactly `links` (pupil, role): new ones added, roles
    changed, the others removed. A pupil of another school is refused (nothing changes). Returns
    what changed, for the timeline, in words that do not name the child (so destroying a pupil's
    record later leaves no name behind)."""
    wanted: dict[int, tuple[Pupil, str]] = {}
    for pupil, role in links:
        if pupil.school_id != incident.school_id:
            raise PupilOfAnotherSchool("A pupil of another school cannot be linked to this case.")
        wanted[pupil.pk] = (pupil, PupilRole(role).value)
    existing = {link.pupil_id: link for link in IncidentPupil.objects.filter(incident=incident)}
    changes: list[str] = []
    for pupil_id, gone in existing.items():
        if pupil_id not in wanted:
            gone.delete()
            changes.append(f"removed a pupil linked as {gone.get_role_display().lower()}")
    for pupil_id, (pupil, role) in wanted.items():
        link = existing.get(pupil_id)
        if link is None:
            IncidentPupil(incident=incident, pupil=pupil, role=role, added_by=by).save()
            changes.append(f"linked a pupil as {PupilRole(role).label.lower()}")
        elif link.role != role:
            before = link.get_role_display().lower()
            link.role = role
            link.save(update_fields=["role"])
            changes.append(f"changed a pupil's part from {before} to {PupilRole(role).label.lower()}")
    return changes
