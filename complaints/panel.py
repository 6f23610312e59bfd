"""The bundle a governors' panel reads, and the context of its outcome letter.

Governors never receive a child's name or a file unless the headteacher released it for this
panel: every text in the bundle passes through `redact_names`, and files are listed as withheld.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import ParentLink, User
from incidents.letters.rendering import address_lines_under
from incidents.models import EscalationStep
from incidents.restriction import may_open
from schoolsocial.lib.pdf import image_data_uri

from .models import Complaint, PanelRecord
from .redaction import pseudonyms_for, redact_names


def children_in(complaint: Complaint) -> list[tuple[str, str]]:
    """The children whose names could appear in the complaint: the child it is about, the
    complainant's children, and the pupils linked to a linked incident."""
    names: list[tuple[str, str]] = []
    if (pupil := complaint.pupil) is not None:
        names.append((pupil.first_name, pupil.last_name))
    links = ParentLink.objects.filter(parent_id=complaint.parent_id, pupil__school_id=complaint.school_id)
    names += list(links.order_by("pupil__first_name").values_list("pupil__first_name", "pupil__last_name"))
    incident = complaint.incident
    if incident is not None:
        names += [(link.pupil.first_name, link.pupil.last_name) for link in incident.linked_pupils]
    if incident is not None and incident.poster_parent_id and incident.poster_parent_id != complaint.parent_id:
        # A letter about the incident names the poster's child even when triage recorded no pupil.
        poster_links = ParentLink.objects.filter(
            parent_id=incident.poster_parent_id, pupil__school_id=complaint.school_id
        )
        names += list(poster_links.order_by("pupil__first_name").values_list("pupil__first_name", "pupil__last_name"))
    return names


def letters_for_panel(incident, clean) -> list[dict]:
    """The final letters the school sent about the linked incident, as text with names replaced
    (never the PDF, which names the child)."""
    from incidents.letters.models import Letter, LetterStatus

    letters = Letter.objects.filter(incident=incident, status=LetterStatus.FINAL).order_by("finalised_at", "pk")
    return [
        {
            "kind": letter.get_kind_display(),
            "date": letter.letter_date,
            "subject": clean(letter.subject),
            "paragraphs": [clean(paragraph) for paragraph in letter.paragraphs],
            "delivered": letter.finalised_at,
        }
        for letter in letters
    ]


def build_bundle(complaint: Complaint, viewer: User | None = None) -> dict:
    """Everything the panel sees, with names replaced unless released. A fixed number of queries.

    A linked incident restricted after it was linked (an allegation about staff) is left out
    unless `viewer` is one of its handlers: the bundle says only that a restricted case is linked."""
    released = complaint.names_released_at is not None
    labels = {} if released else pseudonyms_for(children_in(complaint))

    def clean(text: str) -> str:
        return redact_names(text, labels)

    entries = [
        {
            "at": e.at,
            "kind": e.get_kind_display(),
            "summary": clean(e.summary),
            "body": clean(e.body),
            "stage": e.get_stage_display(),
        }
        for e in complaint.entries.for_panel().order_by("at", "pk")
    ]
    attachments = list(complaint.attachments.order_by("uploaded_at", "pk"))
    incident = None
    steps = []
    letters: list[dict] = []
    found = complaint.incident
    restricted_incident = found is not None and not may_open(found, viewer)
    if found is not None and not restricted_incident:
        incident = {
            "reference": found.reference,
            "platform": found.platform.name,
            "natures": ", ".join(found.nature_labels),
            "seen_at": found.seen_at,
            "status": found.get_status_display(),
            "content": clean(found.content),
        }
        steps = list(EscalationStep.objects.filter(incident=found).order_by("created_at", "pk"))
        letters = letters_for_panel(found, clean)
    about = None
    if (pupil := complaint.pupil) is not None:
        about = (
            pupil.full_name if released else labels.get((pupil.first_name.strip(), pupil.last_name.strip()), "a pupil")
        )
    return {
        "names_released": released,
        "about": about,
        "subject": clean(complaint.subject),
        "details": clean(complaint.details),
        "desired_outcome": clean(complaint.desired_outcome),
        "outcome_summary": clean(complaint.outcome_summary),
        "entries": entries,
        "released_files": [a for a in attachments if a.released_to_panel_at],
        "withheld_files": sum(1 for a in attachments if not a.released_to_panel_at),
        "incident": incident,
        "restricted_incident": restricted_incident,
        "steps": steps,
        "letters": letters,
        "pseudonyms": sorted(set(labels.values())),
    }


def default_letter_body(record: PanelRecord) -> str:
    """The outcome letter's first draft, which the chair then reads and edits (paragraphs apart)."""
    complaint: Complaint = record.complaint
    members = ", ".join(record.member_list)
    return "\n\n".join(
        [
            "Thank you for taking part in the school's complaints procedure. A panel of governors met on "
            f"{record.meeting_date:%-d %B %Y} to review your complaint, “{complaint.subject}”, which you "
            f"first raised on {timezone.localtime(complaint.created_at):%-d %B %Y}.",
            f"The panel was made up of {members}.",
            f"The panel decided that your complaint is {record.get_decision_display().lower()}.",
            f"The panel's reasons: {record.reasons}",
            "This completes the school's complaints procedure. If you believe the school did not follow "
            "its procedure properly, you can ask the Department for Education to review how your "
            "complaint was handled.",
        ]
    )


def letter_context(record: PanelRecord, *, is_draft: bool = False) -> dict:
    """What the outcome letter shows, on the same letterhead as the headteacher's letters."""
    complaint: Complaint = record.complaint
    school = complaint.school
    parent = complaint.parent
    return {
        "record": record,
        "complaint": complaint,
        "school": school,
        "school_address_lines": address_lines_under(school),  # the same letterhead as the head's letters
        "parent": parent,
        "address_lines": [line.strip() for line in (parent.postal_address or "").splitlines() if line.strip()],
        "salutation": parent.salutation,
        "paragraphs": record.letter_paragraphs,
        "logo": image_data_uri(school.logo),
        "today": timezone.localdate(),
        "is_draft": is_draft,
    }
