"""Which records are about a person: one answer for the access log search and the subject access
request. Each query is on an indexed column and their number does not grow with the school."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import ParentLink, Pupil, User


def incidents_about_pupil_q(pupil: Pupil) -> Q:
    """Incidents the pupil is linked to (in any part), is named as the one targeted in, or whose
    complaint is about them."""
    from complaints.models import Complaint
    from incidents.models import IncidentPupil

    return Q(school_id=pupil.school_id) & (
        Q(pk__in=IncidentPupil.objects.filter(pupil=pupil).values("incident_id"))
        | Q(targeted__icontains=pupil.full_name)
        | Q(pk__in=Complaint.objects.filter(pupil=pupil, incident__isnull=False).values("incident_id"))
    )


def incidents_about_person_q(person: User, school_id: int) -> Q:
    """Incidents the person reported, is recorded as having posted, or that an allegation about
    them concerns (a restricted case: gathered, then withheld until the DPO reviews it, gather.py)."""
    return Q(school_id=school_id) & (Q(reporter=person) | Q(poster_parent=person) | Q(allegation_about=person))


def linked_records(*, school_id: int, pupil: Pupil | None = None, person: User | None = None) -> dict[str, set[int]]:
    """label -> ids of every record at the school that is about `pupil` or `person`."""
    from agreements.models import Signature
    from complaints.models import Attachment, Complaint, PanelRecord
    from incidents.letters.models import EvidenceBundle, Letter
    from incidents.models import Evidence, Incident

    found: dict[str, set[int]] = {}
    if pupil is not None:
        found["accounts.pupil"] = {pupil.pk}
        incident_q = incidents_about_pupil_q(pupil)
        complaint_q = Q(school_id=school_id, pupil=pupil)
        signature_q = Q(school_id=school_id, pupil=pupil)
        link_q = Q(pupil=pupil)
    elif person is not None:
        found["accounts.user"] = {person.pk}
        incident_q = incidents_about_person_q(person, school_id)
        complaint_q = Q(school_id=school_id, parent=person)
        signature_q = Q(school_id=school_id, parent=person)
        link_q = Q(parent=person, pupil__school_id=school_id)
    else:
        raise ValueError("Give the pupil or the person the records are about.")
    incident_ids = set(Incident.objects.filter(incident_q).values_list("pk", flat=True))
    complaint_ids = set(Complaint.objects.filter(complaint_q).values_list("pk", flat=True))
    found["accounts.parentlink"] = set(ParentLink.objects.filter(link_q).values_list("pk", flat=True))
    found["incidents.incident"] = incident_ids
    found["incidents.evidence"] = set(
        Evidence.objects.filter(incident_id__in=incident_ids).values_list("pk", flat=True)
    )
    found["letters.letter"] = set(Letter.objects.filter(incident_id__in=incident_ids).values_list("pk", flat=True))
    found["letters.evidencebundle"] = set(
        EvidenceBundle.objects.filter(incident_id__in=incident_ids).values_list("pk", flat=True)
    )
    found["complaints.complaint"] = complaint_ids
    found["complaints.attachment"] = set(
        Attachment.objects.filter(complaint_id__in=complaint_ids).values_list("pk", flat=True)
    )
    found["complaints.panelrecord"] = set(
        PanelRecord.objects.filter(complaint_id__in=complaint_ids).values_list("pk", flat=True)
    )
    found["agreements.signature"] = set(Signature.objects.filter(signature_q).values_list("pk", flat=True))
    return {label: ids for label, ids in found.items() if ids}


def access_log_q(records: dict[str, set[int]]) -> Q:
    """AccessLog rows about any of `records` (nothing when there are none)."""
    query = Q(pk__in=[])
    for label, ids in records.items():
        query |= Q(object_type=label, object_id__in=[str(pk) for pk in ids])
    return query
