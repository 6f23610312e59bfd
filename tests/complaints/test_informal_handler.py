"""The informal stage belongs to the class teacher (or the member of staff the headteacher
chooses): they handle that complaint, only while it is informal, and nothing else."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AccessLog, Membership, Role
from complaints import actions
from complaints.models import Complaint, EntryKind, Stage
from tests.factories import make_class, make_pupil, make_user

from .conftest import png_upload, raise_complaint, to_panel


@pytest.fixture
def teacher(cast):
    """Priya (staff) teaches the Otters, Mia's class."""
    cast.school_class.teacher = cast.staff
    cast.school_class.save()
    return cast.staff


def _detail(pk: int) -> str:
    return reverse("complaints:detail", args=[pk])


# --- Who gets it by default ------------------------------------------------------------------


def test_the_class_teacher_handles_the_informal_stage_by_default(cast, teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = raise_complaint(cast)
    assert complaint.informal_handler == teacher
    assert complaint.history.first().informal_handler_id == teacher.pk
    assert any(m.to == [teacher.email] and complaint.reference in m.subject for m in mail.outbox)
    note = complaint.entries.get(kind=EntryKind.NOTE)
    assert "Priya Teacher" in note.summary and not note.visible_to_parent


def test_nobody_by_default_without_a_class_teacher_or_child(cast):
    assert raise_complaint(cast).informal_handler is None  # the Otters have no teacher yet
    cast.school_class.teacher = cast.staff
    cast.school_class.save()
    assert raise_complaint(cast, parent=cast.other_school_parent, pupil=None).informal_handler is None


def test_nobody_by_default_when_the_teacher_is_not_active_staff_here(cast, teacher):
    Membership.objects.filter(user=teacher).update(is_active=False)
    assert raise_complaint(cast).informal_handler is None
    outsider = make_user(cast.other_school, Role.STAFF, name="Elsewhere Teacher")
    cast.school_class.teacher = outsider
    cast.school_class.save()
    assert raise_complaint(cast).informal_handler is None
    cast.school_class.teacher = cast.parent  # a parent, not staff
    cast.school_class.save()
    assert raise_complaint(cast).informal_handler is None


# --- The headteacher assigns -----------------------------------------------------------------


def test_headteacher_reassigns_to_another_member_of_staff(
    cast, teacher, client_for, django_capture_on_commit_callbacks
):
    complaint = raise_complaint(cast)
    mail.outbox.clear()
    client = client_for(cast.headteacher)
    page = client.get(_detail(complaint.pk)).content.decode()
    assert "Handled by Priya Teacher" in page and "Member of staff handling the informal stage" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("complaints:assign_handler", args=[complaint.pk]), {"handler": cast.dsl.pk})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.informal_handler == cast.dsl
    assert [m.to for m in mail.outbox] == [[cast.dsl.email]]
    assert complaint.entries.filter(kind=EntryKind.NOTE, summary__contains="Tom Safeguard").exists()
    # Unassigned: the headteacher alone has it.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("complaints:assign_handler", args=[complaint.pk]), {"handler": ""})
    complaint.refresh_from_db()
    assert complaint.informal_handler is None
    assert {h.informal_handler_id for h in complaint.history.all()} >= {teacher.pk, cast.dsl.pk, None}


@pytest.mark.parametrize("who", ["parent", "governor", "office", "other_headteacher"])
def test_only_staff_of_the_same_school_can_be_chosen(cast, teacher, client_for, who):
    complaint = raise_complaint(cast)
    client = client_for(cast.headteacher)
    response = client.post(
        reverse("complaints:assign_handler", args=[complaint.pk]), {"handler": getattr(cast, who).pk}
    )
    assert response.status_code == 400
    assert "Choose a member of staff at this school." in response.content.decode()
    complaint.refresh_from_db()
    assert complaint.informal_handler == teacher


