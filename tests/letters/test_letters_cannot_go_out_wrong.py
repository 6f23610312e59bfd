"""A letter cannot go out wrong: no blank facts, a look at the PDF before it is final, no mention of
an earlier letter that was never sent, "Dear Mr Taylor", replies to the school office, and the
step it was for completed when it goes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roll.models import Contact
from incidents import actions as incident_actions
from incidents.letters import actions
from incidents.letters.models import DeliveryMethod, Letter, LetterKind
from incidents.models import EscalationStep, Outcome, StepKind

from .builders import make_case
from .test_letters import pdf_text

pytestmark = pytest.mark.django_db


def draft_form(letter: Letter, **changes) -> dict:
    form = {
        "recipient_name": letter.recipient_name,
        "recipient_address": letter.recipient_address,
        "recipient_email": letter.recipient_email,
        "letter_date": timezone.localdate().isoformat(),
        "subject": letter.subject,
        "body": letter.body,
        "quoted_post": letter.quoted_post,
        "action": "finalise",
    }
    form.update(changes)
    return form


def final_pdf_text(cast, letter, capture, tmp_path) -> str:
    with capture(execute=True):
        actions.finalise(letter=letter, by=cast.headteacher)
    letter.refresh_from_db()
    return " ".join(pdf_text(Path(letter.pdf.path).read_bytes(), tmp_path).split())


def test_a_removal_request_without_a_date_cannot_be_finalised(cast, case, client_for):
    incident, _step = case
    # Started from the Letters page, with no step: there is no removal date.
    letter = actions.create_letter(incident=incident, step=None, kind=LetterKind.REMOVAL_REQUEST, by=cast.headteacher)
    assert "by ." not in letter.body
    assert "by [Write the date the post must be removed by]." in letter.body
    client = client_for(cast.headteacher)
    page = client.get(reverse("letters:edit", args=[letter.pk])).content.decode()
    assert "Before this letter can be finalised:" in page
    response = client.post(reverse("letters:edit", args=[letter.pk]), draft_form(letter))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Replace “[Write the date the post must be removed by]” in the letter with your own words" in body
    assert 'id="error_1_id_body"' in body or "is-invalid" in body  # beside the letter's text
    with pytest.raises(actions.MissingFacts):
        actions.finalise(letter=letter, by=cast.headteacher)
    assert not Letter.objects.get(pk=letter.pk).is_final

    written = letter.body.replace("[Write the date the post must be removed by]", "Friday 4 December 2026")
    response = client.post(reverse("letters:edit", args=[letter.pk]), draft_form(letter, body=written))
    assert response.url == reverse("letters:finalise", args=[letter.pk])


def test_a_meeting_invitation_needs_the_meeting_time(cast):
    incident, step = make_case(cast, kind=StepKind.HEADTEACHER_MEETING)
    letter = actions.create_letter(
        incident=incident, step=step, kind=LetterKind.MEETING_INVITATION, by=cast.headteacher
    )
    assert "[Write the date and time of the meeting]" in letter.body
    assert [field for field, _message in actions.missing_facts(letter)] == ["body"]

    when = timezone.make_aware(datetime(2026, 12, 8, 15, 30))
    EscalationStep.objects.filter(pk=step.pk).update(meeting_at=when)
    step.refresh_from_db()
    letter = actions.create_letter(
        incident=incident, step=step, kind=LetterKind.MEETING_INVITATION, by=cast.headteacher
    )
    assert "at the school on 8 December 2026 at 15:30." in letter.body
    assert actions.missing_facts(letter) == []


def test_a_letter_to_be_posted_needs_the_postal_address(cast, case, client_for):
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    response = client_for(cast.headteacher).post(
        reverse("letters:edit", args=[letter.pk]), draft_form(letter, recipient_address="", recipient_email="")
    )
    assert response.status_code == 400
    assert "Add their postal address: with no email address, this letter will be posted" in response.content.decode()
    # What was typed is kept.
    assert letter.body.splitlines()[0] in response.content.decode().replace("&#x27;", "'")
    assert not Letter.objects.get(pk=letter.pk).is_final


def test_finalising_asks_for_confirmation_after_the_pdf_preview(
    cast, case, client_for, django_capture_on_commit_callbacks
):
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    client = client_for(cast.headteacher)
    confirm = reverse("letters:finalise", args=[letter.pk])

    # The preview is not made yet: confirming is refused.
    response = client.post(confirm, {"revision": letter.revision}, follow=True)
    assert "Wait for the PDF preview and check it before finalising." in response.content.decode()
    assert not Letter.objects.get(pk=letter.pk).is_final

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:edit", args=[letter.pk]), draft_form(letter))
    assert response.url == confirm
    letter.refresh_from_db()
    assert not letter.is_final and letter.pdf_ready
    page = client.get(confirm).content.decode()
    assert "I have checked the PDF: finalise the letter" in page
    assert reverse("letters:pdf", args=[letter.pk]) in page

    # Someone edits the draft after the check: the old confirmation no longer finalises it.
    checked = letter.revision
    actions.update_draft(letter=letter, by=cast.dsl, body=letter.body + "\n\nAdded later.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_preview(letter=letter)
    response = client.post(confirm, {"revision": checked}, follow=True)
    assert "The draft was changed after you checked it." in response.content.decode()
    assert not Letter.objects.get(pk=letter.pk).is_final

    letter.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm, {"revision": letter.revision})
    letter.refresh_from_db()
    assert letter.is_final and letter.body.endswith("Added later.")


def test_the_confirmation_is_the_headteachers_alone(cast, case, client_for):
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    for who in (cast.dsl, cast.staff, cast.other_headteacher):
        client = client_for(who)
        assert client.get(reverse("letters:finalise", args=[letter.pk])).status_code == 404
        assert client.post(reverse("letters:finalise", args=[letter.pk]), {"revision": 1}).status_code == 404
    assert not Letter.objects.get(pk=letter.pk).is_final


def test_a_warning_mentions_an_earlier_letter_only_when_one_was_sent(
    cast, case, django_capture_on_commit_callbacks, tmp_path
):
    incident, step = case
    first = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    text = final_pdf_text(cast, first, django_capture_on_commit_callbacks, tmp_path)
    assert "Written warning" in text
    assert "I wrote to you" not in text and "earlier" not in text
    assert "quoted below. The post is still online" in text

    # A removal request that was drafted but never sent does not count...
    removal_step = incident_actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.REMOVAL_REQUEST)
    removal = actions.create_letter(
        incident=incident, step=removal_step, kind=LetterKind.REMOVAL_REQUEST, by=cast.headteacher
    )
    final_pdf_text(cast, removal, django_capture_on_commit_callbacks, tmp_path)
    again = actions.create_letter(incident=incident, step=None, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    assert "I wrote to you" not in again.body
    # ...one handed over does.
    actions.record_handover(letter=removal, by=cast.headteacher, method=DeliveryMethod.HAND)
    later = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    sent_on = timezone.localdate()
    text = final_pdf_text(cast, later, django_capture_on_commit_callbacks, tmp_path)
    assert f"I wrote to you on {sent_on.day} {sent_on:%B %Y} about this post." in text


def test_the_letter_greets_mr_taylor_by_title_and_surname(cast, case, django_capture_on_commit_callbacks, tmp_path):
    incident, step = case
    parent = incident.poster_parent
    parent.title, parent.full_name = "Mr", "Sam Taylor"
    parent.save(update_fields=["title", "full_name"])
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    text = final_pdf_text(cast, letter, django_capture_on_commit_callbacks, tmp_path)
    assert "Dear Mr Taylor," in text and "Dear Sam Taylor" not in text


def test_the_title_and_surname_come_from_the_roll_when_the_account_has_none(cast, case):
    incident, step = case
    parent = incident.poster_parent
    parent.title, parent.full_name = "", "Sam Taylor Evans"
    parent.save(update_fields=["title", "full_name"])
    Contact.objects.create(
        school=cast.school,
        match_key="sam@example.org",
        title="Mrs",
        first_name="Sam",
        last_name="Taylor Evans",
        user=parent,
    )
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    assert letter.body.startswith("Dear Mrs Taylor Evans,")
    assert letter.recipient_name == "Mrs Sam Taylor Evans"


def test_the_email_comes_from_the_school_and_replies_go_to_its_office(cast, case, django_capture_on_commit_callbacks):
    cast.school.email = "office@northbrook.example"
    cast.school.save(update_fields=["email"])
    incident, step = case
    incident.school.refresh_from_db()
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        actions.finalise(letter=letter, by=cast.headteacher)
    letter.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        actions.email_letter(letter=letter, by=cast.headteacher, to="sian@example.org")
    message = mail.outbox[-1]
    assert message.from_email.startswith("Northbrook Primary School <")
    assert "no-reply" not in message.from_email.split("<")[0]
    assert message.reply_to == ["office@northbrook.example"]
    assert message.message()["Reply-To"] == "office@northbrook.example"


@pytest.mark.parametrize("how", ["email", DeliveryMethod.POST, DeliveryMethod.HAND])
def test_sending_the_warning_completes_its_step_as_sent(cast, case, django_capture_on_commit_callbacks, how):
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        actions.finalise(letter=letter, by=cast.headteacher)
    letter.refresh_from_db()
    assert EscalationStep.objects.get(pk=step.pk).is_pending  # finalising alone sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        if how == "email":
            actions.email_letter(letter=letter, by=cast.headteacher, to="sian@example.org")
        else:
            actions.record_handover(letter=letter, by=cast.headteacher, method=how)
    step.refresh_from_db()
    assert step.outcome == Outcome.SENT and step.completed_by == cast.headteacher
    assert incident.timeline.filter(summary="Written warning: sent").exists()
    # The headteacher can still change it.
    incident_actions.record_step_outcome(
        step=step, by=cast.headteacher, outcome=Outcome.REMOVED_AFTER_WARNING, change=True
    )
    assert EscalationStep.objects.get(pk=step.pk).outcome == Outcome.REMOVED_AFTER_WARNING


def test_a_removal_request_stays_open_until_the_post_is_removed(cast, django_capture_on_commit_callbacks):
    incident, step = make_case(cast, kind=StepKind.REMOVAL_REQUEST)
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.REMOVAL_REQUEST, by=cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        actions.finalise(letter=letter, by=cast.headteacher)
    actions.record_handover(letter=letter, by=cast.headteacher, method=DeliveryMethod.POST)
    step.refresh_from_db()
    assert step.is_pending and step.due_date == timezone.localdate() + timedelta(days=7)
