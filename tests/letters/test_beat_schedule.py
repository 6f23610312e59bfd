"""The daily sweeps beat enqueues name tasks the workers really have: a typo would mean no
reminder is ever sent, silently."""

from __future__ import annotations

from django.conf import settings

from incidents.letters import reminders
from schoolsocial.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "incidents.letters.tasks.remind_due_steps" in names
    assert sorted(name for name in names if name not in app.tasks) == []


def test_the_step_reminder_task_runs_the_sweep(monkeypatch):
    from incidents.letters.tasks import remind_due_steps

    monkeypatch.setattr(reminders, "sweep", lambda: 3)
    assert remind_due_steps.apply().get() == 3
