"""Search the school's incidents: the post's words, the account name, who is targeted, the
reference and the case notes (every timeline entry with a body), ranked, best first, when at most
`fulltext.RANK_AT_MOST` match; a common word matching more is listed newest first, and the list
says so and asks for another word.

The index behind it (a generated tsvector with GIN and trigram indexes on PostgreSQL, an FTS5
table on SQLite) is described in `schoolsocial/lib/fulltext.py` and created by migration 0013.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import QuerySet

from schoolsocial.lib import fulltext

from .models import Incident

INDEX = fulltext.TextIndex(
    table="incidents_incident",
    columns=(("reference", "A"), ("account_name", "A"), ("content", "B"), ("targeted", "B")),
    notes_table="incidents_timelineentry",
    notes_key="incident_id",
    trigram=("reference", "account_name"),
    prefixes=fulltext.PREFIX_LENGTHS,
)
SNIPPET_LENGTH = 220


# A whole reference, as on a letter (NBP-2026-0042): looked up by its unique index, as every word of
# it would otherwise be matched against the text index ("nbp" and "2026" are in every incident).
REFERENCE = re.compile(r"^\s*([a-z0-9]{2,12}-\d{4}-\d{1,9})\s*$", re.IGNORECASE)


def _by_reference(queryset: QuerySet[Incident], text: str) -> QuerySet[Incident] | None:
    reference = REFERENCE.match(text or "")
    if reference is None:
        return None
    exact = queryset.filter(reference=reference.group(1).upper())
    return exact if exact.exists() else None  # part of a reference is searched as text


def search(queryset: QuerySet[Incident], text: str) -> QuerySet[Incident]:
    """The incidents of `queryset` matching `text`, best first (then in the queryset's own order);
    in the queryset's own order when more than `fulltext.RANK_AT_MOST` match."""
    exact = _by_reference(queryset, text)
    return exact if exact is not None else fulltext.search(queryset, INDEX, text)


def find(queryset: QuerySet[Incident], text: str) -> fulltext.Found:
    """`search` for the list: newest first, a page at a time, when too many match to rank (the
    list then asks for another word)."""
    exact = _by_reference(queryset, text)
    return fulltext.Found(exact, False) if exact is not None else fulltext.find(queryset, INDEX, text)


def mark_matches(incidents: Iterable[Incident], text: str) -> None:
    """Give each incident of a page of results a `search_snippet`: the part of the post (or the
    account name, or who is targeted) where the words were found, escaped, the words marked."""
    found = fulltext.words(text)
    for incident in incidents:
        shown = next(
            (
                value
                for value in (incident.content, incident.account_name, incident.targeted)
                if fulltext.has_match(value, found)
            ),
            incident.content,
        )
        incident.search_snippet = fulltext.highlight(shown, found, around=SNIPPET_LENGTH)
