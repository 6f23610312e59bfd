"""Sending a cluster alert: one atomic act that stores the alert, completes the step, writes the
incident's timeline and queues one email per headteacher and DSL of every other cluster school."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, School, User
from accounts.permissions import roles_with
from notifications.outbox import notify

from .. import timeline
from ..actions import ActionError, refresh_next_due
from ..models import ClusterAlert, EntryKind, EscalationStep, Outcome, StepKind
from .drafts import Draft


def other_schools(school: School) -> list[School]:
    """The schools an alert from `school` goes to: the rest of its cluster (none without one)."""
    if school.cluster_id is None:
        return []
    return list(School.objects.filter(cluster_id=school.cluster_id).exclude(pk=school.pk).order_by("name"))


def why_nothing_to_send(school: School) -> str:
    """Plain words for a school that has nobody to alert, or "" when it has."""
    if school.cluster_id is None:
        return f"{school.name} does not belong to a cluster, so there are no other schools to alert."
    if not other_schools(school):
        return f"{school.name} is the only school in its cluster so far, so there is nobody to alert."
    return ""


@transaction.atomic
def send_alert(*, step: EscalationStep, by: User, draft: Draft) -> ClusterAlert:
    """Send `draft` to the rest of the cluster and record the step as "alert sent".

    Sending the same step twice (a double click, a resubmitted form) raises ActionError: the step
    holds at most one alert, and each email is keyed per alert and per person.
    """
    step = EscalationStep.objects.select_for_update().select_related("incident__school").get(pk=step.pk)
    incident, school = step.incident, step.incident.school
    if step.kind != StepKind.CLUSTER_ALERT:
        raise ActionError("This step is not an alert to the cluster.")
    if not step.is_pending:
        raise ActionError("This step is finished: its alert has already been sent, or it was skipped.")
    reason = why_nothing_to_send(school)
    if reason:
        raise ActionError(reason)
    assert school.cluster is not None  # why_nothing_to_send refuses a school outside a cluster
    if not draft.summary or not draft.natures or not draft.platform_name:
        raise ActionError("Say what happened, on which platform and what kind of post it was.")
    now = timezone.now()
    alert = draft.as_alert(school)
    alert.incident = incident
    alert.step = step
    alert.sent_by = by
    alert.sent_at = now
    alert.save()
    step.outcome = Outcome.ALERT_SENT
    step.completed_by = by
    step.completed_at = now
    step.save()
    emailed = email_alert(alert)
    schools = other_schools(school)
    ClusterAlert.objects.filter(pk=alert.pk).update(recipients_count=len(schools))
    alert.recipients_count = len(schools)
    noun = "school" if len(schools) == 1 else "schools"
    timeline.record(
        incident,
        by,
        EntryKind.ALERT,
        f"Anonymised alert sent to {len(schools)} other {noun} in {school.cluster.name}",
        body=f"Emailed to {emailed} {'person' if emailed == 1 else 'people'}: their headteachers and safeguarding leads.",
        step=step,
        link=alert.get_absolute_url(),
        at=now,
    )
    refresh_next_due(incident)
    return alert


def recipients(alert: ClusterAlert) -> list[Membership]:
    """The headteachers and DSLs of the cluster's other schools, each person once per school."""
    return list(
        Membership.objects.active()
        .filter(
            school__cluster_id=alert.cluster_id, role__in=roles_with("incidents.cluster_alerts"), user__is_active=True
        )
        .exclude(school_id=alert.source_school_id)
        .select_related("user", "school")
        .order_by("school__name", "user__email")
    )


def email_alert(alert: ClusterAlert) -> int:
    """Queue the alert's emails; returns how many were newly queued. Safe to run again (after a
    failure, from a shell): a person who already has this alert is not emailed twice."""
    url = reverse("cluster_alerts:detail", args=[alert.pk])
    queued, seen = 0, set()
    for membership in recipients(alert):
        user = membership.user
        if user.pk in seen or not user.email:
            continue
        seen.add(user.pk)
        sent = notify(
            key=f"cluster-alert:{alert.pk}:{user.pk}",
            to=[user.email],
            template="cluster-alert",
            context={"alert": alert, "sender": alert.sender_label(), "url": url, "school": membership.school},
            school=membership.school,
        )
        queued += sent is not None
    return queued
