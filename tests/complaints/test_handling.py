"""The headteacher acknowledges, responds, moves stages; reminders go out once per window."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints import actions
from complaints.models import ALLOWED_TRANSITIONS, Complaint, EntryKind, InvalidTransition, Stage
from notifications.models import Notification

from .conftest import raise_complaint, to_panel


def test_headteacher_lists_and_opens_complaints_of_their_school_only(cast, client_for):
    complaint = raise_complaint(cast, subject="Lunchtime supervision")
    client = client_for(cast.headteacher)
    assert "Lunchtime supervision" in client.get(reverse("complaints:list")).content.decode()
    assert client.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 200
    other = client_for(cast.other_headteacher)
    assert other.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 404
    assert "Lunchtime supervision" not in other.get(reverse("complaints:list")).content.decode()
    for role in ("dsl", "staff", "office", "governor"):
        assert client_for(getattr(cast, role)).get(reverse("complaints:detail", args=[complaint.pk])).status_code == 404


def test_acknowledge_then_respond_moves_the_next_deadline(cast, client_for, django_capture_on_commit_callbacks):
    complaint = raise_complaint(cast)
    mail.outbox.clear()
    client = client_for(cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("complaints:acknowledge", args=[complaint.pk]),
            {"acknowledgement": "Thank you, we are looking into it."},
        )
    complaint.refresh_from_db()
    assert complaint.acknowledged_at is not None and complaint.next_due_on == complaint.respond_by
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("complaints:respond", args=[complaint.pk]), {"message": "Here is what we found.", "final": "on"}
        )
    complaint.refresh_from_db()
    assert complaint.responded_at is not None and complaint.next_due_on is None
    assert [m.to for m in mail.outbox] == [[cast.parent.email], [cast.parent.email]]
    assert "Here is what we found." in mail.outbox[1].body


def test_an_empty_message_shows_an_error_beside_the_field(cast, client_for):
    complaint = raise_complaint(cast)
    response = client_for(cast.headteacher).post(reverse("complaints:respond", args=[complaint.pk]), {"message": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_stages_follow_the_allowed_transitions(cast):
    complaint = raise_complaint(cast)
    with pytest.raises(
        InvalidTransition, match="This complaint is at the informal stage, so it cannot move to “Governors' panel”."
    ):
        actions.move_stage(complaint=complaint, by=cast.headteacher, stage=Stage.PANEL)
    complaint = to_panel(complaint, cast.headteacher)
    assert complaint.stage == Stage.PANEL and complaint.reached_panel_at is not None
    with pytest.raises(InvalidTransition, match="This complaint is with the governors' panel, so it cannot move to"):
        actions.move_stage(complaint=complaint, by=cast.headteacher, stage=Stage.FORMAL)
    # The model refuses it too, whatever the caller.
    stored = Complaint.objects.get(pk=complaint.pk)
    stored.stage = Stage.INFORMAL
    with pytest.raises(InvalidTransition):
        stored.save()
    assert ALLOWED_TRANSITIONS[Stage.CLOSED] == frozenset()


def test_closing_needs_a_reason_the_parent_sees(cast, client_for):
    complaint = raise_complaint(cast)
    client = client_for(cast.headteacher)
    response = client.post(reverse("complaints:stage", args=[complaint.pk]), {"stage": "closed", "reason": ""})
    assert response.status_code == 400
    client.post(
        reverse("complaints:stage", args=[complaint.pk]), {"stage": "closed", "reason": "Resolved at a meeting."}
    )
    complaint.refresh_from_db()
    assert complaint.stage == Stage.CLOSED and complaint.outcome_summary == "Resolved at a meeting."


def test_each_stage_restarts_the_clock(cast):
    complaint = raise_complaint(cast)
    actions.respond(complaint=complaint, by=cast.headteacher, message="Done", final=True)
    complaint = actions.move_stage(complaint=complaint, by=cast.headteacher, stage=Stage.FORMAL, reason="Not settled")
    assert complaint.acknowledged_at is None and complaint.responded_at is None
    assert complaint.next_due_on == complaint.acknowledge_by >= timezone.localdate()


def test_linking_an_incident_of_the_same_school(cast, client_for):
    from .conftest import make_incident

    complaint = raise_complaint(cast)
    incident = make_incident(cast.school, cast.staff, created=timezone.now())
    foreign = make_incident(cast.other_school, cast.other_headteacher, created=timezone.now())
    client = client_for(cast.headteacher)
    response = client.post(reverse("complaints:link_incident", args=[complaint.pk]), {"reference": foreign.reference})
    assert response.status_code == 400
    client.post(reverse("complaints:link_incident", args=[complaint.pk]), {"reference": incident.reference.lower()})
    complaint.refresh_from_db()
    assert complaint.incident == incident


def test_deadline_settings_with_holidays(cast, client_for):
    client = client_for(cast.headteacher)
    response = client.post(
        reverse("complaints:settings"),
        {
            "acknowledge_days": 3,
            "respond_days": 10,
            "panel_respond_days": 20,
            "remind_days_before": 1,
            "holiday_text": "25/12/2026\n28/12/2026 - 30/12/2026",
        },
    )
    assert response.status_code == 302
    rules = cast.school.complaint_settings
    assert rules.acknowledge_days == 3
    assert rules.holidays == ["2026-12-25", "2026-12-28", "2026-12-29", "2026-12-30"]
    bad = client.post(
        reverse("complaints:settings"),
        {
            "acknowledge_days": 3,
            "respond_days": 10,
            "panel_respond_days": 20,
            "remind_days_before": 1,
            "holiday_text": "Christmas",
        },
    )
    assert bad.status_code == 400 and "is not a date like" in bad.content.decode()


def test_reminders_go_once_per_complaint_and_window(cast, django_capture_on_commit_callbacks):
    complaint = raise_complaint(cast)
    mail.outbox.clear()
    due = complaint.next_due_on
    with django_capture_on_commit_callbacks(execute=True):
        # Long before the deadline: nothing.
        assert actions.run_deadline_sweep(today=due - timedelta(days=14)).reminders == 0
        # Nearing: one reminder, not repeated by a second sweep.
        assert actions.run_deadline_sweep(today=due).reminders == 1
        assert actions.run_deadline_sweep(today=due).reminders == 0
        # Overdue: one more, once.
        assert actions.run_deadline_sweep(today=due + timedelta(days=1)).reminders == 1
        assert actions.run_deadline_sweep(today=due + timedelta(days=2)).reminders == 0
    assert Notification.objects.filter(template="complaint-deadline").count() == 2
    # The headteacher twice (nearing, passed); the parent once, when the date has passed.
    assert [m.to for m in mail.outbox] == [[cast.headteacher.email]] * 2 + [[cast.parent.email]]
    assert "has passed" in mail.outbox[1].body
    # Acknowledging moves on to the response deadline: a new window.
    actions.acknowledge(complaint=complaint, by=cast.headteacher, message="Received")
    complaint.refresh_from_db()
    assert actions.run_deadline_sweep(today=complaint.respond_by + timedelta(days=1)).reminders == 1


def test_history_and_chronology_are_kept(cast):
    complaint = raise_complaint(cast)
    actions.add_note(complaint=complaint, by=cast.headteacher, text="Called the parent.")
    kinds = list(complaint.entries.values_list("kind", flat=True))
    assert kinds == [EntryKind.RECEIVED, EntryKind.NOTE]
    assert complaint.history.count() >= 1
