"""Complaints as a conversation: the parent writes (with files) at any open stage and asks for the
next stage with a reason; the school sees the whole exchange and is told of each, once."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from complaints.models import Attachment, ComplaintEntry, EntryKind, Stage

from .conftest import png_upload, raise_complaint, to_panel


def _url(complaint):
    return reverse("complaints:my_complaint", args=[complaint.pk])


def test_the_parent_writes_with_a_file_and_the_school_sees_it(cast, client_for, django_capture_on_commit_callbacks):
    complaint = raise_complaint(cast)
    client = client_for(cast.parent)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(complaint),
            {"send_message": "1", "text": "It happened again on Friday.", "attachments": [png_upload("friday.png")]},
        )
    assert response.status_code == 302
    entry = ComplaintEntry.objects.get(complaint=complaint, kind=EntryKind.PARENT_MESSAGE)
    assert entry.body == "It happened again on Friday." and "with 1 file" in entry.summary
    assert Attachment.objects.filter(complaint=complaint, original_name="friday.png", uploaded_by=cast.parent).exists()
    # The school is told, without the message's words in the email.
    told = [m for m in mail.outbox if "wrote on complaint" in m.subject]
    assert len(told) == 1 and cast.headteacher.email in told[0].to
    assert "happened again" not in told[0].body
    assert "It happened again on Friday." in client.get(_url(complaint)).content.decode()
    school_page = client_for(cast.headteacher).get(complaint.get_absolute_url()).content.decode()
    assert "It happened again on Friday." in school_page and "friday.png" in school_page


def test_a_message_that_needs_another_look_keeps_the_files_and_the_text(cast, client_for):
    complaint = raise_complaint(cast)
    client = client_for(cast.parent)
    response = client.post(_url(complaint), {"send_message": "1", "text": "", "attachments": [png_upload("kept.png")]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "kept.png" in page and "are kept" in page
    token = response.context["message_form"]["form_token"].value()
    client.post(_url(complaint), {"send_message": "1", "text": "Now with words.", "form_token": token})
    assert Attachment.objects.filter(complaint=complaint, original_name="kept.png").count() == 1


def test_nobody_else_can_write_in_a_parents_complaint(cast, client_for):
    complaint = raise_complaint(cast)
    for user in (cast.other_parent, cast.other_school_parent, cast.staff):
        client = client_for(user)
        assert client.post(_url(complaint), {"send_message": "1", "text": "Not mine"}).status_code == 404
        assert client.post(_url(complaint), {"ask_next_stage": "1", "reason": "Not mine"}).status_code == 404
    assert not ComplaintEntry.objects.filter(kind__in=[EntryKind.PARENT_MESSAGE, EntryKind.STAGE_REQUEST]).exists()


def test_the_parent_asks_once_for_the_next_stage_and_the_headteacher_sees_why(
    cast, client_for, django_capture_on_commit_callbacks
):
    complaint = raise_complaint(cast)
    client = client_for(cast.parent)
    page = client.get(_url(complaint)).content.decode()
    assert "Ask for the formal (headteacher) stage" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(complaint), {"ask_next_stage": "1", "reason": "The teacher has not replied in two weeks."})
        client.post(_url(complaint), {"ask_next_stage": "1", "reason": "Again"})  # a second click
    requests = ComplaintEntry.objects.filter(complaint=complaint, kind=EntryKind.STAGE_REQUEST)
    assert requests.count() == 1 and requests.get().body == "The teacher has not replied in two weeks."
    assert len([m for m in mail.outbox if "asks for the next stage" in m.subject]) == 1
    complaint.refresh_from_db()
    assert complaint.stage == Stage.INFORMAL  # moving on stays the headteacher's decision
    assert "You asked on" in client.get(_url(complaint)).content.decode()
    head_page = client_for(cast.headteacher).get(complaint.get_absolute_url()).content.decode()
    assert "The parent asked on" in head_page and "not replied in two weeks" in head_page


def test_a_closed_complaint_takes_no_messages_and_the_panel_stage_has_no_informal_box(cast, client_for):
    complaint = to_panel(raise_complaint(cast), cast.headteacher)
    head_page = client_for(cast.headteacher).get(complaint.get_absolute_url()).content.decode()
    assert "Informal stage</h2>" not in head_page
    client = client_for(cast.parent)
    page = client.get(_url(complaint)).content.decode()
    assert "Write to the school" in page and "Not resolved?" not in page  # the panel is the last stage

    complaint.stage = Stage.CLOSED
    complaint.save()
    page = client.get(_url(complaint)).content.decode()
    assert "Write to the school" not in page
    client.post(_url(complaint), {"send_message": "1", "text": "Late"})
    assert not ComplaintEntry.objects.filter(kind=EntryKind.PARENT_MESSAGE).exists()
