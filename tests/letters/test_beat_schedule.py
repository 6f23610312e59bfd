"""The daily sweeps beat enqueues name tasks the workers really have: a typo would mean no
reminder is ever sent, silently."""

from __future__ import annotations

from django.conf import settings

from incidents import reminders
from schoolsocial.celery import app


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "incidents.tasks.remind_due_steps" in names
    assert sorted(name for name in names if name not in app.tasks) == []


def test_the_step_reminder_task_runs_the_sweep(monkeypatch):
    from incidents.tasks import remind_due_steps

    monkeypatch.setattr(reminders, "sweep", lambda: 3)
    # .result, not .get(): another test in this process may have left Celery thinking it runs inside
    # a task, where .get() refuses to block.
    result = remind_due_steps.apply()
    assert result.successful() and result.result == 3


def test_broker_settings_do_not_lose_work():
    from notifications.outbox import COUNTDOWN_LIMIT_SECONDS

    # No task waits in the broker longer than the visibility timeout (long back-offs are kept in
    # the database), so Redis never hands out a task that is merely waiting.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > 2 * COUNTDOWN_LIMIT_SECONDS
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT > 0


def test_the_outbox_relay_runs_every_minute_and_delivery_retries_database_errors():
    from django.db import InterfaceError, OperationalError

    app.loader.import_default_modules()
    relay = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"].endswith("relay_outbox")]
    assert len(relay) == 1 and relay[0]["schedule"] <= 60
    task = app.tasks["notifications.tasks.deliver_notification"]
    assert {OperationalError, InterfaceError} <= set(task.autoretry_for)
    assert task.acks_late
