"""Demo cluster alert: the first demo school warns the other about a post in a community group
both schools' families use. Idempotent: nothing is added if the alert is already there."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Membership, Role
from incidents import actions as incident_actions
from incidents.cluster import actions
from incidents.cluster.drafts import Draft
from incidents.models import ClusterAlert, Incident, Nature, Status, StepKind

DRAFT = Draft.from_data(
    {
        "platform_name": "Facebook",
        "natures": [Nature.OFFENSIVE_NAMED, Nature.COMPLAINT],
        "account_is_public": True,
        "account_name": "Northbrook and Hollins Vale community noticeboard",
        "summary": (
            "Over two weeks a parent posted several times in this public group that a member of our "
            "teaching staff is not fit to work with children, and suggested parents wait at the gate "
            "to confront them. Others joined in underneath."
        ),
        "actions_taken": (
            "We asked for the posts to come down; when they stayed up we wrote a formal warning. "
            "Gate staff know to call the office if a group gathers."
        ),
        "advice": (
            "Families from more than one school use this group. If your staff are mentioned, save "
            "screenshots with the date showing before posts are deleted, and tell your gate staff."
        ),
        "show_school_name": False,
    }
)


def seed(schools, story_content: str, stdout) -> None:
    if len(schools) < 2 or schools[0].cluster_id is None:
        return
    school = schools[0]
    incident = Incident.objects.filter(school=school, content=story_content).first()
    if incident is None or ClusterAlert.objects.filter(incident=incident).exists():
        return
    if incident.status not in (Status.TRIAGED, Status.IN_PROGRESS):
        return
    head = (
        Membership.objects.filter(school=school, role=Role.HEADTEACHER, is_active=True).select_related("user").first()
    )
    if head is None:
        return
    with transaction.atomic():
        step = incident_actions.add_step(incident=incident, by=head.user, kind=StepKind.CLUSTER_ALERT)
        alert = actions.send_alert(step=step, by=head.user, draft=DRAFT)
    stdout.write(f"incidents: {school.short_code} sent a cluster alert to {alert.recipients_count} other school(s)")
