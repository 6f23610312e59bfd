"""Reviewing the school's emails: what was sent, what failed, and sending a failed one again.

Every email is a `Notification` row (see notifications/outbox.py). This module reads them for
the headteacher and office, and puts a failed (or, once someone has confirmed, an unconfirmed)
row back in the queue. It never creates a second row: the same row is delivered again by the same
task, whose claim (queued -> sending, a conditional UPDATE) lets at most one worker send it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Membership, School
from accounts.permissions import require
from schoolsocial.lib.tasks import enqueue_on_commit

from .models import Notification

Status = Notification.Status

# The states a reader can filter by, in the words the page uses.
STATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "failed": ("Failed", (Status.FAILED,)),
    "partial": ("Sent to some", (Status.PARTIAL,)),
    "unknown": ("Not confirmed", (Status.UNKNOWN,)),
    "pending": ("Waiting to send", (Status.QUEUED, Status.SENDING)),
    "sent": ("Sent", (Status.SENT,)),
}
PERIODS: dict[str, tuple[str, int]] = {
    "7": ("Last 7 days", 7),
    "30": ("Last 30 days", 30),
    "90": ("Last 90 days", 90),
    "365": ("Last year", 365),
}
DEFAULT_PERIOD = "30"
WARNING_DAYS = 7

# What each email is, for people who never see template names.
KINDS: dict[str, str] = {
    "agreement-request": "Agreement: please sign",
    "agreement-signed": "Agreement: signed copy",
    "agreement-withdrawn": "Agreement: signature withdrawn",
    "cluster-alert": "Cluster alert",
    "complaint-assigned": "Complaint: assigned to you",
    "complaint-deadline": "Complaint: deadline",
    "complaint-new": "Complaint: new complaint",
    "complaint-panel": "Complaint: governors' panel",
    "complaint-panel-letter": "Complaint: panel decision",
    "complaint-received": "Complaint: received",
    "complaint-update": "Complaint: update",
    "incident-chair-handler": "Restricted case: passed to the chair",
    "incident-dsl-alert": "Safeguarding alert",
    "incident-staff-safety-alert": "Staff safety alert",
    "invitation": "Account invitation",
    "letter": "Incident letter",
    "policy-ack-reminder": "Policy: please read",
    "policy-approval-request": "Policy: approval request",
    "policy-new-version": "Policy: new version",
    "policy-review-reminder": "Policy: review reminder",
    "step-reminder": "Incident: step due",
}

# Emails about a case (an incident, a safeguarding concern, a complaint). The office manages
# records, not cases, so it sees only what kind of email these were, not their subject. Nobody
# sees any email's body here: the page is for checking delivery, not for reading the mail.
CASE_TEMPLATE_PREFIXES = ("incident-", "complaint-", "letter", "step-", "cluster-")

# Only what the page shows is read: never the bodies or attachments.
LIST_FIELDS = (
    "id",
    "created_at",
    "to",
    "template",
    "subject",
    "status",
    "attempts",
    "last_error",
    "sent_at",
    "results",
    "secrets_removed",  # whether "Send again" is offered
)


def kind_label(template: str) -> str:
    return KINDS.get(template, template.replace("-", " ").capitalize())


def is_case_email(template: str) -> bool:
    return template.startswith(CASE_TEMPLATE_PREFIXES)


def school_notifications(school: School) -> QuerySet[Notification]:
    return Notification.objects.filter(school=school).only(*LIST_FIELDS)


def get_notification_for(membership: Membership | None, pk: int) -> Notification:
    """One of the acting school's emails (`membership` is `request.membership`), if the person's
    role there may check email delivery; otherwise 404."""
    school = require(membership, "notifications.view_delivery")
    return get_object_or_404(school_notifications(school), pk=pk)


def since(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def filtered(school: School, state: str | None, days: int) -> QuerySet[Notification]:
    emails = school_notifications(school).filter(created_at__gte=since(days))
    if state in STATES:
        emails = emails.filter(status__in=STATES[state][1])
    return emails.order_by("-created_at", "-pk")


def counts_by_state(school: School, days: int) -> dict[str, int]:
    """How many of the school's emails are in each state over the period. One query."""
    aggregates = {key: Count("pk", filter=Q(status__in=statuses)) for key, (_, statuses) in STATES.items()}
    return Notification.objects.filter(school=school, created_at__gte=since(days)).aggregate(
        total=Count("pk"), **aggregates
    )


@dataclass(frozen=True)
class Trouble:
    failed: int
    unknown: int


def recent_trouble(school: School, days: int = WARNING_DAYS) -> Trouble:
    counts = Notification.objects.filter(
        school=school, created_at__gte=since(days), status__in=[Status.FAILED, Status.PARTIAL, Status.UNKNOWN]
    ).aggregate(
        failed=Count("pk", filter=Q(status__in=[Status.FAILED, Status.PARTIAL])),
        unknown=Count("pk", filter=Q(status=Status.UNKNOWN)),
    )
    return Trouble(failed=counts["failed"], unknown=counts["unknown"])


class CannotSendAgain(Exception):
    """The email is not (or no longer) in a state that may be sent again."""


def can_send_again(notification: Notification) -> bool:
    # A message whose one-time link was cut after sending cannot be sent again as it is: the
    # invitation page sends a new link instead.
    return notification.status in (Status.FAILED, Status.PARTIAL, Status.UNKNOWN) and not notification.secrets_removed


def send_again(notification: Notification, *, confirmed_unknown: bool = False) -> None:
    """Put a failed email (or an unconfirmed one, once someone accepted it may arrive twice) back in
    the queue, and queue its delivery after commit.

    The change is a conditional UPDATE from the state the person saw, so two clicks (or two
    people) requeue it once: the second finds it already queued and raises CannotSendAgain.
    """
    allowed = [Status.FAILED, Status.PARTIAL] + ([Status.UNKNOWN] if confirmed_unknown else [])
    from .tasks import deliver_notification

    with transaction.atomic():
        # Those who accepted it keep their "accepted": only the others are sent to again.
        accepted = {
            address: result for address, result in notification.results.items() if result.get("state") == "accepted"
        }
        requeued = Notification.objects.filter(pk=notification.pk, status__in=allowed, secrets_removed=False).update(
            status=Status.QUEUED,
            sending_since=None,
            attempts=0,
            next_attempt_at=None,
            enqueued_at=timezone.now(),
            results=accepted,
        )
        if not requeued:
            if notification.status == Status.UNKNOWN and not confirmed_unknown:
                raise CannotSendAgain("This email may already have arrived. Confirm that you want to send it again.")
            raise CannotSendAgain("This email is already being sent again, or has been sent.")
        enqueue_on_commit(deliver_notification, notification.pk)
    notification.status = Status.QUEUED
