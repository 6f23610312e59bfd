from datetime import date, timedelta

import pytest
from django.core.management import call_command

from notifications.models import Notification
from policies import actions
from policies.actions import run_review_sweep
from policies.models import Owner, PolicyReminder
from policies.reviews import reminder_window

from .helpers import approved_policy

REVIEW = date(2026, 9, 1)


@pytest.mark.parametrize(
    ("today", "window"),
    [
        (REVIEW - timedelta(days=90), None),
        (REVIEW - timedelta(days=61), None),
        (REVIEW - timedelta(days=60), "60-days"),
        (REVIEW - timedelta(days=31), "60-days"),
        (REVIEW - timedelta(days=30), "30-days"),
        (REVIEW - timedelta(days=8), "30-days"),
        (REVIEW - timedelta(days=7), "7-days"),
        (REVIEW, "7-days"),
        (REVIEW + timedelta(days=1), "overdue-week-0"),
        (REVIEW + timedelta(days=7), "overdue-week-0"),
        (REVIEW + timedelta(days=8), "overdue-week-1"),
        (REVIEW + timedelta(days=30), "overdue-week-4"),
    ],
)
def test_reminder_windows(today, window):
    assert reminder_window(REVIEW, today) == window


def review_emails():
    return Notification.objects.filter(template="policy-review-reminder")


@pytest.fixture
def due_policy(cast):
    return approved_policy(cast.school, cast.headteacher, review_date=date.today() + timedelta(days=400))


def test_each_window_is_reminded_once_as_the_days_pass(cast, due_policy):
    review = due_policy.review_date
    sent_on = []
    for day in range(70, -22, -1):  # from 70 days before to three weeks overdue, sweeping daily
        today = review - timedelta(days=day)
        if run_review_sweep(today).emails:
            sent_on.append(day)
    assert sent_on == [60, 30, 7, -1, -8, -15]
    windows = set(PolicyReminder.objects.values_list("window", flat=True))
    assert windows == {"60-days", "30-days", "7-days", "overdue-week-0", "overdue-week-1", "overdue-week-2"}
    email = review_emails().order_by("created_at").first()
    assert email.to == [cast.headteacher.email]
    assert "Social media policy" in email.subject and "due for review" in email.subject


def test_running_the_sweep_twice_sends_nothing_twice(due_policy):
    today = due_policy.review_date - timedelta(days=30)
    first, second = run_review_sweep(today), run_review_sweep(today)
    assert (first.reminders, first.emails) == (1, 1)
    assert (second.reminders, second.emails) == (0, 0)
    assert review_emails().count() == 1


def test_governing_body_policies_remind_the_governors_and_the_head(cast):
    version = approved_policy(
        cast.school,
        cast.governor,
        owner=Owner.GOVERNING_BODY,
        title="Complaints policy",
        review_date=date.today() + timedelta(days=10),
    )
    run_review_sweep(version.review_date - timedelta(days=5))
    assert review_emails().get().to == sorted([cast.governor.email, cast.headteacher.email])


def test_a_crash_half_way_leaves_no_reminder_so_the_next_run_sends_it(due_policy, monkeypatch):
    today = due_policy.review_date - timedelta(days=7)

    def explode(**kwargs):
        raise RuntimeError("mail server fell over while deciding")

    monkeypatch.setattr(actions, "notify", explode)
    with pytest.raises(RuntimeError):
        run_review_sweep(today)
    assert PolicyReminder.objects.count() == 0
    monkeypatch.undo()
    assert run_review_sweep(today).emails == 1


def test_superseded_and_draft_versions_are_not_reminded(cast, due_policy):
    new = actions.start_draft(due_policy.document, by=cast.headteacher, change_summary="Reviewed")
    actions.submit_for_approval(new)
    actions.approve(new, by=cast.headteacher, review_date=date.today() + timedelta(days=700))
    assert run_review_sweep(due_policy.review_date).reminders == 0


def test_management_command_runs_the_same_sweep(due_policy, capsys):
    day = (due_policy.review_date - timedelta(days=7)).isoformat()
    call_command("policy_review_sweep", "--date", day)
    call_command("policy_review_sweep", "--date", day)
    out = capsys.readouterr().out
    assert "1 new reminders in 1 emails" in out and "0 new reminders in 0 emails" in out
    assert review_emails().count() == 1


def test_the_beat_task_runs_the_sweep(due_policy):
    from policies.tasks import review_reminder_sweep

    assert review_reminder_sweep.delay().get()["considered"] == 0  # 400 days away: nothing due


def test_a_sweep_racing_another_only_sends_what_it_recorded(cast, due_policy, monkeypatch):
    """Deterministic version of the race (sweeps really running at once, on PostgreSQL, are in
    tests/lib/test_sweeps.py): another sweep records one of the same reminders after this sweep
    read what was decided and before it writes. That policy is left out of this
    sweep's email, the other still goes, and nothing is sent twice."""
    other = approved_policy(
        cast.school, cast.headteacher, title="Anti-bullying policy", review_date=due_policy.review_date
    )
    today = due_policy.review_date - timedelta(days=7)
    real_recipients = actions._owner_recipients

    def recipients_after_the_other_sweep(school_ids):
        PolicyReminder.objects.create(version=due_policy, window="7-days")
        return real_recipients(school_ids)

    monkeypatch.setattr(actions, "_owner_recipients", recipients_after_the_other_sweep)
    result = run_review_sweep(today)
    assert result.reminders == 1
    email = review_emails().get()
    assert "Anti-bullying policy" in email.body_text and "Social media policy" not in email.body_text
    assert PolicyReminder.objects.filter(version=other).count() == 1
