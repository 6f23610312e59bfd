"""Letters and chronologies to PDF bytes (WeasyPrint via schoolsocial.lib.pdf). Pure: no writes."""

from __future__ import annotations

from django.utils import timezone

from incidents.models import Incident
from schoolsocial.lib.pdf import image_data_uri, render_pdf

from .facts import uk_date
from .models import Letter, LetterStatus


def letter_context(letter: Letter) -> dict:
    facts = letter.facts or {}
    return {
        "letter": letter,
        "school": letter.school,
        "logo": image_data_uri(letter.school.logo),
        "facts": facts,
        "date_text": uk_date(letter.letter_date),
        "address_lines": [line for line in letter.recipient_address.splitlines() if line.strip()],
        "school_address_lines": address_lines_under(letter.school),
        "paragraphs": letter.paragraphs,
        "quote_after": quote_position(letter.paragraphs),
        "quote_paragraphs": [p for p in letter.quoted_post.replace("\r\n", "\n").split("\n") if p.strip()],
        "is_draft": letter.status == LetterStatus.DRAFT,
    }


def address_lines_under(school) -> list[str]:
    """The school's address for the letterhead, without repeating the name printed above it."""
    lines = [line.strip() for line in school.address.splitlines() if line.strip()]
    if lines and lines[0].casefold() == school.name.strip().casefold():
        lines = lines[1:]
    return lines


def quote_position(paragraphs: list[str]) -> int:
    """The paragraph the quoted post follows: the one that says "quoted below", else the second
    (the first is "Dear ...")."""
    for index, paragraph in enumerate(paragraphs):
        if "quoted below" in paragraph or "below" in paragraph.lower():
            return index
    return min(1, len(paragraphs) - 1)


def letter_pdf(letter: Letter) -> bytes:
    return render_pdf("letters/pdf/letter.html", letter_context(letter))


def chronology_pdf(incident: Incident) -> bytes:
    """The police or legal bundle's chronology. It is for the police or the school's lawyers, so it
    names the person identified as the poster and every pupil linked to the case (with their
    class and their part in it), and says so on its first page. (The governors' panel bundle,
    complaints.panel, stays anonymised.)"""
    steps = list(incident.steps.select_related("owner", "completed_by").order_by("created_at", "pk"))
    letters = list(incident.letters.filter(status=LetterStatus.FINAL).order_by("finalised_at", "pk"))
    entries = list(incident.timeline.select_related("actor").order_by("at", "pk"))
    evidence = list(incident.evidence.order_by("uploaded_at", "pk"))
    return render_pdf(
        "letters/pdf/chronology.html",
        {
            "incident": incident,
            "school": incident.school,
            "steps": steps,
            "letters": letters,
            "entries": entries,
            "evidence": evidence,
            "natures": incident.nature_labels,
            "poster_parent": incident.poster_parent,
            "linked_pupils": incident.linked_pupils,
            "made_at": timezone.localtime(),
        },
    )
