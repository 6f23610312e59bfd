"""The school's people and their roles: invited, changed, removed, switched off, second factor reset.

Rules kept here, each proven by a test that tries to break it:
- the headteacher manages every role; the office only staff, governors and office (not the roles
  that open cases: headteacher, DSL, deputy DSL);
- a school always keeps one active headteacher;
- removing a role, switching an account off or resetting its second factor signs the person out
  everywhere at once (`User.session_version`), and every change leaves a PeopleEvent and a
  history row saying who did it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from schoolsocial.lib.history import note_change

from . import actions
from .models import Invitation, Membership, PeopleEvent, Role, School, User, role_label


@dataclass(frozen=True)
class RoleChoice:
    key: str
    role: Role
    is_deputy: bool = False
    case_role: bool = False
    is_chair: bool = False

    @property
    def label(self) -> str:
        # In the words the people page, invitations and letters use (accounts.models.role_label).
        return role_label(self.role, is_deputy=self.is_deputy, is_chair=self.is_chair)


ROLE_CHOICES: tuple[RoleChoice, ...] = (
    RoleChoice("staff", Role.STAFF),
    RoleChoice("governor", Role.GOVERNOR),
    # The chair handles an allegation about the headteacher, so may open that case: as a case role,
    # only the headteacher names the chair.
    RoleChoice("chair", Role.GOVERNOR, is_chair=True, case_role=True),
    RoleChoice("office", Role.OFFICE),
    RoleChoice("dsl", Role.DSL, case_role=True),
    RoleChoice("deputy_dsl", Role.DSL, is_deputy=True, case_role=True),
    RoleChoice("headteacher", Role.HEADTEACHER, case_role=True),
    # The DPO opens no case, but reads who opened every one: only the headteacher appoints one.
    RoleChoice("dpo", Role.DPO, case_role=True),
)
CHOICES = {choice.key: choice for choice in ROLE_CHOICES}
STAFF_ROLES = frozenset({Role.HEADTEACHER, Role.DSL, Role.STAFF, Role.GOVERNOR, Role.OFFICE, Role.DPO})
# Who may manage which roles: the headteacher all of them, the office those that never open a case.
MANAGERS: dict[Role, frozenset[str]] = {
    Role.HEADTEACHER: frozenset(CHOICES),
    Role.OFFICE: frozenset(c.key for c in ROLE_CHOICES if not c.case_role),
}


class PeopleError(Exception):
    """The change is not allowed; the message says why, in plain words."""


def choice_of(membership: Membership) -> RoleChoice:
    return next(
        c
        for c in ROLE_CHOICES
        if c.role == membership.role and c.is_deputy == membership.is_deputy and c.is_chair == membership.is_chair
    )


def choices_for(actor_role: str) -> list[RoleChoice]:
    allowed = MANAGERS.get(Role(actor_role), frozenset())
    return [choice for choice in ROLE_CHOICES if choice.key in allowed]


def may_manage(actor_role: str, membership: Membership) -> bool:
    return membership.role in STAFF_ROLES and choice_of(membership).key in MANAGERS.get(Role(actor_role), frozenset())


def _event(school, person: User, action: str, by: User, detail: str = "", reason: str = "") -> None:
    PeopleEvent.objects.create(
        school=school,
        person=person if person.pk else None,  # someone invited who has no account yet
        person_email=person.email,
        action=action,
        detail=detail[:300],
        reason=reason,
        by=by,
    )


def sign_out_everywhere(user: User) -> None:
    User.objects.filter(pk=user.pk).update(session_version=F("session_version") + 1)


def _check_keeps_a_headteacher(school: School, leaving: list[Membership]) -> None:
    heads = list(Membership.objects.select_for_update().filter(school=school, role=Role.HEADTEACHER, is_active=True))
    if heads and all(head.pk in {m.pk for m in leaving} for head in heads):
        raise PeopleError(
            "The school must always have a headteacher on the portal. Give someone else the headteacher role first."
        )


def _check_one_chair(school: School, choice: RoleChoice, *, except_user: User | None = None) -> None:
    """A school has one chair of governors: the person an allegation about the headteacher goes to."""
    if not choice.is_chair:
        return
    chairs = Membership.objects.select_for_update().chairs().filter(school=school)
    if except_user is not None:
        chairs = chairs.exclude(user=except_user)
    chair = chairs.select_related("user").first()
    if chair is not None:
        raise PeopleError(
            f"{chair.user.full_name} is the chair of governors. Make them a governor first: a school has one chair."
        )


@transaction.atomic
def invite(*, school: School, by: User, full_name: str, email: str, choice_key: str) -> Invitation:
    choice = CHOICES[choice_key]
    email = email.strip().lower()
    if Membership.objects.filter(
        school=school,
        user__email__iexact=email,
        role=choice.role,
        is_deputy=choice.is_deputy,
        is_chair=choice.is_chair,
        is_active=True,
    ).exists():
        raise PeopleError(f"{email} already has the role {choice.label.lower()} here.")
    _check_one_chair(school, choice)
    invitation = Invitation(
        school=school,
        created_by=by,
        full_name=full_name,
        email=email,
        role=choice.role,
        is_deputy=choice.is_deputy,
        is_chair=choice.is_chair,
    )
    token = invitation.new_token()
    invitation.save()
    actions._send_invitation(invitation, token)
    _event(school, _person_for_event(email, full_name), PeopleEvent.Action.INVITED, by, detail=choice.label)
    return invitation


def _person_for_event(email: str, full_name: str) -> User:
    return User.objects.filter(email__iexact=email).first() or User(email=email, full_name=full_name)


@transaction.atomic
def change_role(membership: Membership, choice_key: str, *, by: User) -> Membership:
    membership = Membership.objects.select_for_update().select_related("user", "school").get(pk=membership.pk)
    old, new = choice_of(membership), CHOICES[choice_key]
    if old.key == new.key:
        return membership
    if membership.role == Role.HEADTEACHER and new.role != Role.HEADTEACHER:
        _check_keeps_a_headteacher(membership.school, [membership])
    _check_one_chair(membership.school, new, except_user=membership.user)
    clash = Membership.objects.filter(user=membership.user, school=membership.school, role=new.role).exclude(
        pk=membership.pk
    )
    if clash.filter(is_active=True).exists():
        raise PeopleError(f"{membership.user.full_name} already has the role {new.label.lower()} here.")
    clash.delete()  # an old, switched-off row for the same role would break the one-role-per-school rule
    membership.role, membership.is_deputy, membership.is_chair = new.role, new.is_deputy, new.is_chair
    note_change(membership, by=by, reason=f"Role changed from {old.label} to {new.label}")
    membership.save()
    sign_out_everywhere(membership.user)
    _event(membership.school, membership.user, PeopleEvent.Action.ROLE_CHANGED, by, f"{old.label} → {new.label}")
    return membership


@transaction.atomic
def remove_role(membership: Membership, *, by: User) -> None:
    membership = Membership.objects.select_for_update().select_related("user", "school").get(pk=membership.pk)
    if not membership.is_active:
        return
    if membership.role == Role.HEADTEACHER:
        _check_keeps_a_headteacher(membership.school, [membership])
    membership.is_active = False
    note_change(membership, by=by, reason="Role removed")
    membership.save()
    sign_out_everywhere(membership.user)
    _event(membership.school, membership.user, PeopleEvent.Action.ROLE_REMOVED, by, choice_of(membership).label)


@transaction.atomic
def deactivate(person: User, school: School, *, by: User) -> None:
    """A leaver: every role at this school ends; with no role at any other school, the account is
    switched off and cannot sign in."""
    memberships = list(
        Membership.objects.select_for_update().filter(user=person, school=school, is_active=True, role__in=STAFF_ROLES)
    )
    _check_keeps_a_headteacher(school, [m for m in memberships if m.role == Role.HEADTEACHER])
    for membership in memberships:
        membership.is_active = False
        note_change(membership, by=by, reason="Account switched off (leaver)")
        membership.save()
    if not Membership.objects.filter(user=person, is_active=True).exists():
        person.is_active = False
        note_change(person, by=by, reason="Account switched off (leaver)")
        person.save(update_fields=["is_active"])
    sign_out_everywhere(person)
    _event(school, person, PeopleEvent.Action.DEACTIVATED, by, ", ".join(choice_of(m).label for m in memberships))


@transaction.atomic
def reset_second_factor(person: User, school: School, *, by: User, reason: str) -> None:
    """Remove their authenticator and recovery codes: they set up a new one when they next sign in."""
    reason = reason.strip()
    if not reason:
        raise PeopleError("Say why the second factor is being reset (for example: a new phone).")
    TOTPDevice.objects.filter(user=person).delete()
    StaticDevice.objects.filter(user=person).delete()
    sign_out_everywhere(person)
    _event(school, person, PeopleEvent.Action.SECOND_FACTOR_RESET, by, reason=reason)
