"""A failed complaint submit loses nothing: good files are kept (staged) and attached on success."""

import hashlib
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints import actions
from complaints.models import Attachment, Complaint
from files import staging
from files.models import StagedUpload
from schoolsocial.lib.uploads import inspect_upload

from .conftest import png_upload

TOKEN = "2b1f0c8e-5d7a-4c3b-9e21-6a4f8d0b7c15"


def _post(client, token=TOKEN, **fields):
    data = {
        "form_token": token,
        "pupil": "",
        "subject": "Comments in the class group chat",
        "details": "Some parents were unkind about the Otters trip.",
        "desired_outcome": "A reminder to parents about the group chat.",
        **fields,
    }
    return client.post(reverse("complaints:raise"), data)


def test_a_file_is_kept_after_a_failed_submit_and_attached_on_success(
    cast, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.parent)
    upload = png_upload("chat.png")
    original = upload.read()
    upload.seek(0)

    response = _post(client, subject="", attachments=[upload])
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page and "chat.png" in page and "Remove" in page
    assert "Some parents were unkind about the Otters trip." in page
    assert not Complaint.objects.exists()
    staged = StagedUpload.objects.get()
    assert staged.uploaded_by == cast.parent and str(staged.form_token) == TOKEN
    staged_name = staged.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client)  # no file chosen again
    complaint = Complaint.objects.get()
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.complaint == complaint and attachment.uploaded_by == cast.parent
    assert attachment.original_name == "chat.png" and attachment.content_type == "image/png"
    assert attachment.size == len(original) and attachment.sha256 == hashlib.sha256(original).hexdigest()
    assert attachment.uploaded_at == staged.created_at
    assert attachment.file.name.startswith(f"complaints/{cast.school.pk}/")
    with attachment.file.open("rb") as handle:
        assert handle.read() == original
    assert not StagedUpload.objects.exists()
    assert not staged.file.storage.exists(staged_name)  # the staged copy goes once the complaint is saved


def test_a_form_without_a_token_still_keeps_its_files(cast, client_for):
    client = client_for(cast.parent)
    response = _post(client, token="not-a-token", subject="", attachments=[png_upload("a.png")])
    assert response.status_code == 400
    staged = StagedUpload.objects.get()
    assert str(staged.form_token) in response.content.decode()  # the page carries the fresh token


def test_another_persons_staged_file_can_never_be_attached(cast, client_for):
    # Someone else's file, staged under the token this parent will send.
    upload = png_upload("theirs.png")
    staging.stage(
        school=cast.school,
        user=cast.other_parent,
        form_token=uuid.UUID(TOKEN),
        upload=upload,
        facts=inspect_upload(upload),
    )
    client = client_for(cast.parent)
    response = _post(client)
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert StagedUpload.objects.filter(uploaded_by=cast.other_parent).count() == 1
    # Nor through the action directly, nor with their file under another token.
    complaint = actions.raise_complaint(
        school=cast.school,
        parent=cast.parent,
        subject="x",
        details="y",
        desired_outcome="z",
        form_token=uuid.UUID(TOKEN),
    )
    assert not complaint.attachments.exists()


def test_a_file_staged_on_another_form_is_not_attached(cast, client_for):
    client = client_for(cast.parent)
    _post(client, token=str(uuid.uuid4()), subject="", attachments=[png_upload("other-form.png")])
    assert StagedUpload.objects.count() == 1
    assert _post(client).status_code == 302
    assert not Attachment.objects.exists()


def test_another_person_cannot_remove_a_staged_file(cast, client_for):
    client = client_for(cast.parent)
    _post(client, subject="", attachments=[png_upload("mine.png")])
    staged = StagedUpload.objects.get()
    other = client_for(cast.other_parent)
    other.post(reverse("complaints:raise"), {"form_token": TOKEN, "remove_upload": staged.pk})
    assert StagedUpload.objects.filter(pk=staged.pk).exists()


def test_remove_takes_a_staged_file_off_and_keeps_the_text(cast, client_for):
    client = client_for(cast.parent)
    _post(client, subject="", attachments=[png_upload("keep.png"), png_upload("drop.png")])
    drop = StagedUpload.objects.get(original_name="drop.png")
    response = _post(client, subject="Half typed", remove_upload=drop.pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert "keep.png" in page and "drop.png" not in page and "Half typed" in page
    assert "This field is required" not in page
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["keep.png"]
    assert _post(client).status_code == 302
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["keep.png"]


def test_the_file_limit_counts_staged_and_new_files(cast, client_for):
    client = client_for(cast.parent)
    first = [png_upload(f"first-{n}.png") for n in range(actions.MAX_FILES - 1)]
    _post(client, subject="", attachments=first)
    assert StagedUpload.objects.count() == actions.MAX_FILES - 1
    response = _post(client, attachments=[png_upload("last.png"), png_upload("one-too-many.png")])
    assert response.status_code == 400
    assert "“one-too-many.png” was not added" in response.content.decode()
    assert StagedUpload.objects.count() == actions.MAX_FILES
    assert not Complaint.objects.exists()
    assert _post(client).status_code == 302
    assert Attachment.objects.count() == actions.MAX_FILES


def test_a_bad_file_is_explained_beside_the_field_and_good_ones_kept(cast, client_for):
    client = client_for(cast.parent)
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image at all", content_type="image/png")
    response = _post(client, attachments=[png_upload("good.png"), fake])
    assert response.status_code == 400
    page = response.content.decode()
    assert "not a picture or PDF we can accept" in page
    assert 'id="error_1_id_attachments"' in page  # beside the file field
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["good.png"]
    assert not Complaint.objects.exists()
    assert _post(client).status_code == 302
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["good.png"]