def test_only_the_headteacher_assigns_and_only_at_the_informal_stage(cast, teacher, client_for):
    complaint = raise_complaint(cast)
    staff_client = client_for(teacher)
    url = reverse("complaints:assign_handler", args=[complaint.pk])
    assert staff_client.post(url, {"handler": cast.dsl.pk}).status_code == 404
    actions.move_stage(complaint=complaint, by=cast.headteacher, stage=Stage.FORMAL, reason="Formal review.")
    response = client_for(cast.headteacher).post(url, {"handler": cast.dsl.pk})
    assert response.status_code == 400
    assert "Only a complaint at the informal stage" in response.content.decode()


# --- What the assigned member of staff can do ------------------------------------------------


def test_assigned_staff_handles_the_complaint_at_the_informal_stage(
    cast, teacher, client_for, django_capture_on_commit_callbacks
):
    complaint = raise_complaint(cast, subject="Group chat after the trip", files=[png_upload("chat.png")])
    mail.outbox.clear()
    client = client_for(teacher)

    listing = client.get(reverse("complaints:assigned")).content.decode()
    assert "Group chat after the trip" in listing
    page = client.get(_detail(complaint.pk)).content.decode()
    assert "This complaint is with you at the informal stage" in page
    assert "Move the complaint on" not in page and "Linked incident" not in page and "Governors" not in page
    assert AccessLog.objects.filter(user=teacher, object_id=str(complaint.pk), action="view").exists()
    attachment = complaint.attachments.get()
    assert client.get(attachment.get_absolute_url()).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(reverse("complaints:acknowledge", args=[complaint.pk]), {"acknowledgement": "Thank you."})
    assert ok.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            reverse("complaints:respond", args=[complaint.pk]),
            {"message": "I spoke to the class today.", "final": "on"},
        )
    assert ok.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(reverse("complaints:note_add", args=[complaint.pk]), {"text": "Parent seemed reassured."})
    assert ok.status_code == 302
    complaint.refresh_from_db()
    assert complaint.acknowledged_at and complaint.responded_at and complaint.stage == Stage.INFORMAL
    authored = complaint.entries.filter(author=teacher).values_list("kind", flat=True)
    assert sorted(authored) == sorted([EntryKind.ACKNOWLEDGEMENT, EntryKind.RESPONSE, EntryKind.NOTE])
    assert cast.parent.email in {address for m in mail.outbox for address in m.to}

    # They cannot move the stage, link an incident or release anything.
    for name, data in (
        ("complaints:stage", {"stage": "closed", "reason": "Sorted."}),
        ("complaints:link_incident", {"reference": ""}),
        ("complaints:release_names", {}),
    ):
        assert client.post(reverse(name, args=[complaint.pk]), data).status_code == 404
    complaint.refresh_from_db()
    assert complaint.stage == Stage.INFORMAL
    assert client.get(reverse("complaints:list")).status_code == 404


def test_assigned_staff_loses_the_complaint_once_it_is_formal(cast, teacher, client_for):
    complaint = raise_complaint(cast)
    attachment_complaint = raise_complaint(cast, files=[png_upload()])
    client = client_for(teacher)
    assert client.get(_detail(complaint.pk)).status_code == 200
    for item in (complaint, attachment_complaint):
        actions.move_stage(complaint=item, by=cast.headteacher, stage=Stage.FORMAL, reason="Formal review.")
    assert client.get(_detail(complaint.pk)).status_code == 404
    assert client.post(reverse("complaints:respond", args=[complaint.pk]), {"message": "Hi"}).status_code == 404
    assert client.post(reverse("complaints:note_add", args=[complaint.pk]), {"text": "x"}).status_code == 404
    assert client.get(attachment_complaint.attachments.get().get_absolute_url()).status_code == 404
    assert "Playground incident" not in client.get(reverse("complaints:assigned")).content.decode()
    # The headteacher keeps it, at every stage.
    head = client_for(cast.headteacher)
    assert head.get(_detail(complaint.pk)).status_code == 200
    to_panel(raise_complaint(cast), cast.headteacher)
    complaint = actions.move_stage(complaint=complaint, by=cast.headteacher, stage=Stage.PANEL, reason="Panel.")
    assert head.get(_detail(complaint.pk)).status_code == 200
    assert client_for(teacher).get(_detail(complaint.pk)).status_code == 404


