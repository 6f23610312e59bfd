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
    longest_countdown = 3600  # notifications.tasks.deliver_notification caps its back-off here
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest_countdown
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT > 0


def test_a_refused_email_is_retried_with_doubling_back_off_then_given_up(monkeypatch, settings):
    """Each run of the task as the worker would make it (retry n of max): a refusal asks for the
    next try after a doubling countdown; the last try marks the row failed and raises."""
    import smtplib

    import pytest
    from celery.exceptions import Retry

    from notifications import outbox, tasks

    app.loader.import_default_modules()
    task = app.tasks["notifications.tasks.deliver_notification"]
    calls: list[bool] = []

    def refused(notification_id: int, *, last_attempt: bool = False) -> str:
        calls.append(last_attempt)
        error = smtplib.SMTPDataError(451, b"4.3.0 Try again later")
        if last_attempt:
            raise error
        raise outbox.DeliveryDeferred(error)

    monkeypatch.setattr(tasks, "deliver", refused)
    countdowns = []
    for retries in range(task.max_retries + 1):
        task.push_request(retries=retries, is_eager=True, called_directly=False, args=[1], kwargs={})
        try:
            if retries < task.max_retries:
                with pytest.raises(Retry) as retry:
                    task.run(1)
                countdowns.append(retry.value.when)
            else:
                with pytest.raises(smtplib.SMTPDataError):
                    task.run(1)
        finally:
            task.pop_request()
    assert task.max_retries == settings.NOTIFY_MAX_RETRIES
    assert calls == [False] * task.max_retries + [True]
    base = settings.NOTIFY_RETRY_BASE_SECONDS
    assert countdowns == [min(base * 2**n, 3600) for n in range(task.max_retries)]
