"""The governors' panel hearing: the panel schedules it and sends the parent's invitation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.permissions import require
from schoolsocial.lib.downloads import private_file_response

from .. import hearing as hearings
from ..access import get_bundle_complaint, get_hearing_letter_for
from ..actions import ActionError
from ..forms import HearingForm, SendInvitationForm
from ..models import HearingStatus, Stage
from .files import open_or_404


def _initial(current, user) -> dict:
    if current is None:
        return {"signatory_name": user.full_name, "signatory_role": "Clerk to the governors"}
    return {
        "starts_at": timezone.localtime(current.starts_at),
        "place": current.place,
        "members": list(current.members.all()),
        "notes_for_parent": current.notes_for_parent,
        "signatory_name": current.signatory_name,
        "signatory_role": current.signatory_role,
    }


@login_required
def hearing(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Schedule (or move) the hearing, read the invitation as the parent will, then send it."""
    require(request, "complaints.panel")
    complaint = get_bundle_complaint(request.membership, pk)
    open_for_scheduling = complaint.stage == Stage.PANEL and not hasattr(complaint, "panel")
    current = hearings.current_hearing(complaint)
    eligible = hearings.eligible_members(complaint)
    form = HearingForm(initial=_initial(current, request.user), eligible=eligible)
    send_form = SendInvitationForm()
    status = 200
    if request.method == "POST" and not open_for_scheduling:
        messages.info(request, "This complaint is no longer waiting for a hearing; nothing was changed.")
        return redirect("complaints:panel_bundle", pk=complaint.pk)
    if request.method == "POST" and "send" in request.POST and current is not None:
        send_form = SendInvitationForm(request.POST)
        if send_form.is_valid():
            try:
                hearings.send_invitation(hearing=current, by=request.user)
            except ActionError as error:
                send_form.add_error(None, str(error))
            else:
                messages.success(request, "The invitation is being made and sent to the parent and the panel.")
                return redirect("complaints:hearing", pk=complaint.pk)
        status = 400
    elif request.method == "POST":
        form = HearingForm(request.POST, eligible=eligible)
        if form.is_valid():
            data = form.cleaned_data
            try:
                hearings.schedule_hearing(
                    complaint=complaint,
                    by=request.user,
                    starts_at=data["starts_at"],
                    place=data["place"],
                    members=list(data["members"]),
                    notes_for_parent=data["notes_for_parent"],
                    signatory_name=data["signatory_name"],
                    signatory_role=data["signatory_role"],
                )
            except ActionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Saved. Read the invitation below before you send it.")
                return redirect("complaints:hearing", pk=complaint.pk)
        status = 400
    current = hearings.current_hearing(complaint)
    log_access(request, complaint, action="panel-hearing")
    context: dict[str, object] = {
        "complaint": complaint,
        "current": current,
        "form": form,
        "send_form": send_form,
        "open_for_scheduling": open_for_scheduling,
        "has_eligible": eligible.exists(),
        "earlier": complaint.hearings.filter(status=HearingStatus.REPLACED).order_by("-sent_at", "-pk"),
    }
    if current is not None:
        context["preview"] = hearings.invitation_context(current, is_draft=current.status == HearingStatus.DRAFT)
        context["gaps"] = hearings.invitation_gaps(current) if current.status == HearingStatus.DRAFT else []
        context["advice"] = hearings.advice_for(current).warnings
    return render(request, "complaints/hearing.html", context, status=status)


@login_required
def hearing_letter(request: AuthenticatedRequest, pk: int, hearing_pk: int) -> FileResponse:
    """The invitation PDF: headteacher, cleared governors and the parent who raised the complaint."""
    found = get_hearing_letter_for(request.membership, pk, hearing_pk)
    handle = open_or_404(found.letter)
    log_access(request, found, action="download", school=found.complaint.school)
    return private_file_response(
        handle, stem=f"{found.complaint.reference}-panel-hearing", content_type="application/pdf"
    )


@require_POST
@login_required
def hearing_letter_again(request: AuthenticatedRequest, pk: int, hearing_pk: int) -> HttpResponse:
    require(request, "complaints.panel")
    found = get_hearing_letter_for(request.membership, pk, hearing_pk)
    if hearings.make_again(found):
        messages.info(request, "The invitation is being made again.")
    return redirect("complaints:hearing", pk=pk)
