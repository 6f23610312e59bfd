"""Which policies may this person open? Views ask here; another school's policy is a 404.

Every helper takes the person's acting membership (`request.membership`: who they are, the school
they are acting for and their role there) and asks `accounts.permissions`.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import Membership
from accounts.permissions import require, schools_where

from .models import LOCKED_STATUSES, PolicyDocument, PolicyVersion


def get_document_for(membership: Membership | None, pk: int) -> PolicyDocument:
    """A policy of the acting school, with its drafts, for the headteacher and governors."""
    school = require(membership, "policies.oversee")
    return get_object_or_404(PolicyDocument.objects.filter(school=school).select_related("school"), pk=pk)


def get_version_for(membership: Membership | None, document_pk: int, number: int) -> PolicyVersion:
    """A version of a policy of the acting school. Staff only ever see approved versions; drafts
    are for those who oversee the school's policies (at this school, in whichever role they act)."""
    school = require(membership, "policies.read")
    assert membership is not None
    versions = PolicyVersion.objects.filter(document__school=school)
    if school.pk not in schools_where(membership.user, "policies.oversee"):
        versions = versions.filter(status__in=LOCKED_STATUSES)
    return get_object_or_404(
        versions.select_related("document__school", "approved_by", "created_by"), document_id=document_pk, number=number
    )
