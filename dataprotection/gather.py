"""Everything the portal holds about one person, for a subject access request.

`gather` finds the records (subjects.linked_records), then reads each kind once: the number of
queries is fixed, whatever the size of the school. Each item says which other people it names,
so the DPO can decide what to redact before anything is released.

Restricted cases (an allegation about a member of staff, incidents.restriction) are gathered like
any other, so a request is answered in full, but every item built from one (the case, its
evidence, letters and bundles) is marked `restricted` and carries a note. sar_actions stores it
already decided "withhold", with that reason: nothing from a restricted case leaves in a release,
nor in "release the rest as they are", until the DPO opens the item and decides otherwise (after
asking the case's handlers: an investigation, or the people who raised the allegation, may need
protecting). This holds above all for a request by the person the allegation is about.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from accounts.models import AccessLog, Invitation, ParentLink, Pupil, School, User

from . import subjects


@dataclass
class Item:
    kind: str  # "Incident", "Evidence", ...
    record_type: str  # model label, e.g. "incidents.incident"
    record_id: int
    title: str
    when: datetime | None
    text: dict[str, str] = field(default_factory=dict)  # what the record says, field by field
    files: list[tuple[str, str]] = field(default_factory=list)  # (storage name, file name)
    other_people: list[str] = field(default_factory=list)  # names the DPO may redact
    notes: list[str] = field(default_factory=list)  # warnings for the reviewer, not names
    # From a restricted case (incidents.restriction): withheld until the DPO has reviewed it.
    restricted: bool = False

    @property
    def key(self) -> str:
        return f"{self.record_type}:{self.record_id}"


RESTRICTED_NOTE = (
    "From a restricted case (an allegation about a member of staff). Withheld until you have reviewed it "
    "with the case's handlers: releasing it may prejudice the investigation or identify who raised it."
)


def _restricted(item: Item, incident) -> Item:
    if incident.restricted:
        item.restricted = True
        item.notes.insert(0, RESTRICTED_NOTE)
    return item


def _names(*people, subject_names: set[str]) -> list[str]:
    found = []
    for person in people:
        if person is None:
            continue
        name = getattr(person, "full_name", None) or str(person)
        if name and name not in subject_names and name not in found:
            found.append(name)
    return found


def gather(school: School, *, pupil: Pupil | None = None, person: User | None = None) -> list[Item]:
    """Every record about `pupil` (or `person`) at `school`, unreviewed and unredacted."""
    from agreements.models import Signature
    from complaints.models import Attachment, Complaint, PanelRecord
    from incidents.letters.models import EvidenceBundle, Letter
    from incidents.models import Evidence, Incident
    from notifications.models import Notification

    records = subjects.linked_records(school_id=school.pk, pupil=pupil, person=person)
    if pupil is not None:
        subject_names = {pupil.full_name}
    elif person is not None:
        subject_names = {person.full_name}
    else:
        raise ValueError("Give the pupil or the person the request is about.")
    ids = lambda label: records.get(label, set())  # noqa: E731
    items: list[Item] = []

    if pupil is not None:
        items.append(
            Item(
                "Pupil record",
                "accounts.pupil",
                pupil.pk,
                pupil.full_name,
                None,
                {
                    "Name": pupil.full_name,
                    "Date of birth": f"{pupil.date_of_birth:%d/%m/%Y}",
                    "On roll": "Yes" if pupil.is_on_roll else "No",
                },
            )
        )
    elif person is not None:
        items.append(
            Item(
                "Account",
                "accounts.user",
                person.pk,
                person.full_name,
                person.date_joined,
                {"Name": person.full_name, "Email": person.email, "Postal address": person.postal_address},
            )
        )
    for link in ParentLink.objects.filter(pk__in=ids("accounts.parentlink")).select_related("parent", "pupil"):
        items.append(
            Item(
                "Family link",
                "accounts.parentlink",
                link.pk,
                f"{link.parent.full_name}, {link.get_relationship_display().lower()} of {link.pupil.full_name}",
                link.created_at,
                other_people=_names(link.parent, link.pupil, subject_names=subject_names),
            )
        )
    for incident in (
        Incident.objects.filter(pk__in=ids("incidents.incident"))
        .select_related("reporter", "poster_parent", "platform")
        .prefetch_related("pupil_links__pupil")
    ):
        items.append(
            _restricted(
                Item(
                    "Incident",
                    "incidents.incident",
                    incident.pk,
                    f"{incident.reference}: a post on {incident.platform.name}",
                    incident.created_at,
                    {
                        "What the post says": incident.content,
                        "Who is targeted": incident.targeted,
                        "Account": incident.account_name,
                        "Status": incident.get_status_display(),
                    },
                    other_people=_names(
                        incident.reporter,
                        incident.poster_parent,
                        *(link.pupil for link in incident.pupil_links.all()),
                        subject_names=subject_names,
                    ),
                ),
                incident,
            )
        )
    for evidence in Evidence.objects.filter(pk__in=ids("incidents.evidence")).select_related("incident", "uploaded_by"):
        items.append(
            _restricted(
                Item(
                    "Evidence",
                    "incidents.evidence",
                    evidence.pk,
                    f"{evidence.original_name} ({evidence.incident.reference})",
                    evidence.uploaded_at,
                    {"Description": evidence.description},
                    files=[(evidence.file.name, evidence.original_name)],
                    other_people=_names(evidence.uploaded_by, subject_names=subject_names),
                    notes=["A screenshot may show other people's names or posts"],
                ),
                evidence.incident,
            )
        )
    for letter in Letter.objects.filter(pk__in=ids("letters.letter")).select_related("incident"):
        files = [(letter.pdf.name, letter.filename)] if letter.pdf else []
        items.append(
            _restricted(
                Item(
                    "Letter",
                    "letters.letter",
                    letter.pk,
                    f"{letter.get_kind_display()} ({letter.incident.reference})",
                    letter.finalised_at or letter.created_at,
                    {"Subject": letter.subject, "Letter": letter.body},
                    files=files,
                    other_people=[
                        name for name in [letter.recipient_name, letter.signatory_name] if name not in subject_names
                    ],
                ),
                letter.incident,
            )
        )
    for bundle in EvidenceBundle.objects.filter(pk__in=ids("letters.evidencebundle")).select_related("incident"):
        items.append(
            _restricted(
                Item(
                    "Referral bundle",
                    "letters.evidencebundle",
                    bundle.pk,
                    f"Referral bundle ({bundle.incident.reference})",
                    bundle.built_at,
                    files=[(bundle.file.name, bundle.filename)] if bundle.file else [],
                    notes=["A bundle holds the whole case file, with other people's details"],
                ),
                bundle.incident,
            )
        )
    for complaint in Complaint.objects.filter(pk__in=ids("complaints.complaint")).select_related(
        "school", "parent", "pupil", "informal_handler"
    ):
        items.append(
            Item(
                "Complaint",
                "complaints.complaint",
                complaint.pk,
                f"{complaint.reference}: {complaint.subject}",
                complaint.created_at,
                {
                    "Details": complaint.details,
                    "Outcome wanted": complaint.desired_outcome,
                    "Stage": complaint.get_stage_display(),
                },
                other_people=_names(
                    complaint.parent, complaint.pupil, complaint.informal_handler, subject_names=subject_names
                ),
            )
        )
    for attachment in Attachment.objects.filter(pk__in=ids("complaints.attachment")).select_related(
        "complaint__school"
    ):
        items.append(
            Item(
                "Complaint attachment",
                "complaints.attachment",
                attachment.pk,
                f"{attachment.original_name} ({attachment.complaint.reference})",
                attachment.uploaded_at,
                files=[(attachment.file.name, attachment.original_name)],
                notes=["An attachment may show other people's names or posts"],
            )
        )
    for record in PanelRecord.objects.filter(pk__in=ids("complaints.panelrecord")).select_related("complaint__school"):
        items.append(
            Item(
                "Governors' panel decision",
                "complaints.panelrecord",
                record.pk,
                f"Panel decision ({record.complaint.reference})",
                record.recorded_at,
                {"Decision": record.get_decision_display(), "Reasons": record.reasons},
                files=[(record.letter.name, f"{record.complaint.reference}-panel-letter.pdf")] if record.letter else [],
                other_people=record.member_list,
            )
        )
    for signature in Signature.objects.filter(pk__in=ids("agreements.signature")).select_related("version"):
        items.append(
            Item(
                "Agreement signature",
                "agreements.signature",
                signature.pk,
                f"{signature.get_kind_display()}: version {signature.version.number} for {signature.pupil_name}, {signature.academic_year}",
                signature.signed_at,
                {
                    "Typed name": signature.typed_name,
                    "Child": signature.pupil_name,
                    "Method": signature.get_method_display(),
                },
                files=[(signature.scan.name, f"signature-{signature.pk}-scan")] if signature.scan else [],
                other_people=[
                    name for name in [signature.typed_name, signature.pupil_name] if name not in subject_names
                ],
            )
        )
    invitations = Invitation.objects.filter(school=school)
    if pupil is not None:
        invitations = invitations.filter(pupils=pupil)
    elif person is not None:
        invitations = invitations.filter(email__iexact=person.email)
    for invitation in invitations.distinct():
        items.append(
            Item(
                "Invitation",
                "accounts.invitation",
                invitation.pk,
                f"Invitation to {invitation.full_name} ({invitation.status_label.lower()})",
                invitation.created_at,
                other_people=[invitation.full_name] if invitation.full_name not in subject_names else [],
            )
        )
    if person is not None:
        for email in Notification.objects.filter(school=school, to__icontains=person.email).order_by("-created_at"):
            items.append(
                Item(
                    "Email",
                    "notifications.notification",
                    email.pk,
                    email.subject,
                    email.created_at,
                    {"Email": email.body_text},
                )
            )
    log = AccessLog.objects.filter(subjects.access_log_q(records) | _own_log_q(pupil, person)).select_related("user")
    for entry in log.filter(school=school).order_by("-at")[:5000]:
        items.append(
            Item(
                "Access log",
                "accounts.accesslog",
                entry.pk,
                f"{entry.user.full_name if entry.user else 'Someone'} – {entry.action} – {entry.object_repr}",
                entry.at,
                other_people=_names(entry.user, subject_names=subject_names),
            )
        )
    return items


def _own_log_q(pupil: Pupil | None, person: User | None):
    from django.db.models import Q

    if person is None:
        return Q(pk__in=[])
    return Q(object_type="accounts.user", object_id=str(person.pk))


def counts(items: list[Item]) -> dict[str, int]:
    return dict(Counter(item.kind for item in items))
