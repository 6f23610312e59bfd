"""Who may open which complaint and which file. Views ask here; they never fetch complaints directly.

- headteacher: every complaint of the school they are acting for;
- parent: only the complaints they raised, at that school; never internal notes;
- governor: only complaints that reached the panel, only after declaring no conflict of
  interest; never a child's name or a file unless the headteacher released it for the panel;
- everyone else: nothing.

Anything outside that answers 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.access import require_role
from accounts.models import Role

from .models import HANDLER_ROLES, Attachment, Complaint, ConflictDeclaration


def get_handled_complaint(request: HttpRequest, pk: int) -> Complaint:
    """A complaint for the headteacher acting at its school; 404 for anyone else."""
    school = require_role(request, *HANDLER_ROLES)
    complaints = Complaint.objects.for_user(request.user).filter(school=school)
    return get_object_or_404(complaints.select_related("school", "parent", "pupil", "incident"), pk=pk)


def get_own_complaint(request: HttpRequest, pk: int) -> Complaint:
    """A complaint the signed-in parent raised at the school they are acting for; 404 otherwise."""
    school = require_role(request, Role.PARENT)
    complaints = Complaint.objects.filter(parent=request.user, school=school).select_related("school", "pupil")
    return get_object_or_404(complaints, pk=pk)


def get_panel_complaint(request: HttpRequest, pk: int) -> Complaint:
    """A complaint at (or past) the panel stage of the governor's school, declaration or not."""
    school = require_role(request, Role.GOVERNOR)
    return get_object_or_404(Complaint.objects.for_panel(school).select_related("school", "parent"), pk=pk)


def declaration_for(complaint: Complaint, user) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(complaint=complaint, governor=user).first()


def get_bundle_complaint(request: HttpRequest, pk: int) -> Complaint:
    """A panel complaint the governor has declared no conflict on; 404 without that declaration or
    with a declared conflict (the bundle is withheld)."""
    complaint = get_panel_complaint(request, pk)
    declaration = declaration_for(complaint, request.user)
    if declaration is None or declaration.has_conflict:
        raise Http404("No such complaint.")
    return complaint


def get_attachment_for(request: HttpRequest, pk: int) -> Attachment:
    """A file for the headteacher, the parent who attached it, or a governor cleared for the
    panel once the headteacher released it. 404 for everyone else."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404("No such file.")
    files = Attachment.objects.filter(school=membership.school).select_related("complaint")
    if membership.role in HANDLER_ROLES:
        return get_object_or_404(files, pk=pk)
    if membership.role == Role.PARENT:
        return get_object_or_404(files, pk=pk, complaint__parent=request.user, uploaded_by=request.user)
    if membership.role == Role.GOVERNOR:
        attachment = get_object_or_404(
            files, pk=pk, released_to_panel_at__isnull=False, complaint__reached_panel_at__isnull=False
        )
        get_bundle_complaint(request, attachment.complaint_id)
        return attachment
    raise Http404("No such file.")
