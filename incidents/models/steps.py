"""Escalation steps and the incident's timeline."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .choices import EntryKind, Outcome, StepKind
from .incident import Incident


class EscalationStep(models.Model):
    """One rung of the ladder (or a side route) for one incident.

    Letters link to a step (removal request, meeting invitation, written warning): `kind` says which
    letter fits, `due_date` is the deadline the letter quotes.
    """

    # Not stored: the incident page sets these on each step of its ladder (incidents/views/cases.py).
    outcome_form: Any
    letter_kind: str | None

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=30, choices=StepKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    notes = models.TextField(blank=True)
    skip_reason = models.TextField(blank=True)
    # Kind-specific facts (which kind records which: incidents/outcomes.py): the platform's, the
    # police's or the agency's reference, a meeting's time, who attended and its minutes.
    external_reference = models.CharField("reference given", max_length=100, blank=True)
    meeting_at = models.DateTimeField(null=True, blank=True)
    attendees = models.TextField("who attended", blank=True)
    minutes = models.TextField("minutes of the meeting", blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["incident", "created_at"], name="step_incident"),
            # The statistics' routes (which kinds of step a school's incidents took) read only this index.
            models.Index(fields=["incident", "kind"], name="step_incident_kind"),
            models.Index(fields=["outcome", "due_date"], name="step_due"),
            # A case's waiting steps, nearest first: the next step the watch list shows for each
            # case, and the case's next due date, read a few index rows instead of every waiting step.
            models.Index(fields=["incident", "outcome", "due_date"], name="step_incident_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.incident_id})"

    def get_absolute_url(self) -> str:
        return reverse("incidents:detail", args=[self.incident_id]) + f"#step-{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == Outcome.PENDING

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.due_date is not None and self.due_date < timezone.localdate()


class TimelineEntry(models.Model):
    """Something that happened to an incident, with who and when. `internal` entries (notes, steps,
    triage) are for the school only; the reporter's status page shows the rest."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    internal = models.BooleanField(default=True)
    step = models.ForeignKey(EscalationStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Where the record the entry is about can be opened (a letter), for the school's own pages.
    link = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "timeline entries"
        indexes = [models.Index(fields=["incident", "at"], name="timeline_incident")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.summary}"


class StepReminder(models.Model):
    """A reminder decided for one step in one window ("due-tomorrow" or "overdue"): unique, so the
    daily sweep reminds once however often it runs."""

    step = models.ForeignKey(EscalationStep, on_delete=models.CASCADE, related_name="+")
    window = models.CharField(max_length=20)
    due_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "window", "due_date"], name="unique_step_reminder_window")
        ]

    def __str__(self) -> str:
        return f"{self.window} reminder for step {self.step_id}"
