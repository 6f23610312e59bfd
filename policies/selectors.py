"""Read-side queries for lists and panels: each a fixed number of SQL queries, whatever the size."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import School

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

from .models import DUE_SOON_DAYS, Acknowledgement, Owner, PolicyDocument, PolicyVersion, Status, review_state


def documents_for_list(school: School) -> QuerySet[PolicyDocument]:
    """Each document with its current version's number and review date and its open draft's status."""
    current = PolicyVersion.objects.filter(document=OuterRef("pk"), status=Status.APPROVED)
    open_version = PolicyVersion.objects.filter(
        document=OuterRef("pk"), status__in=[Status.DRAFT, Status.AWAITING_APPROVAL]
    ).order_by("-number")
    return (
        PolicyDocument.objects.filter(school=school)
        .annotate(
            current_number=Subquery(current.values("number")[:1]),
            current_review_date=Subquery(current.values("review_date")[:1]),
            current_approved_at=Subquery(current.values("approved_at")[:1]),
            open_number=Subquery(open_version.values("number")[:1]),
            open_status=Subquery(open_version.values("status")[:1]),
        )
        .order_by("title")
    )


def decorate(documents) -> list[PolicyDocument]:
    """Add the badge state (overdue/due/ok) to each listed document, in Python."""
    today = timezone.localdate()
    items = list(documents)
    for document in items:
        document.review_badge = review_state(document.current_review_date, today)
        document.open_status_label = Status(document.open_status).label if document.open_status else ""
    return items


class Acknowledged(TypedDict):
    acknowledged: bool  # has this person acknowledged the version?


def current_versions_for_staff(school: School, user) -> QuerySet[WithAnnotations[PolicyVersion, Acknowledged]]:
    """The school's current policies, each marked with whether this person has acknowledged it."""
    return (
        PolicyVersion.objects.filter(document__school=school, status=Status.APPROVED)
        .select_related("document")
        .annotate(
            acknowledged=Exists(Acknowledgement.objects.filter(version=OuterRef("pk"), user=user)),
        )
        .order_by("document__title")
    )


def attention_counts(school: School, owner: str | None = None) -> dict:
    """Overdue, due soon and awaiting-approval counts for a dashboard panel, in one query."""
    today = timezone.localdate()
    versions = PolicyVersion.objects.filter(document__school=school)
    if owner:
        versions = versions.filter(document__owner=owner)
    return versions.aggregate(
        overdue=Count("pk", filter=Q(status=Status.APPROVED, review_date__lt=today)),
        due=Count(
            "pk",
            filter=Q(
                status=Status.APPROVED,
                review_date__gte=today,
                review_date__lte=today + timedelta(days=DUE_SOON_DAYS),
            ),
        ),
        awaiting=Count("pk", filter=Q(status=Status.AWAITING_APPROVAL)),
        awaiting_headteacher=Count("pk", filter=Q(status=Status.AWAITING_APPROVAL, document__owner=Owner.HEADTEACHER)),
    )


def unacknowledged_count(school: School, user) -> int:
    return (
        PolicyVersion.objects.filter(
            document__school=school, document__staff_must_acknowledge=True, status=Status.APPROVED
        )
        .exclude(acknowledgements__user=user)
        .count()
    )


def published_versions(school: School) -> QuerySet[PolicyVersion]:
    """The school's current approved versions, as parents and the public see them (one query)."""
    return (
        PolicyVersion.objects.filter(document__school=school, status=Status.APPROVED)
        .select_related("document__school")
        .order_by("document__title")
    )


def published_policy(school: School, category: str) -> PolicyVersion | None:
    """The published policy of one kind (the complaints policy, say), for a page that mentions it."""
    return published_versions(school).filter(document__category=category).first()
