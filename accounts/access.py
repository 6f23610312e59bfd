"""What may this person see? Views ask here instead of calling Model.objects.get themselves.

Every helper raises Http404 for a record outside the person's reach, so a record of another
school or another family is indistinguishable from one that does not exist.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import CASE_ROLES, RECORDS_ROLES, Invitation, ParentLink, Pupil, Role, School, SchoolClass


def school_ids_for(user, roles=frozenset(Role)) -> set[int]:
    if not user.is_authenticated:
        return set()
    return user.school_ids_with(roles)


def require_role(request, *roles: Role) -> School:
    """The current school if the person holds one of `roles` there; otherwise 404.

    A page meant for another role answers 404 too: it neither confirms nor denies anything.
    """
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in roles:
        raise Http404("No such page.")
    return membership.school


def get_pupil_for(user, pk: int, school: School | None = None) -> Pupil:
    """A pupil this person may see; with `school`, only within the school they are acting for."""
    pupils = Pupil.objects.for_user(user)
    if school is not None:
        pupils = pupils.filter(school=school)
    return get_object_or_404(pupils, pk=pk)


def get_invitation_for(user, pk: int, school: School | None = None) -> Invitation:
    invitations = Invitation.objects.for_user(user)
    if school is not None:
        invitations = invitations.filter(school=school)
    return get_object_or_404(invitations, pk=pk)


def get_class_for(user, pk: int, school: School) -> SchoolClass:
    """A class of the school the person is acting for, if they look after its records."""
    if school.pk not in school_ids_for(user, RECORDS_ROLES):
        raise Http404("No such class.")
    return get_object_or_404(SchoolClass.objects.filter(school=school), pk=pk)


def get_parent_link_for(user, pupil: Pupil, pk: int) -> ParentLink:
    """One parent link of a pupil already fetched through `get_pupil_for`."""
    return get_object_or_404(ParentLink.objects.filter(pupil=pupil).select_related("parent", "pupil"), pk=pk)


def can_manage_records(user, school_id: int) -> bool:
    return school_id in school_ids_for(user, RECORDS_ROLES)


def can_see_cases(user, school_id: int) -> bool:
    return school_id in school_ids_for(user, CASE_ROLES)


def get_roll_import_for(user, pk: int, school: School):
    """One of `school`'s MIS imports, for its headteacher or office; otherwise 404."""
    from .roll.models import RollImport

    if school.pk not in school_ids_for(user, RECORDS_ROLES):
        raise Http404("No such import.")
    return get_object_or_404(RollImport.objects.filter(school=school).select_related("school"), pk=pk)


def get_staff_person_for(user, pk: int, school: School):
    """Someone who holds (or held) a staff role at `school`, for its headteacher or office; otherwise 404."""
    from .models import User
    from .people import STAFF_ROLES

    if school.pk not in school_ids_for(user, RECORDS_ROLES):
        raise Http404("No such person.")
    people = User.objects.filter(memberships__school=school, memberships__role__in=STAFF_ROLES).distinct()
    return get_object_or_404(people, pk=pk)
