"""Scheduling the governors' panel hearing, and the parent's invitation letter.

The panel's own governors (those who declared no conflict of interest on the complaint) schedule
it: a date, a place and the members who will sit, chosen among themselves. The invitation is a
draft they read before sending; sending makes the PDF (in a Celery task, once) and emails it to
the parent, and tells each member, without content, that they sit. Moving a hearing that was sent
makes a new hearing and a new letter that says it replaces the first one: the parent's letters
never change underneath them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Membership, Role, User
from files import renders
from incidents.letters.rendering import address_lines_under
from notifications.outbox import notify
from schoolsocial.lib.pdf import image_data_uri, render_pdf
from schoolsocial.lib.store_once import store_once

from .common import ActionError, absolute_url, add_entry, locked, parent_url
from .deadlines import add_school_days
from .models import Complaint, ConflictDeclaration, EntryKind, HearingStatus, PanelHearing, Stage

# The DfE's model procedure: a panel of at least three people, none involved before.
ADVISED_MEMBERS = 3
# Notice the parent is advised to have, in school days.
ADVISED_NOTICE_SCHOOL_DAYS = 5


def eligible_members(complaint: Complaint) -> QuerySet[User]:
    """Governors of the complaint's school who declared no conflict of interest on it."""
    cleared = ConflictDeclaration.objects.filter(complaint=complaint, has_conflict=False).values("governor_id")
    governors = Membership.objects.filter(
        school_id=complaint.school_id, role=Role.GOVERNOR, is_active=True, user__is_active=True
    ).values("user_id")
    return User.objects.filter(pk__in=cleared).filter(pk__in=governors).order_by("full_name", "pk")


def current_hearing(complaint: Complaint) -> PanelHearing | None:
    """The hearing in play (draft or sent), if any."""
    return (
        PanelHearing.objects.filter(complaint=complaint)
        .exclude(status=HearingStatus.REPLACED)
        .select_related("replaces")
        .prefetch_related("members")
        .first()
    )


def sent_hearing(complaint: Complaint) -> PanelHearing | None:
    """The hearing the parent was invited to (never a draft the panel is still preparing)."""
    hearing = current_hearing(complaint)
    return hearing if hearing is not None and hearing.is_sent else None


@dataclass
class HearingAdvice:
    """What a sensible hearing would have, said to the governor but not enforced."""

    warnings: list[str]


def advice_for(hearing: PanelHearing) -> HearingAdvice:
    warnings = []
    count = hearing.members.count()
    if count < ADVISED_MEMBERS:
        warnings.append(
            f"The panel has {count} member{'s' if count != 1 else ''}. The Department for Education's model "
            f"procedure advises at least {ADVISED_MEMBERS}."
        )
    starts = timezone.localtime(hearing.starts_at).date()
    rules = getattr(hearing.complaint.school, "complaint_settings", None)
    holidays = rules.holiday_dates if rules is not None else frozenset()
    if starts < add_school_days(timezone.localdate(), ADVISED_NOTICE_SCHOOL_DAYS, holidays):
        warnings.append(
            f"The hearing is less than {ADVISED_NOTICE_SCHOOL_DAYS} school days away: check the parent can attend."
        )
    return HearingAdvice(warnings)


@transaction.atomic
def schedule_hearing(
    *,
    complaint: Complaint,
    by: User,
    starts_at: datetime,
    place: str,
    members: list[User],
    notes_for_parent: str = "",
    signatory_name: str = "",
    signatory_role: str = "",
) -> PanelHearing:
    """Save the hearing as a draft: the current draft is updated; a sent hearing is replaced."""
    complaint = locked(complaint)
    if complaint.stage != Stage.PANEL:
        raise ActionError("Only a complaint at the governors' panel stage can have a hearing.")
    if hasattr(complaint, "panel"):
        raise ActionError("The panel has already recorded its decision on this complaint.")
    if starts_at <= timezone.now():
        raise ActionError("The hearing must be in the future.")
    allowed = set(eligible_members(complaint).values_list("pk", flat=True))
    chosen = {member.pk for member in members}
    if not chosen:
        raise ActionError("Choose the governors who will sit on the panel.")
    if not chosen <= allowed:
        raise ActionError("Only governors who declared no conflict of interest on this complaint can sit.")
    current = current_hearing(complaint)
    fields = {
        "starts_at": starts_at,
        "place": place.strip(),
        "notes_for_parent": notes_for_parent.strip(),
        "signatory_name": signatory_name.strip() or by.full_name,
        "signatory_role": signatory_role.strip() or "Clerk to the governors",
    }
    if current is not None and current.status == HearingStatus.DRAFT:
        hearing = current
        for name, value in fields.items():
            setattr(hearing, name, value)
        hearing.save()
    else:
        if current is not None:  # sent: it stays as it was sent, marked replaced
            current.status = HearingStatus.REPLACED
            current.save(update_fields=["status"])
        hearing = PanelHearing.objects.create(complaint=complaint, scheduled_by=by, replaces=current, **fields)
    hearing.members.set(sorted(chosen))
    return hearing


