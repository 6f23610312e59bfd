"""The daily reminder sweep for escalation steps: due tomorrow, and overdue. Once per step and
window: a StepReminder row (unique on step, window and due date) is the decision, written with
its email by `decide_once`, so a second run that day, a concurrent one or a retried task sends
nothing, and an interrupted run leaves nothing half done."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from django.utils import timezone

from notifications.outbox import notify
from schoolsocial.lib.sweeps import decide_once

from .letters.facts import uk_date
from .models import EscalationStep, Outcome, Status, StepReminder

OPEN_STATUSES = [Status.TRIAGED, Status.IN_PROGRESS]


def steps_needing_reminders(today: date) -> list[tuple[EscalationStep, str]]:
    tomorrow = today + timedelta(days=1)
    steps = (
        EscalationStep.objects.filter(
            outcome=Outcome.PENDING, due_date__lte=tomorrow, incident__status__in=OPEN_STATUSES, owner__isnull=False
        )
        .exclude(due_date=today)
        .select_related("incident__school", "owner")
        .order_by("due_date", "pk")
    )
    return [(step, "due-tomorrow" if step.due_date == tomorrow else "overdue") for step in steps]


def sweep(today: date | None = None) -> int:
    today = today or timezone.localdate()
    sent = 0
    for step, window in steps_needing_reminders(today):
        assert step.due_date is not None and step.owner is not None  # the query selects only steps with both
        decision = StepReminder(step=step, window=window, due_date=step.due_date)
        if decide_once([decision], partial(_remind, step=step, window=window)):
            sent += 1
    return sent


def _remind(rows: list[StepReminder], *, step: EscalationStep, window: str):
    return remind_owner(step, window)


def remind_owner(step: EscalationStep, window: str):
    assert step.due_date is not None and step.owner is not None  # only steps with both are reminded
    return notify(
        key=f"step-reminder:{step.pk}:{window}:{step.due_date.isoformat()}",
        to=[step.owner.email],
        template="step-reminder",
        context={
            "step": step,
            "incident": step.incident,
            "owner": step.owner,
            "overdue": window == "overdue",
            "due_text": uk_date(step.due_date),
            "url": step.get_absolute_url(),
        },
        school=step.incident.school,
    )
