"""An incident's badges, and the incident list's row, written in Python: the list shows them on
every row, where an `{% include %}` per badge cost more than the rest of the row together, and the
row's two dozen template nodes were a third of the page's time."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from incidents.models import Severity, Status
from schoolsocial.lib.choices import choice_label

register = template.Library()
STAFF_SAFETY = format_html(' <span class="badge text-bg-danger">{}</span>', "Staff safety")
SAFEGUARDING = format_html(' <span class="badge text-bg-warning">{}</span>', "Safeguarding")


@register.simple_tag
def case_badges(incident) -> SafeString:
    """ "Staff safety" and "Safeguarding", each where the case is flagged so."""
    return format_html(
        "{}{}",
        STAFF_SAFETY if incident.staff_safety else "",
        SAFEGUARDING if incident.safeguarding_concern or incident.pupils_identifiable else "",
    )


def _label(choices, value: str) -> str:
    # Not get_FOO_display(): it rebuilds and hashes the whole list of (lazily translated) choices
    # on every call, which on a page of 25 rows cost more than the rows' own queries.
    return choice_label(choices, value)


@register.simple_tag
def status_badge(incident) -> SafeString:
    return format_html('<span class="badge status-{}">{}</span>', incident.status, _label(Status, incident.status))


@register.simple_tag
def severity_note(incident) -> SafeString:
    """The case's severity beside its status, where triage has set one."""
    if not incident.severity:
        return SafeString("")
    return format_html(' <span class="small text-body-secondary">{}</span>', _label(Severity, incident.severity))


@register.filter
def day(value) -> str:
    """A date, or a moment shown as its local date, as dd/mm/yyyy (the `date:"d/m/Y"` filter's
    output, without its general-purpose formatter on every row)."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%d/%m/%Y")


ROW = '<tr><td>{}</td><td>{}</td><td>{}</td><td class="small">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
OVERDUE = format_html(' <span class="badge badge-overdue">{}</span>', "Overdue")


@register.simple_tag
def incident_row(incident, today) -> SafeString:
    """One row of the incident list: reference (with its badges and, for a search, where the words
    were found), reported, platform, nature, status, owner, next step due. Every value escaped."""
    snippet = (
        format_html('<div class="small text-body-secondary search-snippet">{}</div>', incident.search_snippet)
        if incident.search_snippet
        else ""
    )
    due: str = "–"
    if incident.next_due_on:
        due = format_html("{}{}", day(incident.next_due_on), OVERDUE if incident.next_due_on < today else "")
    url = reverse("incidents:detail", args=[incident.pk])
    return format_html(
        ROW,
        format_html('<a href="{}">{}</a>{}{}', url, incident.reference, case_badges(incident), snippet),
        day(incident.created_at),
        incident.platform,
        ", ".join(incident.nature_labels),
        format_html("{}{}", status_badge(incident), severity_note(incident)),
        incident.owner or "–",
        due,
    )
