"""The daily sweep: asks newly linked parents, reminds after 7 and 21 days, each exactly once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import ParentLink, Role
from agreements import reminders, tasks
from agreements.models import AgreementReminder, ReminderStage
from notifications.models import Notification
from tests.factories import make_pupil, make_user

from .conftest import sign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _autumn_term():
    """Published in early October, the version's 7-day, 21-day and late sweeps all fall in its own
    school year. Published on the real date in August they would not (the sweep rightly skips a
    version once its school year has ended), so the clock is set, not read."""
    with time_machine.travel(datetime(2026, 10, 5, 9, 30, tzinfo=ZoneInfo("Europe/London")), tick=True):
        yield


def sweep_at(now, capture):
    with time_machine.travel(now, tick=False), capture(execute=True):
        return tasks.sweep_unsigned_agreements()


def reminder_subjects(to: str) -> list[str]:
    return [str(m.subject) for m in mail.outbox if m.to == [to]]


@pytest.fixture
def asked(version, django_capture_on_commit_callbacks):
    """The version published and every parent asked (as publishing does)."""
    with django_capture_on_commit_callbacks(execute=True):
        tasks.ask_parents_to_sign(version.pk)
    mail.outbox.clear()
    return version


def test_publishing_asks_each_parent_once(cast, asked, django_capture_on_commit_callbacks):
    assert set(AgreementReminder.objects.values_list("parent_id", "stage")) == {
        (cast.parent.pk, ReminderStage.ASK),
        (cast.other_parent.pk, ReminderStage.ASK),
    }
    with django_capture_on_commit_callbacks(execute=True):
        tasks.ask_parents_to_sign(asked.pk)
    assert mail.outbox == []


def test_no_reminder_before_seven_days(cast, asked, django_capture_on_commit_callbacks):
    sweep_at(asked.published_at + timedelta(days=6, hours=23), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_reminders_at_7_and_21_days_each_sent_once(cast, asked, django_capture_on_commit_callbacks):
    sign(cast, asked, parent=cast.other_parent, pupil=cast.other_child)
    day7 = asked.published_at + timedelta(days=7, hours=1)
    sweep_at(day7, django_capture_on_commit_callbacks)
    sweep_at(day7 + timedelta(hours=2), django_capture_on_commit_callbacks)
    assert len(reminder_subjects(cast.parent.email)) == 1
    assert reminder_subjects(cast.parent.email)[0].startswith("Reminder:")
    assert reminder_subjects(cast.other_parent.email) == []  # signed: never reminded
    day21 = asked.published_at + timedelta(days=21, hours=1)
    sweep_at(day21, django_capture_on_commit_callbacks)
    sweep_at(day21 + timedelta(days=3), django_capture_on_commit_callbacks)
    assert len(reminder_subjects(cast.parent.email)) == 2
    assert Notification.objects.filter(key__startswith="agreement-day").count() == 2


def test_a_sweep_run_late_sends_only_the_latest_reminder(cast, asked, django_capture_on_commit_callbacks):
    sweep_at(asked.published_at + timedelta(days=30), django_capture_on_commit_callbacks)
    sweep_at(asked.published_at + timedelta(days=31), django_capture_on_commit_callbacks)
    stages = set(AgreementReminder.objects.filter(parent=cast.parent).values_list("stage", flat=True))
    assert stages == {ReminderStage.ASK, ReminderStage.DAY_21}
    assert len(reminder_subjects(cast.parent.email)) == 1


def test_a_parent_linked_later_is_asked_and_counted_from_their_link(cast, asked, django_capture_on_commit_callbacks):
    newcomer = make_user(cast.school, Role.PARENT, name="New Family")
    make_pupil(cast.school, cast.school_class, first="Newt", parent=newcomer)
    link = ParentLink.objects.get(parent=newcomer)
    sweep_at(link.created_at + timedelta(days=1), django_capture_on_commit_callbacks)
    assert len(reminder_subjects(newcomer.email)) == 1
    assert not reminder_subjects(newcomer.email)[0].startswith("Reminder")
    sweep_at(link.created_at + timedelta(days=6), django_capture_on_commit_callbacks)
    assert len(reminder_subjects(newcomer.email)) == 1


def test_the_email_names_only_the_children_still_to_sign(cast, asked, django_capture_on_commit_callbacks):
    second = make_pupil(cast.school, cast.school_class, first="Ned", parent=cast.parent)
    sign(cast, asked)
    sweep_at(asked.published_at + timedelta(days=8), django_capture_on_commit_callbacks)
    [email] = [m for m in mail.outbox if m.to == [cast.parent.email]]
    assert "for Ned." in email.body and "Mia" not in email.body
    assert second.first_name == "Ned"


def test_sweep_ignores_versions_of_past_years(cast, django_capture_on_commit_callbacks):
    from agreements import actions

    from .conftest import CONTENT

    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT, academic_year="2019/20")
    actions.publish(draft, by=cast.headteacher)
    sweep_at(timezone.now() + timedelta(days=8), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_stage_rules():
    assert [reminders.stage_due(d) for d in (0, 6, 7, 20, 21, 400)] == [
        "ask",
        "ask",
        "day7",
        "day7",
        "day21",
        "day21",
    ]


def test_two_sweeps_before_the_workers_run_still_send_once(
    cast, asked, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.send_agreement_emails, "delay", lambda *args: queued.append(args))
    day8 = asked.published_at + timedelta(days=8)
    sweep_at(day8, django_capture_on_commit_callbacks)
    sweep_at(day8, django_capture_on_commit_callbacks)
    assert len(queued) == 2  # the broker holds two copies of the same chunk
    with django_capture_on_commit_callbacks(execute=True):
        for args in queued:
            tasks.send_agreement_emails(*args)
    assert len(reminder_subjects(cast.parent.email)) == 1
