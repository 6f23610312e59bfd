"""Who may open which complaint and which file. Views ask here; they never fetch complaints directly.

- headteacher: every complaint of the school they are acting for, at every stage; they alone
  move the stage, link incidents, release material to the panel and assign the informal stage;
- the member of staff assigned the informal stage (`Complaint.informal_handler`, by default the
  child's class teacher), acting as staff, DSL or headteacher at that school: that complaint only,
  and only while it is at the informal stage. They may read it (chronology and the parent's
  files), acknowledge it, write to the parent and add internal notes; never change its stage, see
  the governors' material, or open any other complaint. Escalation to formal ends their access;
- parent: only the complaints they raised, at that school; never internal notes;
- governor: only complaints that reached the panel, only after declaring no conflict of
  interest; never a child's name or a file unless the headteacher released it for the panel;
- everyone else: nothing.

Anything outside that answers 404.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import acting_role, require_role
from accounts.http import AuthenticatedRequest
from accounts.models import Role

from .models import HANDLER_ROLES, INFORMAL_HANDLER_ROLES, Attachment, Complaint, ConflictDeclaration, Stage


def get_handled_complaint(request: AuthenticatedRequest, pk: int) -> Complaint:
    """A complaint for the headteacher acting at its school; 404 for anyone else."""
    school = require_role(request, *HANDLER_ROLES)
    complaints = Complaint.objects.for_user(request.user).filter(school=school)
    return get_object_or_404(
        complaints.select_related("school", "parent", "pupil", "incident", "informal_handler"), pk=pk
    )


def get_working_complaint(request: AuthenticatedRequest, pk: int) -> Complaint:
    """A complaint for the headteacher at its school, or for the member of staff assigned its
    informal stage while it is still informal; 404 for anyone else."""
    school = require_role(request, *INFORMAL_HANDLER_ROLES)
    if acting_role(request) in HANDLER_ROLES:
        return get_handled_complaint(request, pk)
    complaints = Complaint.objects.assigned_to(request.user).filter(school=school)
    return get_object_or_404(
        complaints.select_related("school", "parent", "pupil", "incident", "informal_handler"), pk=pk
    )


def can_manage(request: AuthenticatedRequest) -> bool:
    """Whether the person acting may do the headteacher's part (stage, incident link, panel, assign)."""
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role in HANDLER_ROLES


def get_own_complaint(request: AuthenticatedRequest, pk: int) -> Complaint:
    """A complaint the signed-in parent raised at the school they are acting for; 404 otherwise."""
    school = require_role(request, Role.PARENT)
    complaints = Complaint.objects.filter(parent=request.user, school=school).select_related("school", "pupil")
    return get_object_or_404(complaints, pk=pk)


def get_panel_complaint(request: AuthenticatedRequest, pk: int) -> Complaint:
    """A complaint at (or past) the panel stage of the governor's school, declaration or not."""
    school = require_role(request, Role.GOVERNOR)
    return get_object_or_404(Complaint.objects.for_panel(school).select_related("school", "parent"), pk=pk)


def declaration_for(complaint: Complaint, user) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(complaint=complaint, governor=user).first()


def get_bundle_complaint(request: AuthenticatedRequest, pk: int) -> Complaint:
    """A panel complaint the governor has declared no conflict on; 404 without that declaration or
    with a declared conflict (the bundle is withheld)."""
    complaint = get_panel_complaint(request, pk)
    declaration = declaration_for(complaint, request.user)
    if declaration is None or declaration.has_conflict:
        raise Http404("No such complaint.")
    return complaint


def get_attachment_for(request: AuthenticatedRequest, pk: int) -> Attachment:
    """A file for the headteacher, the parent who attached it, the member of staff handling the
    informal stage (while it is informal), or a governor cleared for the panel once the
    headteacher released it. 404 for everyone else."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404("No such file.")
    files = Attachment.objects.filter(school=membership.school).select_related("complaint")
    if membership.role in HANDLER_ROLES:
        return get_object_or_404(files, pk=pk)
    if membership.role in INFORMAL_HANDLER_ROLES:
        return get_object_or_404(
            files, pk=pk, complaint__informal_handler=request.user, complaint__stage=Stage.INFORMAL
        )
    if membership.role == Role.PARENT:
        return get_object_or_404(files, pk=pk, complaint__parent=request.user, uploaded_by=request.user)
    if membership.role == Role.GOVERNOR:
        attachment = get_object_or_404(
            files, pk=pk, released_to_panel_at__isnull=False, complaint__reached_panel_at__isnull=False
        )
        get_bundle_complaint(request, attachment.complaint_id)
        return attachment
    raise Http404("No such file.")
