"""The parent is told, once, when the school misses a date it gave them."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.urls import reverse

from complaints import actions
from notifications.models import Notification

from .conftest import raise_complaint


def _parent_emails(cast):
    return [m for m in mail.outbox if m.to == [cast.parent.email] and "past the date" in m.subject]


def test_parent_hears_once_when_the_acknowledgement_date_passes(cast, django_capture_on_commit_callbacks):
    cast.school.email = "office@school.example"
    cast.school.save(update_fields=["email"])
    complaint = raise_complaint(cast)
    due = complaint.next_due_on
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.run_deadline_sweep(today=due)  # nearing: the school only
        assert _parent_emails(cast) == []
        actions.run_deadline_sweep(today=due + timedelta(days=1))
        actions.run_deadline_sweep(today=due + timedelta(days=2))  # a second sweep sends nothing again
    [message] = _parent_emails(cast)
    assert "acknowledge your complaint" in message.body
    assert complaint.reference in message.body
    assert message.reply_to == ["office@school.example"]
    # Nothing of the complaint's content goes in the email, only the reference and the link.
    assert complaint.details not in message.body
    assert Notification.objects.filter(template="complaint-deadline-passed").count() == 1


def test_a_new_deadline_is_a_new_promise(cast, django_capture_on_commit_callbacks):
    complaint = raise_complaint(cast)
    with django_capture_on_commit_callbacks(execute=True):
        actions.run_deadline_sweep(today=complaint.next_due_on + timedelta(days=1))
        actions.acknowledge(complaint=complaint, by=cast.headteacher, message="We have your complaint.")
    complaint.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.run_deadline_sweep(today=complaint.respond_by + timedelta(days=1))
    [message] = _parent_emails(cast)
    assert "respond to your complaint" in message.body


def test_a_closed_complaint_tells_nobody(cast, django_capture_on_commit_callbacks):
    complaint = raise_complaint(cast)
    due = complaint.next_due_on
    actions.move_stage(complaint=complaint, by=cast.headteacher, stage="closed", reason="Settled at a meeting.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.run_deadline_sweep(today=due + timedelta(days=1))
    assert _parent_emails(cast) == []


def test_the_parent_page_says_the_date_has_passed(cast, client_for, time_machine):
    complaint = raise_complaint(cast)
    page = client_for(cast.parent).get(reverse("complaints:my_complaint", args=[complaint.pk]))
    assert 'id="deadline-passed"' not in page.content.decode()
    time_machine.move_to(complaint.next_due_on + timedelta(days=1))
    page = client_for(cast.parent).get(reverse("complaints:my_complaint", args=[complaint.pk]))
    text = page.content.decode()
    assert 'id="deadline-passed"' in text
    assert f"{complaint.next_due_on:%d/%m/%Y}, has passed" in text
