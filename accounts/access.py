"""What may this person see of pupils, classes, parent links and invitations? Views ask here
instead of calling Model.objects themselves.

Every helper takes the person's acting membership (`request.membership`: who they are, the school
they are acting for and their role there), asks `accounts.permissions` whether that role may do
it, and raises Http404 for a record outside their reach, so a record of another school or another
family is indistinguishable from one that does not exist.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Invitation, Membership, ParentLink, Pupil, Role, SchoolClass, User, hash_token
from .permissions import require


def pupils_for(membership: Membership | None) -> QuerySet[Pupil]:
    """The pupils of the school the person looks after the records of."""
    school = require(membership, "records.manage_pupils")
    return Pupil.objects.filter(school=school)


def search_pupils_for(membership: Membership | None, query: str, *, limit: int = 20) -> list[Pupil]:
    """On-roll pupils of the school whose names hold every word typed ("ruby sto" finds Ruby Stone),
    with their class: for the headteacher, DSL and office. Nothing for fewer than two letters."""
    school = require(membership, "records.view_pupils")
    words = query.split()[:5]
    if len("".join(words)) < 2:
        return []
    pupils = Pupil.objects.filter(school=school, is_on_roll=True).select_related("school_class")
    for word in words:
        pupils = pupils.filter(
            Q(first_name__icontains=word) | Q(preferred_first_name__icontains=word) | Q(last_name__icontains=word)
        )
    return list(pupils.order_by("last_name", "first_name", "date_of_birth")[:limit])


def search_parents_for(
    membership: Membership | None, query: str, *, limit: int = 20, only: list[int] | None = None
) -> list[User]:
    """Parents and carers of the school whose names hold every word typed, each with their
    children at the school and the children's classes (`children_here`), so two parents of the
    same name are told apart: for the headteacher, DSL and office. Nothing for fewer than two
    letters. With `only`, those parents of the school (whatever was typed)."""
    school = require(membership, "records.view_pupils")
    parents = User.objects.filter(pk__in=Membership.objects.filter(school=school, role=Role.PARENT).values("user_id"))
    if only is not None:
        parents = parents.filter(pk__in=only)
    else:
        words = query.split()[:5]
        if len("".join(words)) < 2:
            return []
        for word in words:
            parents = parents.filter(full_name__icontains=word)
    children = ParentLink.objects.filter(pupil__school=school).select_related("pupil__school_class")
    parents = parents.prefetch_related(
        Prefetch(
            "parent_links", queryset=children.order_by("pupil__last_name", "pupil__first_name"), to_attr="children_here"
        )
    )
    return list(parents.order_by("full_name", "pk")[:limit])


def get_pupil_for(membership: Membership | None, pk: int) -> Pupil:
    return get_object_or_404(pupils_for(membership), pk=pk)


def get_pupil_record_for(membership: Membership | None, pk: int) -> Pupil:
    """A pupil's page, for anyone who may look up the school's pupils (headteacher, DSL, office)."""
    school = require(membership, "records.view_pupils")
    return get_object_or_404(Pupil.objects.filter(school=school).select_related("school_class"), pk=pk)


def parent_links_of(pupil: Pupil) -> QuerySet[ParentLink]:
    """The parents and carers of a pupil already fetched through `get_pupil_for`."""
    return ParentLink.objects.filter(pupil=pupil).select_related("parent")


def get_parent_link_for(membership: Membership | None, pupil: Pupil, pk: int) -> ParentLink:
    """One parent link of a pupil already fetched through `get_pupil_for`."""
    require(membership, "records.manage_pupils")
    return get_object_or_404(ParentLink.objects.filter(pupil=pupil).select_related("parent", "pupil"), pk=pk)


def get_class_for(membership: Membership | None, pk: int) -> SchoolClass:
    """A class of the school the person is acting for, if they look after its records."""
    school = require(membership, "records.manage_pupils")
    return get_object_or_404(SchoolClass.objects.filter(school=school), pk=pk)


def get_roll_import_for(membership: Membership | None, pk: int):
    """One of the school's MIS imports, for its headteacher or office; otherwise 404."""
    from .roll.models import RollImport

    school = require(membership, "records.import_roll")
    return get_object_or_404(RollImport.objects.filter(school=school).select_related("school"), pk=pk)


def rollovers_for(membership: Membership | None):
    """The school's year-end rollovers, for its headteacher and office; otherwise 404."""
    from .roll.models import RolloverRun

    school = require(membership, "records.roll_over")
    return RolloverRun.objects.filter(school=school).select_related("run_by", "undone_by")


def get_rollover_for(membership: Membership | None, pk: int):
    return get_object_or_404(rollovers_for(membership), pk=pk)


def get_staff_person_for(membership: Membership | None, pk: int):
    """Someone who holds (or held) a staff role at the school, for its headteacher or office; otherwise 404."""
    from .models import User
    from .people import STAFF_ROLES

    school = require(membership, "people.manage_staff")
    people = User.objects.filter(memberships__school=school, memberships__role__in=STAFF_ROLES).distinct()
    return get_object_or_404(people, pk=pk)


def invitations_for(membership: Membership | None) -> QuerySet[Invitation]:
    school = require(membership, "records.invite_parents")
    return Invitation.objects.filter(school=school)


def get_invitation_for(membership: Membership | None, pk: int) -> Invitation:
    return get_object_or_404(invitations_for(membership), pk=pk)


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link from the email opens (whoever holds the link), or None."""
    return Invitation.objects.select_related("school").filter(token_hash=hash_token(token)).first()


def own_children_for(membership: Membership | None) -> QuerySet[Pupil]:
    """The signed-in parent's own children at the school they are acting for; nobody otherwise."""
    if membership is None:
        return Pupil.objects.none()
    return Pupil.objects.filter(school=membership.school, parent_links__parent=membership.user)


def own_parent_links_for(membership: Membership | None) -> QuerySet[ParentLink]:
    """The signed-in parent's links to their children at the school they are acting for."""
    if membership is None:
        return ParentLink.objects.none()
    return ParentLink.objects.filter(parent=membership.user, pupil__school=membership.school)


def staff_memberships_for(membership: Membership | None) -> QuerySet[Membership]:
    """The staff, governor and office roles at the school, for its headteacher or office."""
    from .people import STAFF_ROLES

    school = require(membership, "people.manage_staff")
    return Membership.objects.filter(school=school, role__in=STAFF_ROLES)


def staff_memberships_of(membership: Membership | None, person) -> list[Membership]:
    """One person's staff roles at the school, for its headteacher or office."""
    return list(staff_memberships_for(membership).filter(user=person))


def get_staff_membership_for(membership: Membership | None, pk: int) -> Membership:
    return get_object_or_404(staff_memberships_for(membership).select_related("user"), pk=pk)
