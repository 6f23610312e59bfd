"""Demo letters for one demo incident per school: a removal request that was finalised, rendered
and emailed, then (the post stayed up) a written warning still in draft.

Called by incidents/demo.py once its story incidents exist. Idempotent: a letter of a kind already
on the incident is not written again. The PDF is made by the same task as in the app (run at once
when no broker is configured, as in the embedded demo).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Role, School
from incidents import actions as incident_actions
from incidents.letters import actions
from incidents.letters.models import Letter, LetterKind
from incidents.models import Incident, Outcome, StepKind

REMOVAL_NOTE = "The letter was emailed with a week to take the post down. No reply, and the post is still up."


def seed_school(school: School, people: dict, content: str) -> int:
    """Write the demo letters on `school`'s letters story. Returns how many letters were added."""
    head = people.get(Role.HEADTEACHER)
    incident = Incident.objects.filter(school=school, content=content).select_related("school", "platform").first()
    if head is None or incident is None:
        return 0
    have = set(Letter.objects.filter(incident=incident).values_list("kind", flat=True))
    added = 0
    if LetterKind.REMOVAL_REQUEST not in have:
        _removal_request(incident, head)
        added += 1
    if LetterKind.WRITTEN_WARNING not in have:
        _written_warning(incident, head)
        added += 1
    return added


def _removal_request(incident: Incident, head) -> None:
    step = incident.steps.filter(kind=StepKind.REMOVAL_REQUEST).order_by("pk").first()
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.REMOVAL_REQUEST, by=head)
    letter = actions.finalise(letter=letter, by=head)
    letter.refresh_from_db()
    # Without a broker the render has run by now; with one, the worker stores the PDF shortly and
    # the email can be sent from the letter's page.
    if letter.pdf_sha256 and letter.recipient_email:
        actions.email_letter(letter=letter, by=head, to=letter.recipient_email)
    if step is not None and step.is_pending:
        incident_actions.record_step_outcome(step=step, by=head, outcome=Outcome.NO_REPLY, notes=REMOVAL_NOTE)


def _written_warning(incident: Incident, head) -> None:
    step = incident.steps.filter(kind=StepKind.WRITTEN_WARNING, outcome=Outcome.PENDING).order_by("pk").first()
    if step is None and incident.status_enum.is_open and incident.status != "reported":
        step = incident_actions.add_step(
            incident=incident,
            by=head,
            kind=StepKind.WRITTEN_WARNING,
            due_date=timezone.localdate() + timedelta(days=5),
            notes="Warning letter to follow the unanswered removal request.",
        )
    # The removal request went by email above, so the warning's draft says when (facts.earlier_letter_sentence).
    actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=head)
