"""What may this person open? Views fetch agreement records only through these helpers.

Each raises Http404 for a record of another school or another family.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import ParentLink, Pupil, Role, School, User

from .models import AgreementVersion, Signature

STAFF = (Role.HEADTEACHER, Role.OFFICE)


def get_version_for(user: User, pk: int, school: School) -> AgreementVersion:
    return get_object_or_404(
        AgreementVersion.objects.for_user(user).filter(school=school).select_related("school"), pk=pk
    )


def get_signature_for(user: User, pk: int, school: School, role: str) -> Signature:
    """A parent opens only their own records; the school's headteacher and office, the school's."""
    signatures = Signature.objects.for_user(user).filter(school=school)
    if role == Role.PARENT:
        signatures = signatures.filter(parent=user)
    elif role not in STAFF:
        signatures = signatures.none()
    return get_object_or_404(signatures.select_related("version", "school", "parent", "pupil", "recorded_by"), pk=pk)


def get_own_child(user: User, pupil_id: int, school: School) -> Pupil:
    return get_object_or_404(
        Pupil.objects.filter(school=school, parent_links__parent=user).select_related("school_class", "school"),
        pk=pupil_id,
    )


def get_family_link_for(user: User, pk: int, school: School) -> ParentLink:
    """A parent-child link of the school, for the office recording a paper form."""
    if school.pk not in user.school_ids_with(set(STAFF)):
        return get_object_or_404(ParentLink.objects.none(), pk=pk)
    return get_object_or_404(
        ParentLink.objects.filter(pupil__school=school).select_related("parent", "pupil__school_class"), pk=pk
    )
