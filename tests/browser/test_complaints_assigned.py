"""A parent's failed submit keeps the chosen file; the class teacher then handles the complaint."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from complaints.models import Complaint, EntryKind, Stage

pytestmark = pytest.mark.django_db(transaction=True)


def _png(tmp_path, name: str = "group-chat.png"):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 110, 170)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_file_survives_a_failed_submit_and_the_class_teacher_responds(
    cast, page, new_page, sign_in_page, assert_axe_clean, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    cast.school_class.teacher = cast.staff
    cast.school_class.save()

    # The parent forgets the outcome they want, but chooses a screenshot.
    parent = page
    sign_in_page(parent, cast.parent)
    parent.goto(reverse("complaints:raise"))
    parent.get_by_label("Child").select_option(label=cast.child.full_name)
    parent.get_by_label("In a few words, what is it about?").fill("Photos of the class shared in a chat")
    parent.get_by_label("Tell us what happened").fill("Photos from the trip were posted in the year group chat.")
    parent.get_by_label("Attach screenshots or documents (optional)").set_input_files(str(_png(tmp_path)))
    parent.get_by_role("button", name="Send to the school").click()
    parent.get_by_text("Some answers need another look.").wait_for()
    parent.get_by_role("heading", name="Files attached so far").wait_for()
    assert parent.get_by_role("button", name="Remove group-chat.png").is_visible()
    assert parent.get_by_label("Tell us what happened").input_value().startswith("Photos from the trip")
    assert_axe_clean(parent, name="complaints-raise-kept-file")

    parent.get_by_label("What would you like the school to do?").fill("The photos taken down.")
    parent.get_by_role("button", name="Send to the school").click()
    parent.get_by_role("heading", name="Photos of the class shared in a chat").wait_for()
    complaint = Complaint.objects.get()
    assert complaint.informal_handler == cast.staff
    assert list(complaint.attachments.values_list("original_name", flat=True)) == ["group-chat.png"]

    # The class teacher sees it under "assigned to me" and writes to the parent.
    teacher = new_page()
    sign_in_page(teacher, cast.staff)
    teacher.goto(reverse("dashboard:home"))
    teacher.get_by_role("link", name="Complaints assigned to me").first.click()
    teacher.get_by_role("heading", name="Complaints assigned to me").wait_for()
    teacher.get_by_role("link", name=complaint.reference).click()
    teacher.get_by_text("This complaint is with you at the informal stage.").wait_for()
    assert teacher.get_by_role("heading", name="Move the complaint on").count() == 0
    teacher.locator("#id_message").fill("Thank you for telling us. I have asked the parents to remove the photos.")
    teacher.get_by_label("This is the school's response at this stage").check()
    teacher.get_by_role("button", name="Send to the parent").click()
    teacher.get_by_text("Message sent to the parent.").wait_for()
    assert_axe_clean(teacher, name="complaints-assigned")
    complaint.refresh_from_db()
    assert complaint.stage == Stage.INFORMAL and complaint.responded_at is not None
    assert complaint.entries.filter(kind=EntryKind.RESPONSE, author=cast.staff).exists()
