"""Parents raise complaints, see only their own, and never the school's internal notes."""

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import actions
from complaints.models import Attachment, Complaint, Stage

from .conftest import png_upload, raise_complaint


def test_parent_raises_a_complaint_with_a_screenshot(cast, client_for, django_capture_on_commit_callbacks):
    client = client_for(cast.parent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("complaints:raise"),
            {
                "pupil": cast.child.pk,
                "subject": "Comments in the class group chat",
                "details": "Some parents were unkind about the Otters trip.",
                "desired_outcome": "A reminder to parents about the group chat.",
                "attachments": [png_upload()],
            },
        )
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:my_complaint", args=[complaint.pk])
    assert complaint.stage == Stage.INFORMAL and complaint.parent == cast.parent and complaint.pupil == cast.child
    assert complaint.acknowledge_by and complaint.respond_by and complaint.next_due_on == complaint.acknowledge_by
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png" and len(attachment.sha256) == 64
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [cast.headteacher.email, cast.parent.email]


def test_a_file_that_is_not_a_picture_is_refused_and_the_text_kept(cast, client_for):
    client = client_for(cast.parent)
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image at all", content_type="image/png")
    response = client.post(
        reverse("complaints:raise"),
        {
            "subject": "Group chat",
            "details": "Details typed carefully.",
            "desired_outcome": "An apology",
            "attachments": [fake],
        },
    )
    assert response.status_code == 400
    assert "not a picture or PDF we can accept" in response.content.decode()
    assert "Details typed carefully." in response.content.decode()
    assert not Complaint.objects.exists()


def test_parent_cannot_choose_another_familys_child(cast, client_for):
    client = client_for(cast.parent)
    response = client.post(
        reverse("complaints:raise"),
        {"pupil": cast.other_child.pk, "subject": "x", "details": "y", "desired_outcome": "z"},
    )
    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_parent_sees_only_their_own_complaints(cast, client_for):
    mine = raise_complaint(cast, subject="My concern")
    theirs = raise_complaint(cast, parent=cast.other_parent, pupil=cast.other_child, subject="Their concern")
    client = client_for(cast.parent)
    page = client.get(reverse("complaints:my_complaints")).content.decode()
    assert "My concern" in page and "Their concern" not in page
    assert client.get(reverse("complaints:my_complaint", args=[mine.pk])).status_code == 200
    assert client.get(reverse("complaints:my_complaint", args=[theirs.pk])).status_code == 404
    # Nor the school's pages.
    assert client.get(reverse("complaints:detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("complaints:list")).status_code == 404


def test_parent_sees_responses_but_never_internal_notes(cast, client_for):
    complaint = raise_complaint(cast)
    actions.add_note(complaint=complaint, by=cast.headteacher, text="Secret: the teacher is on a warning.")
    actions.respond(complaint=complaint, by=cast.headteacher, message="We have spoken to the class.", final=True)
    page = client_for(cast.parent).get(reverse("complaints:my_complaint", args=[complaint.pk])).content.decode()
    assert "We have spoken to the class." in page
    assert "Secret" not in page and "on a warning" not in page


def test_parent_downloads_their_own_file_but_not_anyone_elses(cast, client_for):
    complaint = raise_complaint(cast, files=[png_upload()])
    other = raise_complaint(cast, parent=cast.other_parent, pupil=cast.other_child, files=[png_upload("b.png")])
    client = client_for(cast.parent)
    mine = complaint.attachments.get()
    response = client.get(reverse("complaints:attachment", args=[mine.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(reverse("complaints:attachment", args=[other.attachments.get().pk])).status_code == 404


def test_other_roles_cannot_raise_complaints(cast, client_for):
    assert client_for(cast.staff).get(reverse("complaints:raise")).status_code == 404
    assert client_for(cast.governor).get(reverse("complaints:my_complaints")).status_code == 404


def test_an_attachment_downloads_under_a_name_built_from_its_type(cast, client_for):
    complaint = raise_complaint(cast, files=[png_upload("screenshot.png"), png_upload("evidence.html")])
    first, second = complaint.attachments.order_by("pk")
    client = client_for(cast.headteacher)
    response = client.get(reverse("complaints:attachment", args=[second.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="attachment-{complaint.reference}-2.png"'
    response = client.get(reverse("complaints:attachment", args=[first.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="attachment-{complaint.reference}-1.png"'
