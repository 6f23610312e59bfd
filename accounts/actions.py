"""The writes of the accounts app: each atomic, side effects queued for after commit."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.outbox import notify, send_unrecorded

from .models import (
    Invitation,
    Membership,
    ParentLink,
    Pupil,
    Role,
    SchoolClass,
    User,
    default_invitation_expiry,
    role_label,
)


class InvitationUnavailable(Exception):
    """The link was used already, or has expired; the message says which, in plain words."""


class ClassNotEmpty(Exception):
    """A class still has pupils in it; they are moved first, so nobody is left without a class by accident."""

    def __init__(self, pupil_count: int) -> None:
        super().__init__(f"{pupil_count} pupil(s) still in the class")
        self.pupil_count = pupil_count


@transaction.atomic
def invite_parent(*, school, created_by, full_name: str, email: str, relationship: str, pupils) -> Invitation:
    invitation = Invitation(
        school=school, created_by=created_by, full_name=full_name, email=email, relationship=relationship
    )
    token = invitation.new_token()
    invitation.save()
    invitation.pupils.set(pupils)
    _send_invitation(invitation, token)
    return invitation


@transaction.atomic
def resend_invitation(invitation: Invitation, *, only_if_expired: bool = False) -> Invitation:
    """A fresh link with a fresh expiry; the old link stops working."""
    invitation = Invitation.objects.select_for_update().select_related("school").get(pk=invitation.pk)
    if invitation.is_used:
        raise InvitationUnavailable("This invitation has already been accepted.")
    if only_if_expired and not invitation.is_expired:
        raise InvitationUnavailable("This invitation was sent again already.")
    token = invitation.new_token()
    invitation.expires_at = default_invitation_expiry()
    invitation.save(update_fields=["token_hash", "expires_at"])
    _send_invitation(invitation, token)
    return invitation


def _send_invitation(invitation: Invitation, token: str) -> None:
    if invitation.role != Role.PARENT:
        context = _invitation_context(invitation, token)
        label = role_label(invitation.role, is_deputy=invitation.is_deputy, is_chair=invitation.is_chair)
        send_unrecorded("staff-invitation", [invitation.email], {**context, "role_label": label})
        return
    send_parent_invitation(invitation, token)


def _invitation_context(invitation: Invitation, token: str) -> dict:
    from django.conf import settings

    return {
        "invitation": invitation,
        "school": invitation.school,
        "accept_url": settings.SITE_URL + reverse("accounts:accept_invitation", args=[token]),
    }


def send_parent_invitation(invitation: Invitation, token: str, *, key: str = "") -> bool:
    """Email a parent their link through the outbox, so the list can say whether it bounced.

    Each send is decided once: `key` (by default the invitation and how many links it has had).
    False when that send was recorded already, and nothing is sent. Called inside the transaction
    that saved the invitation with this token."""
    sends = invitation.sends + 1
    context = _invitation_context(invitation, token)
    notification = notify(
        key=key or f"invitation:{invitation.pk}:send:{sends}",
        to=[invitation.email],
        template="invitation",
        context={**context, "pupil_names": [p.known_as for p in invitation.pupils.all()]},
        school=invitation.school,
        secrets=[context["accept_url"], token],  # the stored copy keeps no live link once sent
    )
    if notification is None:
        return False
    invitation.sends = sends
    invitation.notification = notification
    invitation.save(update_fields=["sends", "notification"])
    return True


def check_invitation_usable(invitation: Invitation) -> None:
    if invitation.is_used:
        raise InvitationUnavailable(
            "This invitation link has already been used. If you set a password with it, sign in with "
            "your email address. If it was not you, please contact the school office."
        )
    if invitation.is_expired:
        raise InvitationUnavailable(
            f"This invitation link expired on {timezone.localtime(invitation.expires_at):%d/%m/%Y}. "
            "Please ask the school office to send you a new one."
        )


@transaction.atomic
def accept_invitation(invitation: Invitation, *, full_name: str, password: str) -> User:
    # Lock the row so two clicks on the same link cannot both succeed.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_invitation_usable(invitation)
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name)
    Membership.objects.update_or_create(
        user=user,
        school=invitation.school,
        role=invitation.role or Role.PARENT,
        defaults={"is_active": True, "is_deputy": invitation.is_deputy, "is_chair": invitation.is_chair},
    )
    for pupil in invitation.pupils.all():
        ParentLink.objects.get_or_create(parent=user, pupil=pupil, defaults={"relationship": invitation.relationship})
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


@transaction.atomic
def delete_class(school_class: SchoolClass) -> None:
    """Delete a class nobody is in any more (the history keeps its name, teacher and who deleted it).

    Pupils no longer on roll count too: deleting would quietly clear the class on their record.
    """
    SchoolClass.objects.select_for_update().filter(pk=school_class.pk).first()
    pupil_count = Pupil.objects.filter(school_class=school_class).count()
    if pupil_count:
        raise ClassNotEmpty(pupil_count)
    school_class.delete()


@transaction.atomic
def unlink_parent(link: ParentLink) -> None:
    """A parent or carer no longer has a say for this child (the history keeps who and when).

    Their account stays: they may have other children at the school, or reports of their own.
    """
    link.delete()
