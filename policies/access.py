"""Which policies may this person open? Views ask here; another school's policy is a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import School

from .models import LOCKED_STATUSES, OVERSIGHT_ROLES, PolicyDocument, PolicyVersion


def get_document_for(user, pk: int, school: School) -> PolicyDocument:
    documents = PolicyDocument.objects.for_user(user).filter(school=school).select_related("school")
    return get_object_or_404(documents, pk=pk)


def get_version_for(user, document_pk: int, number: int, school: School) -> PolicyVersion:
    """A version of a policy of the acting school. Staff only ever see approved versions; drafts
    are for the headteacher and governors."""
    versions = PolicyVersion.objects.for_user(user).filter(document__school=school)
    if school.pk not in user.school_ids_with(OVERSIGHT_ROLES):
        versions = versions.filter(status__in=LOCKED_STATUSES)
    return get_object_or_404(
        versions.select_related("document__school", "approved_by", "created_by"), document_id=document_pk, number=number
    )