def test_staff_get_404_on_a_complaint_not_assigned_to_them(cast, teacher, client_for):
    unassigned = raise_complaint(cast, parent=cast.other_parent, pupil=None)
    assert unassigned.informal_handler is None
    for_dsl = raise_complaint(cast)
    actions.assign_informal_handler(complaint=for_dsl, by=cast.headteacher, handler=cast.dsl)
    client = client_for(teacher)
    for complaint in (unassigned, for_dsl):
        assert client.get(_detail(complaint.pk)).status_code == 404
        assert client.post(reverse("complaints:respond", args=[complaint.pk]), {"message": "Hi"}).status_code == 404
    page = client.get(reverse("complaints:assigned")).content.decode()
    assert "No complaint is with you at the moment." in page


def test_staff_of_another_school_get_404(cast, client_for):
    outsider = make_user(cast.other_school, Role.STAFF, name="Elsewhere Teacher")
    cast.school_class.teacher = outsider  # mis-set class: still never theirs
    cast.school_class.save()
    complaint = raise_complaint(cast)
    assert complaint.informal_handler is None
    Complaint.objects.filter(pk=complaint.pk).update(informal_handler=outsider)  # even if it were
    client = client_for(outsider)
    assert client.get(_detail(complaint.pk)).status_code == 404
    assert "Playground incident" not in client.get(reverse("complaints:assigned")).content.decode()


def test_staff_home_page_and_navigation_show_assigned_complaints(cast, teacher, client_for):
    client = client_for(teacher)
    home = client.get(reverse("dashboard:home")).content.decode()
    assert "Complaints assigned to me" in home  # the navigation entry
    raise_complaint(cast, subject="Trip photos in the chat")
    home = client.get(reverse("dashboard:home")).content.decode()
    assert "Trip photos in the chat" in home


def test_assigned_list_has_a_constant_query_count(cast, teacher, client_for, django_assert_max_num_queries):
    client = client_for(teacher)

    def add(n: int) -> None:
        for index in range(n):
            parent = make_user(cast.school, Role.PARENT)
            pupil = make_pupil(cast.school, cast.school_class, first=f"Child{index}", parent=parent)
            raise_complaint(cast, parent=parent, pupil=pupil)

    def count() -> int:
        with django_assert_max_num_queries(20) as context:
            assert client.get(reverse("complaints:assigned")).status_code == 200
        return len(context.captured_queries)

    add(2)
    small = count()
    add(12)
    assert count() == small


def test_deadline_reminders_reach_the_handler_exactly_once(cast, teacher, django_capture_on_commit_callbacks):
    complaint = raise_complaint(cast)
    other_class = make_class(cast.school, "Badgers")
    other_class.teacher = cast.dsl
    other_class.save()
    not_theirs = raise_complaint(cast, pupil=make_pupil(cast.school, other_class, first="Zoe", parent=cast.parent))
    assert not_theirs.informal_handler == cast.dsl
    mail.outbox.clear()
    due = complaint.next_due_on
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.run_deadline_sweep(today=due).reminders == 2
        assert actions.run_deadline_sweep(today=due).reminders == 0
    to_teacher = [m for m in mail.outbox if teacher.email in m.to]
    assert len(to_teacher) == 1 and complaint.reference in to_teacher[0].subject
    assert sorted(to_teacher[0].to) == sorted([cast.headteacher.email, teacher.email])
    # Once formal, the headteacher alone is reminded.
    mail.outbox.clear()
    complaint = actions.move_stage(complaint=complaint, by=cast.headteacher, stage=Stage.FORMAL, reason="Formal.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.run_deadline_sweep(today=complaint.next_due_on)
    mine = [m for m in mail.outbox if complaint.reference in m.subject and "deadline" in m.subject]
    assert [m.to for m in mine] == [[cast.headteacher.email]]
