"""Who may open which complaint and which file. Views ask here; they never fetch complaints directly.

Every helper takes the person's acting membership (`request.membership`: who they are, the school
they are acting for and their role there) and asks `accounts.permissions` what that role may do:

- "complaints.manage" (headteacher): every complaint of the school they are acting for, at every
  stage; they alone move the stage, link incidents, release material to the panel and assign the
  informal stage;
- "complaints.handle_informal" (staff, DSL, headteacher): the member of staff assigned the
  informal stage (`Complaint.informal_handler`, by default the child's class teacher), at that
  school: that complaint only, and only while it is at the informal stage. They may read it
  (chronology and the parent's files), acknowledge it, write to the parent and add internal
  notes; never change its stage, see the governors' material, or open any other complaint.
  Escalation to formal ends their access;
- "complaints.raise" (parent): only the complaints they raised, at that school; never internal notes;
- "complaints.panel" (governor): only complaints that reached the panel, only after declaring no
  conflict of interest; never a child's name or a file unless the headteacher released it;
- everyone else: nothing.

Anything outside that answers 404.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership
from accounts.permissions import may, require
from incidents.models import Incident
from incidents.models.incident import open_to_q

from .models import (
    Attachment,
    Complaint,
    ComplaintQuerySet,
    ConflictDeclaration,
    HearingStatus,
    PanelHearing,
    PanelRecord,
    Stage,
)

RELATED = ("school", "parent", "pupil", "incident", "informal_handler")


def complaints_for(membership: Membership | None) -> ComplaintQuerySet:
    """Every complaint of the school, for the headteacher acting there; 404 for anyone else."""
    school = require(membership, "complaints.manage")
    return Complaint.objects.filter(school=school)


def get_handled_complaint(membership: Membership | None, pk: int) -> Complaint:
    """A complaint for the headteacher acting at its school; 404 for anyone else."""
    return get_object_or_404(complaints_for(membership).select_related(*RELATED), pk=pk)


def assigned_complaints_for(membership: Membership | None) -> QuerySet[Complaint]:
    """The informal-stage complaints given to this member of staff at the school they act for."""
    school = require(membership, "complaints.handle_informal")
    assert membership is not None
    return Complaint.objects.assigned_to(membership.user).filter(school=school)


def get_working_complaint(membership: Membership | None, pk: int) -> Complaint:
    """A complaint for the headteacher at its school, or for the member of staff assigned its
    informal stage while it is still informal; 404 for anyone else."""
    if can_manage(membership):
        return get_handled_complaint(membership, pk)
    return get_object_or_404(assigned_complaints_for(membership).select_related(*RELATED), pk=pk)


def can_manage(membership: Membership | None) -> bool:
    """Whether the person acting may do the headteacher's part (stage, incident link, panel, assign)."""
    return may(membership, "complaints.manage")


def incident_to_link(membership: Membership | None, complaint: Complaint, reference: str) -> Incident | None:
    """The incident of the complaint's school with this reference, for the headteacher linking them."""
    require(membership, "complaints.manage")
    assert membership is not None
    # A restricted case (an allegation about staff) is found only by its named handlers.
    incidents = Incident.objects.filter(school=complaint.school, reference=reference).filter(open_to_q(membership.user))
    return incidents.first()


def own_complaints_for(membership: Membership | None) -> QuerySet[Complaint]:
    """The complaints the signed-in parent raised at the school they are acting for."""
    school = require(membership, "complaints.raise")
    assert membership is not None
    return Complaint.objects.filter(parent=membership.user, school=school)


def get_own_complaint(membership: Membership | None, pk: int) -> Complaint:
    """A complaint the signed-in parent raised at the school they are acting for; 404 otherwise."""
    return get_object_or_404(own_complaints_for(membership).select_related("school", "pupil"), pk=pk)


