"""Every daily sweep decides once (schoolsocial.lib.sweeps.decide_once): run twice, interrupted
half-way, or run by several workers at once, each person is emailed exactly once, and no decision
is ever kept without its email."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from types import ModuleType

import pytest
from django.core import mail
from django.db import connection, models
from django.utils import timezone

from agreements import actions as agreement_actions
from agreements import tasks as agreement_tasks
from agreements.models import AgreementReminder
from complaints import actions as complaint_actions
from complaints.models import ComplaintReminder
from incidents import actions as incident_actions
from incidents import reminders as step_reminders
from incidents.models import StepKind, StepReminder
from notifications.models import Notification
from policies import actions as policy_actions
from policies.models import Owner, PolicyReminder
from tests.agreements.conftest import CONTENT
from tests.complaints.conftest import raise_complaint
from tests.letters.builders import make_case
from tests.policies.helpers import approved_policy


@dataclass
class Sweep:
    run: Callable[[], object]
    module: ModuleType  # where the sweep finds `notify`
    decision: type[models.Model]  # the model that records each decision
    template: str
    expected: dict[str, int]  # emails each person should get, in total


def policy_sweep(cast) -> Sweep:
    review = date.today() + timedelta(days=400)
    approved_policy(cast.school, cast.headteacher, review_date=review)
    approved_policy(
        cast.school, cast.governor, title="Complaints policy", owner=Owner.GOVERNING_BODY, review_date=review
    )
    return Sweep(
        run=lambda: policy_actions.run_review_sweep(review - timedelta(days=5)),
        module=policy_actions,
        decision=PolicyReminder,
        template="policy-review-reminder",
        expected={cast.headteacher.email: 2, cast.governor.email: 1},
    )


def agreement_sweep(cast) -> Sweep:
    draft = agreement_actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    agreement_actions.publish(draft, by=cast.headteacher, ask_parents=False)
    return Sweep(
        run=agreement_tasks.sweep_unsigned_agreements,
        module=agreement_tasks,
        decision=AgreementReminder,
        template="agreement-request",
        expected={cast.parent.email: 1, cast.other_parent.email: 1},
    )


def step_sweep(cast) -> Sweep:
    incident, step = make_case(cast)
    today = timezone.localdate()
    step.due_date = today + timedelta(days=1)
    step.save()
    incident_actions.add_step(
        incident=incident, by=cast.headteacher, kind=StepKind.REMOVAL_REQUEST, due_date=today - timedelta(days=2)
    )
    return Sweep(
        run=lambda: step_reminders.sweep(today),
        module=step_reminders,
        decision=StepReminder,
        template="step-reminder",
        expected={cast.headteacher.email: 2},
    )


def complaint_sweep(cast) -> Sweep:
    first = raise_complaint(cast)
    raise_complaint(cast, parent=cast.other_parent, pupil=cast.other_child, subject="Group chat")
    due = first.next_due_on
    assert due is not None
    return Sweep(
        run=lambda: complaint_actions.run_deadline_sweep(today=due + timedelta(days=1)),
        module=complaint_actions,
        decision=ComplaintReminder,
        template="complaint-deadline",
        expected={cast.headteacher.email: 2},
    )


SWEEPS = [policy_sweep, agreement_sweep, step_sweep, complaint_sweep]


@pytest.fixture(params=SWEEPS, ids=lambda build: build.__name__)
def sweep(request, cast) -> Sweep:
    built = request.param(cast)
    Notification.objects.all().delete()  # what setting up sent (the complaint's receipt...)
    mail.outbox.clear()
    return built


def sweep_emails(sweep: Sweep) -> list:
    subjects = set(Notification.objects.filter(template=sweep.template).values_list("subject", flat=True))
    return [message for message in mail.outbox if message.subject in subjects]


def received(sweep: Sweep) -> dict[str, int]:
    return dict(Counter(address for message in sweep_emails(sweep) for address in message.to))


def assert_each_sent_once(sweep: Sweep) -> None:
    assert received(sweep) == sweep.expected
    messages = [(tuple(m.to), m.subject, m.body) for m in sweep_emails(sweep)]
    assert len(messages) == len(set(messages)), "the same email went twice"


def assert_no_decision_without_its_email(sweep: Sweep) -> None:
    emails = Notification.objects.filter(template=sweep.template).count()
    assert sweep.decision._default_manager.count() == emails


def crash_on_call(monkeypatch, sweep: Sweep, call: int) -> None:
    """The sweep fails (the database, the broker...) at its `call`-th email."""
    real_notify = sweep.module.notify
    calls = []

    def failing_notify(**kwargs):
        calls.append(kwargs["key"])
        if len(calls) == call:
            raise ConnectionError("the database went away")
        return real_notify(**kwargs)

    monkeypatch.setattr(sweep.module, "notify", failing_notify)


pytestmark = pytest.mark.django_db


def test_a_sweep_run_twice_emails_each_person_once(sweep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sweep.run()
    with django_capture_on_commit_callbacks(execute=True):
        sweep.run()
    assert_each_sent_once(sweep)
    assert_no_decision_without_its_email(sweep)


def test_a_sweep_interrupted_between_a_decision_and_its_email_keeps_neither(
    sweep, monkeypatch, django_capture_on_commit_callbacks
):
    crash_on_call(monkeypatch, sweep, call=1)
    with pytest.raises(ConnectionError), django_capture_on_commit_callbacks(execute=True):
        sweep.run()
    assert sweep.decision.objects.count() == 0 and mail.outbox == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        sweep.run()
    assert_each_sent_once(sweep)


def test_a_sweep_interrupted_between_two_people_sends_the_rest_next_time_and_nothing_twice(
    sweep, monkeypatch, django_capture_on_commit_callbacks
):
    crash_on_call(monkeypatch, sweep, call=2)
    with pytest.raises(ConnectionError), django_capture_on_commit_callbacks(execute=True):
        sweep.run()
    assert_no_decision_without_its_email(sweep)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        sweep.run()
    with django_capture_on_commit_callbacks(execute=True):
        sweep.run()
    assert_each_sent_once(sweep)
    assert_no_decision_without_its_email(sweep)


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database locks whole tables across threads; runs on PostgreSQL in make test.",
)
@pytest.mark.django_db(transaction=True)
def test_sweeps_running_at_once_email_each_person_once(sweep):
    errors = []
    barrier = threading.Barrier(4)

    def run():
        try:
            barrier.wait(timeout=10)
            sweep.run()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert_each_sent_once(sweep)
    assert_no_decision_without_its_email(sweep)
