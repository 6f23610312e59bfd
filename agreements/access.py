"""What may this person open? Views fetch agreement records only through these helpers.

Every helper takes the person's acting membership (`request.membership`: who they are, the school
they are acting for and their role there) and asks `accounts.permissions`: a parent ("agreements.sign")
opens only their own family's records; the headteacher and office ("agreements.view_signatures")
the school's. Each raises Http404 for a record of another school or another family.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import own_children_for, own_parent_links_for
from accounts.models import Membership, ParentLink, Pupil
from accounts.permissions import may, require

from .models import AgreementVersion, Signature, SignedCopy


def get_version_for(membership: Membership | None, pk: int) -> AgreementVersion:
    school = require(membership, "agreements.view_signatures")
    return get_object_or_404(AgreementVersion.objects.filter(school=school).select_related("school"), pk=pk)


def get_signature_for(membership: Membership | None, pk: int) -> Signature:
    """A parent opens only their own records; the school's headteacher and office, the school's."""
    if may(membership, "agreements.view_signatures"):
        signatures = Signature.objects.filter(school=membership.school)
    elif may(membership, "agreements.sign"):
        signatures = Signature.objects.filter(school=membership.school, parent=membership.user)
    else:
        raise Http404("No such page.")
    return get_object_or_404(signatures.select_related("version", "school", "parent", "pupil", "recorded_by"), pk=pk)


def signatures_of_pupil_for(membership: Membership | None, pupil: Pupil) -> QuerySet[Signature]:
    """Every signature given for a pupil of the school, for its headteacher and office; 404 otherwise."""
    school = require(membership, "agreements.view_signatures")
    return Signature.objects.filter(school=school, pupil=pupil).select_related("version", "parent")


def signed_copy_of(signature: Signature) -> SignedCopy | None:
    """The PDF copy of a signature already fetched through `get_signature_for`, if made yet."""
    return SignedCopy.objects.filter(signature=signature).first()


def own_signatures_for(membership: Membership | None) -> QuerySet[Signature]:
    """Every record the signed-in parent made at the school they are acting for."""
    school = require(membership, "agreements.sign")
    assert membership is not None
    return Signature.objects.filter(parent=membership.user, school=school)


def own_links_for(membership: Membership | None) -> QuerySet[ParentLink]:
    """The signed-in parent's children on the school's roll, as their parent links."""
    require(membership, "agreements.sign")
    return own_parent_links_for(membership).filter(pupil__is_on_roll=True)


def get_own_child(membership: Membership | None, pupil_id: int) -> Pupil:
    require(membership, "agreements.sign")
    return get_object_or_404(own_children_for(membership).select_related("school_class", "school"), pk=pupil_id)


def get_family_link_for(membership: Membership | None, pk: int) -> ParentLink:
    """A parent-child link of the school, for the office recording a paper form."""
    school = require(membership, "agreements.record_paper")
    return get_object_or_404(
        ParentLink.objects.filter(pupil__school=school).select_related("parent", "pupil__school_class"), pk=pk
    )