def panel_complaints_for(membership: Membership | None) -> QuerySet[Complaint]:
    """Complaints at (or past) the panel stage of the governor's school, with whether this
    governor declared on each (`declared`) and declared a conflict (`conflicted`)."""
    school = require(membership, "complaints.panel")
    assert membership is not None
    mine = ConflictDeclaration.objects.filter(complaint=OuterRef("pk"), governor=membership.user)
    return Complaint.objects.for_panel(school).annotate(
        declared=Exists(mine), conflicted=Exists(mine.filter(has_conflict=True))
    )


def get_panel_complaint(membership: Membership | None, pk: int) -> Complaint:
    """A complaint at (or past) the panel stage of the governor's school, declaration or not."""
    school = require(membership, "complaints.panel")
    return get_object_or_404(Complaint.objects.for_panel(school).select_related("school", "parent"), pk=pk)


def declaration_for(membership: Membership | None, complaint: Complaint) -> ConflictDeclaration | None:
    """This governor's declaration on a complaint fetched through `get_panel_complaint`."""
    if membership is None:
        return None
    return ConflictDeclaration.objects.filter(complaint=complaint, governor=membership.user).first()


def get_bundle_complaint(membership: Membership | None, pk: int) -> Complaint:
    """A panel complaint the governor has declared no conflict on; 404 without that declaration or
    with a declared conflict (the bundle is withheld)."""
    complaint = get_panel_complaint(membership, pk)
    declaration = declaration_for(membership, complaint)
    if declaration is None or declaration.has_conflict:
        raise Http404("No such complaint.")
    return complaint


def get_panel_record_for(membership: Membership | None, pk: int) -> PanelRecord:
    """The panel's decision on a complaint: for the headteacher, and for governors cleared for the panel."""
    complaint = (
        get_handled_complaint(membership, pk) if can_manage(membership) else get_bundle_complaint(membership, pk)
    )
    return get_object_or_404(PanelRecord.objects.select_related("complaint__school"), complaint=complaint)


def get_panel_letter_for_governor(membership: Membership | None, pk: int) -> PanelRecord:
    """The panel's outcome letter, for a governor cleared for the panel: the panel drafts, checks
    and signs its own letter. 404 for everyone else, the headteacher included."""
    complaint = get_bundle_complaint(membership, pk)
    return get_object_or_404(
        PanelRecord.objects.select_related("complaint__school", "complaint__parent"), complaint=complaint
    )


def get_hearing_letter_for(membership: Membership | None, pk: int, hearing_pk: int) -> PanelHearing:
    """A sent hearing invitation: for the headteacher, governors cleared for the panel, and the
    parent who raised the complaint. Drafts are the panel's own (see the hearing page). 404 otherwise."""
    if can_manage(membership):
        complaint = get_handled_complaint(membership, pk)
    elif may(membership, "complaints.raise"):
        complaint = get_own_complaint(membership, pk)
    else:
        complaint = get_bundle_complaint(membership, pk)
    sent = PanelHearing.objects.exclude(status=HearingStatus.DRAFT).select_related("complaint__school")
    return get_object_or_404(sent, pk=hearing_pk, complaint=complaint)


def get_attachment_for(membership: Membership | None, pk: int) -> Attachment:
    """A file for the headteacher, the parent who attached it, the member of staff handling the
    informal stage (while it is informal), or a governor cleared for the panel once the
    headteacher released it. 404 for everyone else."""
    if membership is None:
        raise Http404("No such file.")
    files = Attachment.objects.filter(school=membership.school).select_related("complaint")
    user = membership.user
    if may(membership, "complaints.manage"):
        return get_object_or_404(files, pk=pk)
    if may(membership, "complaints.handle_informal"):
        return get_object_or_404(files, pk=pk, complaint__informal_handler=user, complaint__stage=Stage.INFORMAL)
    if may(membership, "complaints.raise"):
        return get_object_or_404(files, pk=pk, complaint__parent=user, uploaded_by=user)
    if may(membership, "complaints.panel"):
        attachment = get_object_or_404(
            files, pk=pk, released_to_panel_at__isnull=False, complaint__reached_panel_at__isnull=False
        )
        get_bundle_complaint(membership, attachment.complaint_id)
        return attachment
    raise Http404("No such file.")
