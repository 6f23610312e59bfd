"""Demo complaints: one at each stage, including one decided by a governors' panel.

The informal one is handled by the child's class teacher: seed_demo gives classes no teacher, so
the school's demo member of staff becomes the teacher of that child's class if it has none.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Membership, ParentLink, Role, User
from complaints import actions
from complaints.models import Complaint, ComplaintSettings, Stage

STORIES: list[dict[str, Any]] = [
    {
        "subject": "Photos from sports day shared in a parents' group",
        "details": (
            "After sports day a parent posted photos of the whole class in the year group chat, including "
            "children whose families did not agree to photos. My child is clearly visible. I asked for them "
            "to be taken down but nothing has happened."
        ),
        "outcome": "The photos removed, and a reminder to parents about sharing pictures of other children.",
        "stage": Stage.INFORMAL,
    },
    {
        "subject": "How a comment about my child online was handled",
        "details": (
            "I reported a comment about my child on a local community page two weeks ago. I have not heard "
            "what the school did, and the comment is still there."
        ),
        "outcome": "To know what steps were taken, and for the comment to be removed.",
        "stage": Stage.FORMAL,
        "responses": ["Thank you for your patience. We reported the comment to the platform on the day you told us."],
    },
    {
        "subject": "Decision to restrict my access to the class forum",
        "details": (
            "My access to the class forum was restricted after a disagreement with another parent. I do not "
            "think this was fair, and I was not given a chance to explain."
        ),
        "outcome": "My access restored and a meeting to discuss what happened.",
        "stage": Stage.PANEL,
        "responses": [
            "We restricted access for four weeks, in line with our social media policy, after posts that named a member of staff.",
        ],
    },
    {
        "subject": "Lack of response to a cyber-bullying report",
        "details": "My report about messages sent to my child in an online game was not answered for a week.",
        "outcome": "An apology and a named contact for future reports.",
        "stage": Stage.CLOSED,
        "panel": True,
    },
]


def seed(schools, options, stdout) -> None:
    for school in schools:
        people: dict[str, User] = {}
        for membership in (
            Membership.objects.filter(school=school, is_active=True).select_related("user").order_by("pk")
        ):
            people.setdefault(membership.role, membership.user)
        head, governor, staff = people.get(Role.HEADTEACHER), people.get(Role.GOVERNOR), people.get(Role.STAFF)
        parents = list(
            ParentLink.objects.filter(pupil__school=school).select_related("parent", "pupil").order_by("pk")[:8]
        )
        if head is None or not parents:
            continue
        ComplaintSettings.objects.get_or_create(school=school)
        made = 0
        for index, story in enumerate(STORIES):
            link = parents[index % len(parents)]
            if story["stage"] == Stage.INFORMAL and staff is not None:
                _give_class_a_teacher(link.pupil, staff)
            if Complaint.objects.filter(school=school, subject=story["subject"]).exists():
                continue
            complaint = actions.raise_complaint(
                school=school,
                parent=link.parent,
                pupil=link.pupil,
                subject=story["subject"],
                details=story["details"],
                desired_outcome=story["outcome"],
            )
            Complaint.objects.filter(pk=complaint.pk).update(created_at=timezone.now() - timedelta(days=6 * index + 2))
            complaint.refresh_from_db()
            if story["stage"] == Stage.INFORMAL:
                made += 1
                continue
            actions.acknowledge(
                complaint=complaint, by=head, message="Thank you for raising this. We are looking into it."
            )
            for text in story.get("responses", []):
                actions.respond(complaint=complaint, by=head, message=text, final=True)
            actions.add_note(complaint=complaint, by=head, text="Spoke to the class teacher; notes kept on file.")
            complaint = actions.move_stage(
                complaint=complaint, by=head, stage=Stage.FORMAL, reason="The parent asked for a formal review."
            )
            if story["stage"] in (Stage.PANEL, Stage.CLOSED):
                complaint = actions.move_stage(
                    complaint=complaint, by=head, stage=Stage.PANEL, reason="The parent asked for a governors' panel."
                )
            if story.get("panel") and governor is not None:
                actions.declare(complaint=complaint, governor=governor, has_conflict=False)
                record = actions.record_panel_decision(
                    complaint=complaint,
                    by=governor,
                    meeting_date=timezone.localdate() - timedelta(days=1),
                    members=f"{governor.full_name}\nChair of governors\nCo-opted governor",
                    decision="partly_upheld",
                    reasons=(
                        "The panel found that the report was acted on, but the family was not kept informed. "
                        "The school will name a contact for each report and reply within two school days."
                    ),
                )
                actions.finalise_panel_letter(record=record, by=governor)
            made += 1
        stdout.write(f"complaints: {school.short_code} {made} demo complaints added")


def _give_class_a_teacher(pupil, staff) -> None:
    """Make `staff` the teacher of the pupil's class, unless the class already has one."""
    school_class = pupil.school_class
    if school_class is not None and school_class.teacher_id is None:
        school_class.teacher = staff
        school_class.save(update_fields=["teacher"])
