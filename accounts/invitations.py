"""Inviting the families of a class or a year group at once, from the contacts the MIS import left.

Rules kept here, each proven by a test that tries to break it:
- only contacts with an email and parental responsibility for an on-roll pupil of the chosen
  classes or year groups are invited; one invitation per contact, linking all their chosen children;
- a contact already on the portal for a child (an account linked to that child, or a live
  invitation that links them) is not invited for that child again;
- each contact is sent one email however often the office clicks and however often the task runs:
  the contact's row is locked while it is decided, an invitation still live is found by the next
  run, and the email's outbox key names the batch and the contact;
- the invitation list says of each invitation whether it is waiting, accepted, bounced (the mail
  server refused it for good) or expired, and the expired ones can be sent again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import actions
from .models import Invitation, InvitationBatch, ParentLink, Pupil, Relationship, School, SchoolClass, User
from .roll.models import Contact, PupilContact


@dataclass
class Family:
    """One contact to invite, with the children of the chosen classes they will find linked."""

    contact: Contact
    pupils: list[Pupil] = field(default_factory=list)
    relationship: str = Relationship.CARER


@dataclass
class Plan:
    families: list[Family]
    already_on_portal: int  # (contact, child) pairs skipped: linked already, or invited and not expired
    without_email: int
    without_responsibility: int

    @property
    def children(self) -> int:
        return len({pupil.pk for family in self.families for pupil in family.pupils})


def describe_choice(classes: list[SchoolClass], year_groups: list[str]) -> str:
    parts = [f"class {c.name}" for c in classes] + [f"{year}" for year in year_groups]
    return ", ".join(parts)[:300]


def year_groups_of(school: School) -> list[str]:
    return sorted(
        {y for y in SchoolClass.objects.filter(school=school).values_list("year_group", flat=True) if y},
    )


def _chosen_links(school: School, class_ids: list[int], year_groups: list[str]) -> QuerySet[PupilContact]:
    if not class_ids and not year_groups:
        return PupilContact.objects.none()
    return PupilContact.objects.filter(
        Q(pupil__school_class_id__in=class_ids) | Q(pupil__school_class__year_group__in=year_groups),
        pupil__school=school,
        pupil__is_on_roll=True,
        contact__school=school,
    )


def live_invitations(school: School) -> QuerySet[Invitation]:
    return Invitation.objects.filter(school=school, accepted_at__isnull=True, expires_at__gt=timezone.now())


def _on_portal(school: School, pupil_ids: set[int]) -> set[tuple[str, int]]:
    """(email, pupil id) pairs already on the portal: an account linked to the child, or a live invitation."""
    linked = ParentLink.objects.filter(pupil_id__in=pupil_ids).values_list("parent__email", "pupil_id")
    invited = Invitation.pupils.through.objects.filter(
        invitation__in=live_invitations(school), pupil_id__in=pupil_ids
    ).values_list("invitation__email", "pupil_id")
    return {(email.lower(), pupil_id) for email, pupil_id in [*linked, *invited]}


def plan(school: School, *, class_ids: list[int], year_groups: list[str]) -> Plan:
    """Who one click would invite now. A handful of queries whatever the size of the year group."""
    links = list(
        _chosen_links(school, class_ids, year_groups)
        .select_related("contact", "pupil__school_class")
        .order_by("contact__last_name", "contact__first_name", "contact_id", "pupil__last_name")
    )
    on_portal = _on_portal(school, {link.pupil_id for link in links})
    families: dict[int, Family] = {}
    skipped = without_email = without_responsibility = 0
    for link in links:
        if not link.parental_responsibility:
            without_responsibility += 1
            continue
        if not link.contact.email:
            without_email += 1
            continue
        if (link.contact.email.lower(), link.pupil_id) in on_portal:
            skipped += 1
            continue
        family = families.setdefault(link.contact_id, Family(contact=link.contact))
        family.pupils.append(link.pupil)
        if link.relationship in Relationship.values and family.relationship == Relationship.CARER:
            family.relationship = link.relationship
    return Plan(list(families.values()), skipped, without_email, without_responsibility)


@transaction.atomic
def queue_batch(school: School, *, by: User, classes: list[SchoolClass], year_groups: list[str]) -> InvitationBatch:
    """Record the office's choice and send it from a task once this commits."""
    from schoolsocial.lib.tasks import enqueue_on_commit

    from .tasks import send_invitation_batch

    batch = InvitationBatch.objects.create(
        school=school,
        created_by=by,
        class_ids=sorted(c.pk for c in classes),
        year_groups=sorted(year_groups),
        description=describe_choice(classes, year_groups),
    )
    enqueue_on_commit(send_invitation_batch, batch.pk)
    return batch


