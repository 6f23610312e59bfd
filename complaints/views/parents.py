"""The parent's pages: raise a concern or complaint, list their own, follow one."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import own_children_for
from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.permissions import require
from files import staging

from .. import actions, conversation
from ..access import get_own_complaint, own_complaints_for
from ..forms import ComplaintForm, NextStageForm, ParentMessageForm, form_token_from
from ..hearing import sent_hearing


@login_required
def raise_complaint(request: AuthenticatedRequest) -> HttpResponse:
    """The complaint form. Good files are staged at once (files.staging, keyed to this
    parent and this form's token), so a submit that needs another look loses nothing."""
    school = require(request, "complaints.raise")
    children = own_children_for(request.membership).order_by("first_name")
    if request.method != "POST":
        return _raise_page(request, ComplaintForm(children=children), staged=[])

    data = request.POST.copy()
    token = form_token_from(data.get("form_token")) or uuid.uuid4()  # missing or tampered: a fresh one
    data["form_token"] = str(token)
    staged = actions.staged_for_form(school=school, parent=request.user, form_token=token)
    form = ComplaintForm(data, request.FILES, children=children, already_attached=len(staged))
    valid = form.is_valid()
    for upload, facts in form.inspected:
        staging.stage(school=school, user=request.user, form_token=token, upload=upload, facts=facts)

    remove = data.get("remove_upload", "")
    if remove.isdigit():
        staging.discard(user=request.user, form_token=token, pk=int(remove))
        for message in form.errors.get("attachments", []):
            messages.error(request, str(message))
        initial = {key: data.get(key) for key in ("pupil", "subject", "details", "desired_outcome", "form_token")}
        form = ComplaintForm(initial=initial, children=children)
        return _raise_page(request, form, staged=_staged(school, request.user, token))

    if valid:
        try:
            complaint = actions.raise_complaint(
                school=school,
                parent=request.user,
                pupil=form.cleaned_data["pupil"],
                subject=form.cleaned_data["subject"],
                details=form.cleaned_data["details"],
                desired_outcome=form.cleaned_data["desired_outcome"],
                form_token=token,
            )
        except actions.ActionError as error:
            form.add_error("attachments", str(error))
        else:
            messages.success(request, _("Thank you. The school has received your complaint and will acknowledge it."))
            return redirect("complaints:my_complaint", pk=complaint.pk)
    staged = _staged(school, request.user, token)
    if staged and "attachments" not in form.errors:
        messages.info(request, _("Your files are kept: you do not need to choose them again."))
    return _raise_page(request, form, staged=staged, status=400)


def _staged(school, user, token) -> list:
    return actions.staged_for_form(school=school, parent=user, form_token=token)


def _raise_page(request: AuthenticatedRequest, form: ComplaintForm, *, staged: list, status: int = 200) -> HttpResponse:
    return render(request, "complaints/raise.html", {"form": form, "staged": staged}, status=status)


@login_required
def my_complaints(request: AuthenticatedRequest) -> HttpResponse:
    complaints = own_complaints_for(request.membership).select_related("school")
    page = Paginator(complaints.order_by("-created_at", "-pk"), 25).get_page(request.GET.get("page"))
    return render(request, "complaints/my_list.html", {"page": page})


@login_required
def my_complaint(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What the parent may see: the stage and what was sent to them, never the school's notes.
    While it is open the parent can write (with files) and ask for the next stage."""
    complaint = get_own_complaint(request.membership, pk)
    message_form = ParentMessageForm()
    staged: list = []
    stage_form = NextStageForm()
    status = 200
    if request.method == "POST" and "ask_next_stage" in request.POST:
        stage_form = NextStageForm(request.POST)
        if stage_form.is_valid():
            try:
                conversation.ask_for_next_stage(
                    complaint=complaint, parent=request.user, reason=stage_form.cleaned_data["reason"]
                )
            except actions.ActionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Your request is sent. The headteacher will decide and let you know."))
            return redirect("complaints:my_complaint", pk=complaint.pk)
        status = 400
    elif request.method == "POST":
        message_form, status, staged = _send_message(request, complaint)
        if status == 302:
            messages.success(request, _("Your message is sent to the school."))
            return redirect("complaints:my_complaint", pk=complaint.pk)
    log_access(request, complaint)
    context = {
        "complaint": complaint,
        "entries": complaint.entries.for_parent().select_related("author").order_by("at", "pk"),
        "files": complaint.attachments.filter(uploaded_by=request.user).order_by("uploaded_at", "pk"),
        "message_form": message_form,
        "staged": staged if status == 400 else [],
        "stage_form": stage_form,
        "next_stage": conversation.next_stage_for(complaint),
        "stage_request": conversation.stage_request(complaint),
        "hearing": sent_hearing(complaint),
    }
    return render(request, "complaints/my_detail.html", context, status=status)


def _send_message(request: AuthenticatedRequest, complaint) -> tuple[ParentMessageForm, int, list]:
    """As the complaint form: good files are staged at once, so a message that needs another look
    keeps them. Returns the form, the status and the files now staged (read once)."""
    school = complaint.school
    data = request.POST.copy()
    token = form_token_from(data.get("form_token")) or uuid.uuid4()
    data["form_token"] = str(token)
    staged = _staged(school, request.user, token)
    form = ParentMessageForm(data, request.FILES, already_attached=len(staged))
    valid = form.is_valid()
    for upload, facts in form.inspected:
        staged.append(staging.stage(school=school, user=request.user, form_token=token, upload=upload, facts=facts))
    remove = data.get("remove_upload", "")
    if remove.isdigit():
        staging.discard(user=request.user, form_token=token, pk=int(remove))
        kept = [item for item in staged if item.pk != int(remove)]
        return ParentMessageForm(initial={"text": data.get("text", ""), "form_token": token}), 400, kept
    if valid:
        try:
            conversation.parent_message(
                complaint=complaint, parent=request.user, text=form.cleaned_data["text"], form_token=token
            )
        except actions.ActionError as error:
            form.add_error(None, str(error))
        else:
            return form, 302, []
    return form, 400, staged