def invitation_gaps(hearing: PanelHearing) -> list[str]:
    gaps = []
    if not hearing.place.strip():
        gaps.append("Say where the hearing is.")
    if not hearing.signatory_name.strip():
        gaps.append("Say who signs the letter.")
    if hearing.starts_at <= timezone.now():
        gaps.append("The hearing's date has passed: choose a new one.")
    return gaps


@transaction.atomic
def send_invitation(*, hearing: PanelHearing, by: User) -> PanelHearing:
    """Send the parent's invitation (the PDF is made and emailed once, by a task). A second click
    changes nothing."""
    hearing = PanelHearing.objects.select_for_update().select_related("complaint").get(pk=hearing.pk)
    if hearing.status != HearingStatus.DRAFT:
        return hearing
    gaps = invitation_gaps(hearing)
    if gaps:
        raise ActionError(" ".join(gaps))
    hearing.status = HearingStatus.SENT
    hearing.sent_at = timezone.now()
    hearing.sent_by = by
    hearing.save(update_fields=["status", "sent_at", "sent_by"])
    when = timezone.localtime(hearing.starts_at)
    moved = " (a new date: it replaces the earlier invitation)" if hearing.replaces_id else ""
    add_entry(
        hearing.complaint,
        by,
        EntryKind.HEARING,
        f"Panel hearing on {when:%A %-d %B %Y at %H:%M}, {hearing.place}{moved}",
    )
    from .tasks import render_hearing_invitation

    renders.queue(hearing, render_hearing_invitation, hearing.pk)
    return hearing


def invitation_context(hearing: PanelHearing, *, is_draft: bool = False) -> dict:
    complaint = hearing.complaint
    school = complaint.school
    parent = complaint.parent
    replaced = hearing.replaces
    return {
        "hearing": hearing,
        "complaint": complaint,
        "school": school,
        "school_address_lines": address_lines_under(school),
        "parent": parent,
        "address_lines": [line.strip() for line in (parent.postal_address or "").splitlines() if line.strip()],
        "salutation": parent.salutation,
        "when": timezone.localtime(hearing.starts_at),
        "members": [member.full_name for member in hearing.members.all()],
        "replaced_sent_on": timezone.localtime(replaced.sent_at) if replaced and replaced.sent_at else None,
        "logo": image_data_uri(school.logo),
        "today": timezone.localdate(),
        "is_draft": is_draft,
    }


def store_invitation(hearing: PanelHearing) -> bool:
    """Render and keep the invitation (once), email it to the parent and tell the members,
    together. False if it was already there or the hearing is still a draft."""
    if hearing.status == HearingStatus.DRAFT:
        return False
    complaint = hearing.complaint
    with transaction.atomic():
        stored = store_once(
            hearing,
            render=lambda: render_pdf("complaints/pdf/hearing_invitation.html", invitation_context(hearing)),
            filename=f"{complaint.reference}-panel-hearing.pdf",
            file_field="letter",
            sha256_field="letter_sha256",
            also={"letter_rendered_at": timezone.now()},
        )
        if stored is None or not stored.stored_now:
            return False
        context = {
            "complaint": complaint,
            "school": complaint.school,
            "hearing": hearing,
            "when": timezone.localtime(hearing.starts_at),
        }
        notify(
            key=f"complaint-hearing:{hearing.pk}",
            to=[complaint.parent.email],
            template="complaint-hearing",
            context={**context, "url": absolute_url(parent_url(complaint))},
            school=complaint.school,
            from_name=complaint.school.name,
            reply_to=complaint.school.email,
            attachments=[
                {"name": f"{complaint.reference}-panel-hearing.pdf", "path": stored.name, "mimetype": "application/pdf"}
            ],
        )
        for member in hearing.members.all():
            notify(
                key=f"complaint-hearing-member:{hearing.pk}:{member.pk}",
                to=[member.email],
                template="complaint-hearing-member",
                context={**context, "member": member, "url": absolute_url(complaint_bundle_url(complaint))},
                school=complaint.school,
            )
    return True


def complaint_bundle_url(complaint: Complaint) -> str:
    from django.urls import reverse

    return reverse("complaints:panel_bundle", args=[complaint.pk])


def make_again(hearing: PanelHearing) -> bool:
    if hearing.letter or hearing.status == HearingStatus.DRAFT:
        return False
    with transaction.atomic():
        return renders.make_again(hearing)
