"""What every complaint action shares: the refusal they raise, the row lock, the entry they
write, who they email and the links they put in emails. Used by actions.py, conversation.py
and hearing.py alike, so none of them reaches into another's private helpers."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from accounts.models import Membership, School, User
from files import staging
from files.models import StagedUpload

from .models import Attachment, Complaint, ComplaintEntry


class ActionError(Exception):
    """The action cannot be done; the message says why in plain words."""


def locked(complaint: Complaint) -> Complaint:
    """The complaint again, locked for this transaction."""
    return Complaint.objects.select_for_update().select_related("school", "parent").get(pk=complaint.pk)


def add_entry(complaint: Complaint, by: User | None, kind: str, summary: str, *, body: str = "") -> ComplaintEntry:
    return ComplaintEntry.objects.create(
        complaint=complaint, kind=kind, stage=complaint.stage, author=by, summary=summary[:300], body=body
    )


def attach_staged(complaint: Complaint, staged: StagedUpload) -> Attachment:
    """A staged file becomes an attachment with the same facts and the same bytes."""
    attachment = Attachment(school=complaint.school, complaint=complaint, uploaded_by=staged.uploaded_by)
    attachment.uploaded_at = staged.created_at
    try:
        staging.promote(staged, attachment)
    except staging.FileChanged as error:
        raise ActionError(str(error)) from error
    attachment.save()
    return attachment


def school_emails(school: School, roles) -> list[str]:
    """The addresses of the school's active people in these roles."""
    return list(
        Membership.objects.filter(school=school, role__in=roles, is_active=True, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )


def parent_url(complaint: Complaint) -> str:
    return reverse("complaints:my_complaint", args=[complaint.pk])


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
