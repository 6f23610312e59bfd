"""The summary a headteacher sends POSH (the UK Safer Internet Centre's Professionals Online
Safety Helpline) when a platform has not acted on a report: everything POSH asks for, in one
text to copy into their form or email, or to print. Pure: reads an incident fetched through
`incidents.access` and its steps; writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from .escalation import PLATFORM_REPORTS
from .models import EscalationStep, Incident

POSH_WEBSITE = "https://saferinternet.org.uk/professionals-online-safety-helpline"
POSH_EMAIL = "helpline@saferinternet.org.uk"


@dataclass(frozen=True)
class PlatformReport:
    reported_on: str
    outcome: str
    reference: str


def _date(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else "not recorded"


def platform_reports(steps: list[EscalationStep]) -> list[PlatformReport]:
    return [
        PlatformReport(_date(step.created_at), step.get_outcome_display(), step.external_reference)
        for step in steps
        if step.kind in PLATFORM_REPORTS
    ]


def summary_for(incident: Incident, steps: list[EscalationStep]) -> str:
    """The plain-text summary, in the order POSH reads it. No pupil's or parent's name: POSH needs
    the post and what the platform did, not who the family is."""
    platform = incident.platform
    lines = [
        f"School: {incident.school.name}",
        f"Our reference: {incident.reference}",
        f"Platform: {platform.name}",
    ]
    if incident.account_name:
        lines.append(f"Account, group or chat: {incident.account_name}")
    lines.append("Links to the post:")
    lines += [f"  {url}" for url in incident.urls] or ["  (no link recorded)"]
    lines.append(f"Posted: {_date(incident.posted_at)}; seen by the school: {_date(incident.seen_at)}")
    lines.append("")
    lines.append(f"Reported to {platform.name}:")
    reports = platform_reports(steps)
    for report in reports:
        reference = f"; the platform's reference: {report.reference}" if report.reference else "; no reference given"
        lines.append(f"  {report.reported_on} (outcome so far: {report.outcome}{reference})")
    if not reports:
        lines.append("  (no report to the platform recorded yet)")
    lines.append("")
    breaches = ", ".join(incident.nature_labels) or "see the post"
    lines.append(f"What the post breaches: {breaches}.")
    if platform.rules_url:
        lines.append(f"{platform.name}'s rules: {platform.rules_url}")
    if platform.legal_form_url:
        lines.append(f"{platform.name}'s legal removal form: {platform.legal_form_url}")
    lines.append("")
    lines.append("What the post says:")
    lines.append(incident.content)
    return "\n".join(lines)
