"""The school's pages: the headteacher's list of complaints, one complaint, the deadline settings,
and the list of complaints assigned to a member of staff for the informal stage."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.permissions import require
from incidents.restriction import may_open
from schoolsocial.lib.concurrency import StaleEdit, current_version
from schoolsocial.lib.text import strip_bidi_controls

from .. import access, actions, conversation
from ..access import can_manage, get_handled_complaint, get_working_complaint
from ..deadlines import add_school_days
from ..forms import (
    AcknowledgeForm,
    HandlerForm,
    LinkIncidentForm,
    MessageForm,
    NoteForm,
    SettingsForm,
    StageForm,
)
from ..hearing import current_hearing
from ..models import Complaint, ComplaintSettings, InvalidTransition, Stage
from ..search import mark_matches, search

FILTERS = {"open": "Open", **{s.value: s.label for s in Stage}, "all": "All"}


@login_required
def complaint_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "complaints.manage")
    chosen = request.GET.get("stage", "open")
    if chosen not in FILTERS:
        chosen = "open"
    complaints = access.complaints_for(request.membership).select_related("school", "parent", "informal_handler")
    if chosen == "open":
        complaints = complaints.open()
    elif chosen != "all":
        complaints = complaints.filter(stage=chosen)
    listed: QuerySet[Complaint] = complaints.order_by("-created_at", "-pk")
    query = strip_bidi_controls(request.GET.get("q", ""))[:100].strip()
    if query:
        listed = search(listed, query)  # best match first
    rules = ComplaintSettings.for_school(school)
    today = timezone.localdate()
    page = Paginator(listed, 25).get_page(request.GET.get("page"))
    if query:
        mark_matches(page, query)
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "filters": FILTERS,
            "chosen": chosen,
            "query": query,
            "today": today,
            "warn_until": add_school_days(today, rules.remind_days_before, rules.holiday_dates),
        },
    )


@login_required
def assigned_to_me(request: AuthenticatedRequest) -> HttpResponse:
    """The informal-stage complaints given to the signed-in member of staff."""
    school = require(request, "complaints.handle_informal")
    complaints = (
        access.assigned_complaints_for(request.membership)
        .select_related("school", "parent", "pupil")
        .order_by("-created_at", "-pk")
    )
    rules = ComplaintSettings.for_school(school)
    today = timezone.localdate()
    page = Paginator(complaints, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/assigned_list.html",
        {
            "page": page,
            "today": today,
            "warn_until": add_school_days(today, rules.remind_days_before, rules.holiday_dates),
        },
    )


@login_required
def complaint_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    complaint = get_working_complaint(request.membership, pk)
    log_access(request, complaint)
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


def _detail_context(request: AuthenticatedRequest, complaint: Complaint, **forms) -> dict:
    manage = can_manage(request.membership)
    panel = getattr(complaint, "panel", None) if manage and complaint.reached_panel_at else None
    # A case restricted after it was linked stays out of sight of everyone but its handlers.
    linked = complaint.incident if may_open(complaint.incident, request.user) else None
    context = {
        "complaint": complaint,
        "linked_incident": linked,
        "linked_incident_restricted": complaint.incident_id is not None and linked is None,
        "can_manage": manage,
        "entries": complaint.entries.select_related("author").order_by("at", "pk"),
        "files": complaint.attachments.select_related("released_by").order_by("uploaded_at", "pk"),
        "today": timezone.localdate(),
        "acknowledge_form": forms.get("acknowledge_form") or AcknowledgeForm(),
        "message_form": forms.get("message_form") or MessageForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "handler": complaint.informal_handler if complaint.informal_handler_id else None,
        "stage_request": conversation.stage_request(complaint) if complaint.is_open else None,
    }
    if manage:  # the headteacher's part: never built for the member of staff handling the informal stage
        # The forms that change the complaint carry the version the page was opened at.
        opened = current_version(complaint)
        context.update(
            {
                "declarations": complaint.declarations.select_related("governor") if complaint.reached_panel_at else [],
                "panel": panel,
                "hearing": current_hearing(complaint) if complaint.reached_panel_at else None,
                "stage_form": forms.get("stage_form")
                or StageForm(complaint=complaint, initial={"seen_version": opened}),
                "link_form": forms.get("link_form")
                or LinkIncidentForm(
                    school=complaint.school,
                    initial={
                        "reference": linked.reference if linked else "",
                        "seen_version": opened,
                    },
                ),
                "handler_form": forms.get("handler_form")
                or HandlerForm(
                    school=complaint.school,
                    initial={"handler": complaint.informal_handler_id, "seen_version": opened},
                ),
            }
        )
    return context


def _what_they_saved(complaint: Complaint, viewer) -> list[tuple[str, str]]:
    return [
        ("Stage", complaint.get_stage_display()),
        ("Informal stage handled by", complaint.informal_handler.full_name if complaint.informal_handler else ""),
        (
            "Linked incident",
            complaint.incident.reference if complaint.incident and may_open(complaint.incident, viewer) else "",
        ),
    ]


def _post(
    request: AuthenticatedRequest,
    pk: int,
    form_name: str,
    make_form: Callable,
    act: Callable,
    done: str,
    *,
    manage_only: bool = True,
    already_done: Callable | None = None,
) -> HttpResponse:
    """Shared shape of the detail page's actions: validate, act, or show the page with the errors.
    `manage_only=False` lets the member of staff handling the informal stage do it too."""
    membership = request.membership
    complaint = get_handled_complaint(membership, pk) if manage_only else get_working_complaint(membership, pk)
    if already_done is not None and already_done(complaint, request.POST):
        messages.info(request, "That was saved already.")  # a second click
        return redirect(complaint)
    form = make_form(request.POST, complaint)
    if form.is_valid():
        try:
            act(complaint, form.cleaned_data)
        except StaleEdit as stale:
            complaint.refresh_from_db()
            form.saw_version(stale.version)
            context = _detail_context(request, complaint, **{form_name: form})
            context.update({"stale": stale, "saved": _what_they_saved(complaint, request.user)})
            return render(request, "complaints/detail.html", context, status=409)
        except (actions.ActionError, InvalidTransition) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(complaint)
    context = _detail_context(request, complaint, **{form_name: form})
    return render(request, "complaints/detail.html", context, status=400)


@require_POST
@login_required
def acknowledge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "acknowledge_form",
        lambda data, c: AcknowledgeForm(data),
        lambda c, d: actions.acknowledge(complaint=c, by=request.user, message=d["acknowledgement"]),
        "Acknowledgement sent to the parent.",
        manage_only=False,
    )


@require_POST
@login_required
def respond(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "message_form",
        lambda data, c: MessageForm(data),
        lambda c, d: actions.respond(complaint=c, by=request.user, message=d["message"], final=d["final"]),
        "Message sent to the parent.",
        manage_only=False,
    )


@require_POST
@login_required
def add_note(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "note_form",
        lambda data, c: NoteForm(data),
        lambda c, d: actions.add_note(complaint=c, by=request.user, text=d["text"]),
        "Note added. Only the school can see it.",
        manage_only=False,
    )


@require_POST
@login_required
def change_stage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "stage_form",
        lambda data, c: StageForm(data, complaint=c),
        lambda c, d: actions.move_stage(
            complaint=c, by=request.user, stage=d["stage"], reason=d["reason"], seen_version=d["seen_version"]
        ),
        "Stage updated and the parent told.",
        # The same move sent twice: the second finds the complaint already there.
        already_done=lambda c, data: data.get("stage") == c.stage,
    )


@require_POST
@login_required
def assign_handler(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        "handler_form",
        lambda data, c: HandlerForm(data, school=c.school),
        lambda c, d: actions.assign_informal_handler(
            complaint=c, by=request.user, handler=d["handler"], seen_version=d["seen_version"]
        ),
        "Saved who handles the informal stage.",
    )


@require_POST
@login_required
def link_incident(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    def act(complaint: Complaint, data: dict) -> None:
        if not may_open(complaint.incident, request.user):
            raise actions.ActionError("Only the people handling the linked restricted case can change the link.")
        reference = data["reference"].strip().upper()
        incident = None
        if reference:
            incident = access.incident_to_link(request.membership, complaint, reference)
            if incident is None:
                raise actions.ActionError(f"No incident {reference} was found at this school.")
        actions.link_incident(
            complaint=complaint, by=request.user, incident=incident, seen_version=data["seen_version"]
        )

    return _post(
        request, pk, "link_form", lambda data, c: LinkIncidentForm(data, school=c.school), act, "Incident link saved."
    )


@require_POST
@login_required
def release_names(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    complaint = get_handled_complaint(request.membership, pk)
    actions.release_names(complaint=complaint, by=request.user)
    messages.success(request, "The governors' panel will now see the children's names.")
    return redirect(complaint)


@require_POST
@login_required
def release_attachment(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> HttpResponse:
    complaint = get_handled_complaint(request.membership, pk)
    attachment = get_object_or_404(complaint.attachments, pk=attachment_pk)
    actions.release_attachment(attachment=attachment, by=request.user)
    messages.success(request, f"“{attachment.original_name}” is now part of the governors' bundle.")
    return redirect(complaint)


@login_required
def deadline_settings(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "complaints.manage")
    instance = ComplaintSettings.for_school(school)
    form = SettingsForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Complaint deadlines saved. They apply to each stage that starts from now.")
            return redirect("complaints:list")
        return render(request, "complaints/settings.html", {"form": form}, status=400)
    return render(request, "complaints/settings.html", {"form": form})