def send_batch(batch_id: int) -> dict[str, int]:
    """Invite each family of the batch that is not on the portal yet (the task's work).

    Each family is decided in its own transaction with its contact row locked, so a second batch
    for the same class (a double click) waits, then finds the live invitation and skips it."""
    batch = InvitationBatch.objects.select_related("school", "created_by").filter(pk=batch_id).first()
    if batch is None:
        return {"invited": 0, "skipped": 0}
    school = batch.school
    families = plan(school, class_ids=batch.class_ids, year_groups=batch.year_groups).families
    invited = skipped = 0
    for family in families:
        if _invite_family(batch, family):
            invited += 1
        else:
            skipped += 1
    InvitationBatch.objects.filter(pk=batch.pk).update(
        invited_count=Invitation.objects.filter(batch=batch).count(),
        skipped_count=skipped,
        finished_at=timezone.now(),
    )
    return {"invited": invited, "skipped": skipped}


class _AlreadySent(Exception):
    pass


def _invite_family(batch: InvitationBatch, family: Family) -> bool:
    contact = family.contact
    try:
        with transaction.atomic():
            Contact.objects.select_for_update().filter(pk=contact.pk).first()
            on_portal = _on_portal(batch.school, {p.pk for p in family.pupils})
            pupils = [p for p in family.pupils if (contact.email.lower(), p.pk) not in on_portal]
            if not pupils:
                return False
            invitation = Invitation(
                school=batch.school,
                created_by=batch.created_by,
                full_name=contact.full_name,
                email=contact.email.lower(),
                relationship=family.relationship,
                contact=contact,
                batch=batch,
            )
            token = invitation.new_token()
            invitation.save()
            invitation.pupils.set(pupils)
            if not actions.send_parent_invitation(invitation, token, key=f"bulk-invitation:{batch.pk}:{contact.pk}"):
                raise _AlreadySent  # this batch emailed this contact already: keep nothing of this run
    except _AlreadySent:
        return False
    return True


# --- the list -------------------------------------------------------------------------------------
def with_status(invitations: QuerySet[Invitation], status: str) -> QuerySet[Invitation]:
    """Only the invitations in `status` (see Invitation.status: the same precedence, as a filter)."""
    from notifications.models import Notification

    now = timezone.now()
    open_ = Q(accepted_at__isnull=True)
    bounced = open_ & Q(notification__status=Notification.Status.FAILED)
    if status == "accepted":
        return invitations.filter(accepted_at__isnull=False)
    if status == "bounced":
        return invitations.filter(bounced)
    if status == "expired":
        return invitations.filter(open_, expires_at__lte=now).exclude(bounced)
    if status == "waiting":
        return invitations.filter(open_, expires_at__gt=now).exclude(bounced)
    return invitations


def resend_expired(invitations: QuerySet[Invitation]) -> int:
    """A fresh link for every expired invitation in `invitations` (already scoped to the school)."""
    sent = 0
    for invitation in with_status(invitations, "expired").order_by("pk"):
        try:
            actions.resend_invitation(invitation, only_if_expired=True)
        except actions.InvitationUnavailable:
            continue  # accepted or sent again meanwhile
        sent += 1
    return sent
