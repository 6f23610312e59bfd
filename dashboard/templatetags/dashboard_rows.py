"""The rows of the headteacher's and DSL's case panels, written in Python: each row was a dozen
template nodes (a lookup, a filter, a tag each), which cost more than the panels' queries. Every
value is escaped by format_html; choice labels come from choice_label (kept per language), not
get_FOO_display, which rebuilds its list of lazily translated choices on every call."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from complaints.models import Stage
from incidents.letters.models import LetterKind
from incidents.models import Status
from incidents.templatetags.incident_tags import OVERDUE, case_badges, day
from schoolsocial.lib.choices import choice_label

register = template.Library()

DUE_SOON = format_html(' <span class="badge badge-due">{}</span>', "Due soon")


def _rows(row: str, values: Iterable[tuple]) -> SafeString:
    return format_html_join("", row, values)


@register.simple_tag
def triage_rows(incidents: Iterable) -> SafeString:
    """New reports: reference, platform, reported on, the case's badges."""
    return _rows(
        '<li><a href="{}">{}</a> · {} · {}{}</li>',
        ((i.get_absolute_url(), i.reference, i.platform, day(i.created_at), case_badges(i)) for i in incidents),
    )


@register.simple_tag
def overdue_rows(incidents: Iterable) -> SafeString:
    """Cases with a step past its date: reference and the date it was due."""
    return _rows(
        '<li><a href="{}">{}</a> · due {}{}</li>',
        ((i.get_absolute_url(), i.reference, day(i.next_due_on), OVERDUE) for i in incidents),
    )


@register.simple_tag
def flagged_rows(incidents: Iterable) -> SafeString:
    """Open safeguarding cases: reference, platform, reported on, status."""
    return _rows(
        '<li><a href="{}">{}</a> · {} · {} <span class="badge text-bg-warning">{}</span></li>',
        (
            (i.get_absolute_url(), i.reference, i.platform, day(i.created_at), choice_label(Status, i.status))
            for i in incidents
        ),
    )


@register.simple_tag
def complaint_due_rows(complaints: Iterable, today) -> SafeString:
    """Complaints nearing a deadline: reference, stage, what is due by when, overdue or due soon."""
    return _rows(
        '<li><a href="{}">{}</a> · {} · {} by {}{}</li>',
        (
            (
                c.get_absolute_url(),
                c.reference,
                choice_label(Stage, c.stage),
                c.next_deadline_label.lower(),
                day(c.next_due_on),
                OVERDUE if c.next_due_on < today else DUE_SOON,
            )
            for c in complaints
        ),
    )


@register.simple_tag
def draft_letter_rows(letters: Iterable) -> SafeString:
    """Draft letters: their kind, their case's reference, drafted on."""
    return _rows(
        '<li><a href="{}">{}</a> · {} · drafted {}</li>',
        (
            (
                letter.get_absolute_url(),
                choice_label(LetterKind, letter.kind),
                letter.incident.reference,
                day(letter.created_at),
            )
            for letter in letters
        ),
    )
