"""The demo schools' pupils, parents and carers, loaded the way a real school loads them: the MIS
export in demo/roll/ goes through the roll import, and the first carer of each child accepts an
invitation (the demo password). The other carers are left uninvited, so the office has families to
invite in the demo. Idempotent: a second run imports the same files (nothing changes) and finds
every first carer already on the portal.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from accounts import actions as account_actions
from accounts.models import Invitation, ParentLink, Relationship, School, User
from accounts.roll import actions as roll_actions
from accounts.roll.models import Contact, PupilContact, RollImport

FILES = Path(__file__).resolve().parent / "roll"


def import_files(school: School, by: User) -> RollImport:
    """Run the school's demo export through the import, as `manage.py import_roll` does."""
    code = school.short_code.lower()
    roll_import = RollImport.objects.create(
        school=school,
        created_by=by,
        pupils_filename=f"{code}-pupils.csv",
        pupils_text=roll_actions.read_upload((FILES / f"{code}-pupils.csv").read_bytes()),
        contacts_filename=f"{code}-contacts.csv",
        contacts_text=roll_actions.read_upload((FILES / f"{code}-contacts.csv").read_bytes()),
        status=RollImport.Status.PREVIEWING,
    )
    roll_actions.run_preview(roll_import.pk)
    roll_import.refresh_from_db()
    if roll_import.status != RollImport.Status.PREVIEWED:
        raise RuntimeError(f"The demo roll of {school} could not be read: {roll_import.error}")
    RollImport.objects.filter(pk=roll_import.pk).update(status=RollImport.Status.APPLYING, applied_by=by)
    if roll_actions.run_apply(roll_import.pk) != "applied":
        raise RuntimeError(f"The demo roll of {school} was not imported.")
    roll_import.refresh_from_db()
    return roll_import


def first_carers(school: School) -> list[PupilContact]:
    """Each child's first contact (priority 1) with an email: the parents with a demo login."""
    return list(
        PupilContact.objects.filter(pupil__school=school, priority=1, parental_responsibility=True)
        .exclude(contact__email="")
        .select_related("contact", "pupil")
        .order_by("pupil__admission_number")
    )


def accept_invitations(school: School, by: User, password: str) -> list[tuple[User, PupilContact]]:
    """Invite each first carer and accept on their behalf, unless they are on the portal already."""
    parents = []
    for link in first_carers(school):
        contact: Contact = link.contact
        user = User.objects.filter(email__iexact=contact.email).first()
        if user is None or not ParentLink.objects.filter(parent=user, pupil=link.pupil).exists():
            with transaction.atomic():
                invitation = account_actions.invite_parent(
                    school=school,
                    created_by=by,
                    full_name=contact.full_name,
                    email=contact.email,
                    relationship=link.relationship if link.relationship in Relationship.values else "carer",
                    pupils=[link.pupil],
                )
                Invitation.objects.filter(pk=invitation.pk).update(contact=contact)
                user = account_actions.accept_invitation(invitation, full_name=contact.full_name, password=password)
        parents.append((user, link))
    return parents
