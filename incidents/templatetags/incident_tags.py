"""An incident's badges, and the incident list's row, written in Python: the list shows them on
every row, where an `{% include %}` per badge cost more than the rest of the row together, and the
row's two dozen template nodes were a third of the page's time."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from incidents.models import Severity, Status
from schoolsocial.lib.choices import choice_label
from schoolsocial.lib.html import esc

register = template.Library()
STAFF_SAFETY = format_html(' <span class="badge text-bg-danger">{}</span>', "Staff safety")
SAFEGUARDING = format_html(' <span class="badge text-bg-warning">{}</span>', "Safeguarding")


@register.simple_tag
def case_badges(incident) -> SafeString:
    """ "Staff safety" and "Safeguarding", each where the case is flagged so."""
    return SafeString(
        (STAFF_SAFETY if incident.staff_safety else "")
        + (SAFEGUARDING if incident.safeguarding_concern or incident.pupils_identifiable else "")
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


OVERDUE = format_html(' <span class="badge badge-overdue">{}</span>', "Overdue")
DETAIL_SENTINEL = 987654321  # a pk no school reaches, replaced by each row's own


@register.simple_tag
def due_on(due, today) -> SafeString:
    """A next step's date, badged "Overdue" once it has passed; a dash where none is planned."""
    if not due:
        return SafeString("–")
    return SafeString(day(due) + (OVERDUE if due < today else ""))


@register.simple_tag
def incident_rows(incidents, today) -> SafeString:
    """The incident list's rows: reference (with its badges and, for a search, where the words
    were found), reported, platform, nature, status, owner, next step due. Every value escaped
    (`esc`); the link is reversed once for the page rather than once a row."""
    detail = reverse("incidents:detail", args=[DETAIL_SENTINEL])
    sentinel = str(DETAIL_SENTINEL)
    rows = []
    for incident in incidents:
        url = detail.replace(sentinel, str(incident.pk))
        snippet = incident.search_snippet
        if snippet:
            snippet = f'<div class="small text-body-secondary search-snippet">{esc(snippet)}</div>'
        due = due_on(incident.next_due_on, today)
        severity = incident.severity
        rows.append(
            f'<tr><td><a href="{esc(url)}">{esc(incident.reference)}</a>{case_badges(incident)}{snippet}</td>'
            f"<td>{day(incident.created_at)}</td><td>{esc(incident.platform)}</td>"
            f'<td class="small">{esc(", ".join(incident.nature_labels))}</td>'
            f'<td><span class="badge status-{esc(incident.status)}">{esc(_label(Status, incident.status))}</span>'
            + (f' <span class="small text-body-secondary">{esc(_label(Severity, severity))}</span>' if severity else "")
            + f"</td><td>{esc(incident.owner or '–')}</td><td>{due}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above went through esc()


NEW_TAB = '<span class="visually-hidden"> (opens in a new tab)</span>'


@register.simple_tag
def platform_help(incident, link_text: str, age_said: str = "") -> SafeString:
    """Where and how to report to the incident's platform: the school's own link and notes win over
    the shared ones (a suggestion that already said the minimum age leaves it out)."""
    platform = incident.platform
    url, notes = incident.platform_report_url, incident.platform_notes
    name = esc(platform.name)
    parts = ['<div class="small platform-help">\n  ']
    if url:
        parts.append(
            f'<a href="{esc(url)}" rel="noopener noreferrer" target="_blank">{esc(link_text)} on {name}{NEW_TAB}</a>'
        )
    else:
        parts.append(f"{name} has no report-abuse page on file.")
    if platform.minimum_age and not age_said:
        parts.append(f" · minimum age {esc(platform.minimum_age)}")
    if platform.legal_form_url:
        parts.append(
            f' · <a href="{esc(platform.legal_form_url)}" rel="noopener noreferrer" target="_blank">'
            f"Legal or defamation removal form{NEW_TAB}</a>"
        )
    if platform.rules_url:
        parts.append(
            f' · <a href="{esc(platform.rules_url)}" rel="noopener noreferrer" target="_blank">'
            f"{name}'s rules{NEW_TAB}</a>"
        )
    if notes:
        parts.append(f'<div class="text-body-secondary">{linebreaksbr(notes, autoescape=True)}</div>')
    parts.append("\n</div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
