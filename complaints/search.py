"""Search the school's complaints: what it is about, what happened, what the parent asks for, the
outcome, every entry on its record, and the reference (NBP-C0042, or just C42). The same search as
the incident list (schoolsocial/lib/fulltext.py), created by migration 0007."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import QuerySet

from schoolsocial.lib import fulltext

from .models import Complaint

INDEX = fulltext.TextIndex(
    table="complaints_complaint",
    columns=(("subject", "A"), ("details", "B"), ("desired_outcome", "C"), ("outcome_summary", "C")),
    notes_table="complaints_complaintentry",
    notes_key="complaint_id",
    prefixes=fulltext.PREFIX_LENGTHS,
)
REFERENCE = re.compile(r"^\s*(?:[a-z0-9]+-)?c0*(\d{1,9})\s*$", re.IGNORECASE)
SNIPPET_LENGTH = 160


def search(queryset: QuerySet[Complaint], text: str) -> QuerySet[Complaint]:
    """The complaints of `queryset` matching `text`, best first; a reference finds that complaint."""
    reference = REFERENCE.match(text or "")
    if reference:
        return queryset.filter(pk=int(reference.group(1)))
    return fulltext.search(queryset, INDEX, text)


def mark_matches(complaints: Iterable[Complaint], text: str) -> None:
    """Give each complaint on a page of results its subject, and where the words were found in what
    happened, escaped with the words marked."""
    found = fulltext.words(text)
    for complaint in complaints:
        complaint.search_subject = fulltext.highlight(complaint.subject, found)  # type: ignore[attr-defined]  # shown on the page only
        if fulltext.has_match(complaint.details, found):
            complaint.search_snippet = fulltext.highlight(complaint.details, found, around=SNIPPET_LENGTH)  # type: ignore[attr-defined]  # shown on the page only
