"""The headteacher's and governors' pages: list, draft, import, approve, compare, acknowledgements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from accounts.permissions import may, require
from schoolsocial.lib.concurrency import StaleEdit

from .. import actions, approval, selectors
from ..access import get_document_for, get_version_for
from ..diff import side_by_side
from ..forms import ApproveForm, DocumentForm, DraftForm, ImportForm, NewPolicyForm
from ..models import PolicyVersion, ReadingPart, Status


@login_required
def policy_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "policies.oversee")
    page = Paginator(selectors.documents_for_list(school), 50).get_page(request.GET.get("page"))
    page.object_list = selectors.decorate(page.object_list)
    return render(request, "policies/list.html", {"page": page, "school": school})


@login_required
def policy_create(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "policies.manage")
    form = NewPolicyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = actions.create_document(
            school=school,
            by=request.user,
            title=data["title"],
            category=data["category"],
            owner=data["owner"],
            review_interval_months=data["review_interval_months"],
            staff_must_acknowledge=data["staff_must_acknowledge"],
            body_markdown=data["body_markdown"],
            change_summary=data["change_summary"],
        )
        for note in form.upload_notes:
            messages.warning(request, note)
        messages.success(request, "Draft saved. Check it, then send it for approval.")
        return redirect(version)
    return render(request, "policies/create.html", {"form": form})


@login_required
def policy_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "policies.oversee")
    document = get_document_for(request.membership, pk)
    versions = list(document.versions.select_related("approved_by", "created_by").order_by("-number"))
    current = next((v for v in versions if v.status == Status.APPROVED), None)
    open_version = next((v for v in versions if v.status in actions.OPEN_STATUSES), None)
    return render(
        request,
        "policies/detail.html",
        {
            "document": document,
            "versions": versions,
            "current": current,
            "open_version": open_version,
            "can_approve": actions.can_approve(request.user, document),
            "can_manage": may(request.membership, "policies.manage"),
        },
    )


@login_required
def policy_settings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "policies.manage")
    document = get_document_for(request.membership, pk)
    form = DocumentForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Policy details saved.")
        return redirect(document)
    return render(request, "policies/settings.html", {"form": form, "document": document})


@require_POST
@login_required
def draft_start(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "policies.manage")
    document = get_document_for(request.membership, pk)
    version = actions.start_draft(document, by=request.user)
    return redirect("policies:draft_edit", document.pk, version.number)


@login_required
def draft_edit(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    require(request, "policies.manage")
    version = get_version_for(request.membership, pk, number)
    if version.status != Status.DRAFT:
        messages.info(request, "Only a draft can be edited. Start a new draft to make changes.")
        return redirect(version)
    initial = {"body_markdown": version.body_markdown, "change_summary": version.change_summary}
    form = DraftForm(request.POST or None, initial=initial)
    form.opened_at(version)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_draft(version, **form.cleaned_data)
        except StaleEdit as stale:
            version.refresh_from_db()
            form.saw_version(stale.version)
            saved = [("What they saved", version.body_markdown), ("What changed", version.change_summary)]
            context = {"form": form, "version": version, "document": version.document, "stale": stale, "saved": saved}
            return render(request, "policies/draft_form.html", context, status=409)
        except ValidationError as error:  # sent for approval from another tab meanwhile
            messages.error(request, f"{error.message} Nothing was changed.")
        else:
            messages.success(request, "Draft saved.")
        return redirect(version)
    return render(request, "policies/draft_form.html", {"form": form, "version": version, "document": version.document})


@login_required
def draft_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "policies.manage")
    document = get_document_for(request.membership, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    open_draft = actions.open_version(document)
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.start_draft(
                document,
                by=request.user,
                body_markdown=form.upload_markdown,
                change_summary=form.cleaned_data["change_summary"],
            )
        except actions.NotAllowed as error:
            form.add_error(None, str(error))
        except actions.DraftAlreadyOpen as error:
            # Ask first: the imported text is shown in the draft's own form, saved only if the
            # headteacher chooses to replace what the draft holds now.
            draft = error.draft
            for note in form.upload_notes:
                messages.warning(request, note)
            replace_form = DraftForm(
                initial={"body_markdown": form.upload_markdown, "change_summary": form.cleaned_data["change_summary"]}
            )
            replace_form.opened_at(draft)
            return render(
                request,
                "policies/draft_form.html",
                {
                    "form": replace_form,
                    "version": draft,
                    "document": document,
                    "replacing_with": form.cleaned_data["upload"].name,
                },
            )
        else:
            for note in form.upload_notes:
                messages.warning(request, note)
            messages.success(request, f"Imported as draft version {version.number}. Check the headings and lists.")
            return redirect(version)
    return render(request, "policies/import.html", {"form": form, "document": document, "open_draft": open_draft})


@require_POST
@login_required
def version_submit(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    require(request, "policies.manage")
    version = get_version_for(request.membership, pk, number)
    try:
        actions.submit_for_approval(version)
        messages.success(request, "Sent for approval. The approver has been emailed.")
    except ValidationError as error:
        messages.error(request, error.message)
    return redirect(version)


@require_POST
@login_required
def version_return(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    require(request, "policies.oversee")
    version = get_version_for(request.membership, pk, number)
    try:
        actions.return_to_draft(version, by=request.user)
        messages.success(request, "Sent back to draft.")
    except (ValidationError, actions.NotAllowed) as error:
        messages.error(request, getattr(error, "message", str(error)))
    return redirect(version)


@login_required
def version_approve(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    require(request, "policies.oversee")
    version = get_version_for(request.membership, pk, number)
    document = version.document
    if version.status == Status.APPROVED and version.approved_by_id == request.user.pk:
        messages.info(request, f"You approved version {version.number}; it is the published policy.")
        return redirect(version)  # a second click on Approve
    if not actions.can_approve(request.user, document) or version.status != Status.AWAITING_APPROVAL:
        messages.error(request, _not_waiting(version))
        return redirect(version)
    form = ApproveForm(
        request.POST or None, initial={"review_date": document.default_review_date(timezone.localdate())}
    )
    form.opened_at(version)
    readings = approval.checklist(version, request.user) if approval.asks_for_reading(version) else []
    missing = [item for item in readings if item.read_at is None]
    page = {"form": form, "version": version, "document": document, "readings": readings, "missing": missing}
    if request.method == "POST" and missing:
        # Governors approve what they read: nothing is approved until both pages were opened.
        form.is_valid()
        return render(request, "policies/approve.html", page, status=400)
    if request.method == "POST" and form.is_valid():
        try:
            actions.approve(
                version,
                by=request.user,
                review_date=form.cleaned_data["review_date"],
                seen_version=form.cleaned_data["seen_version"],
            )
        except StaleEdit as stale:
            version.refresh_from_db()
            form.saw_version(stale.version)
            saved = [("What they saved", version.body_markdown), ("What changed", version.change_summary)]
            return render(request, "policies/approve.html", {**page, "stale": stale, "saved": saved}, status=409)
        except (ValidationError, actions.NotAllowed) as error:
            messages.error(request, getattr(error, "message", str(error)))
        else:
            messages.success(request, f"Version {version.number} approved. It is now the published policy.")
        return redirect(version)
    return render(request, "policies/approve.html", page)


def _not_waiting(version: PolicyVersion) -> str:
    """Why the approval page is not offered, in plain words (who approved it, and when)."""
    if version.status in (Status.APPROVED, Status.SUPERSEDED) and version.approved_by and version.approved_at:
        when = timezone.localtime(version.approved_at)
        return f"Version {version.number} was already approved by {version.approved_by.full_name} at {when:%H:%M} on {when:%d/%m/%Y}."
    return "This version is not waiting for your approval."


@login_required
def compare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "policies.oversee")
    document = get_document_for(request.membership, pk)
    numbers = list(document.versions.order_by("number").values_list("number", flat=True))
    old_number = _int(request.GET.get("old"), numbers[-2] if len(numbers) > 1 else (numbers[0] if numbers else 0))
    new_number = _int(request.GET.get("new"), numbers[-1] if numbers else 0)
    versions = {v.number: v for v in document.versions.filter(number__in=[old_number, new_number])}
    old, new = versions.get(old_number), versions.get(new_number)
    rows = side_by_side(old.body_markdown, new.body_markdown) if old and new else []
    approve_url = ""
    if new is not None and actions.can_approve(request.user, document) and approval.asks_for_reading(new):
        approve_url = reverse("policies:approve", args=[document.pk, new.number])
        if old is not None and old == approval.approved_version(new):
            approval.record_reading(new, request.user, ReadingPart.CHANGES)
    return render(
        request,
        "policies/compare.html",
        {
            "document": document,
            "numbers": numbers,
            "old": old,
            "new": new,
            "rows": rows,
            "changed": any(row.kind != "same" for row in rows),
            "approve_url": approve_url,
        },
    )


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


@login_required
def acknowledgements(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    require(request, "policies.manage")
    version = get_version_for(request.membership, pk, number)
    have, have_not = actions.acknowledgement_register(version)
    return render(
        request,
        "policies/acknowledgements.html",
        {
            "version": version,
            "document": version.document,
            "have": have,
            "have_not": have_not,
            "total": len(have) + len(have_not),
        },
    )


@require_POST
@login_required
def acknowledgement_reminder(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    require(request, "policies.manage")
    version = get_version_for(request.membership, pk, number)
    try:
        sent = actions.remind_to_acknowledge(version, by=request.user)
    except actions.NotAllowed as error:
        messages.error(request, str(error))
    else:
        if sent:
            messages.success(request, f"Reminder emailed to {sent} {'person' if sent == 1 else 'people'}.")
        else:
            messages.info(request, "Nobody new to remind: everyone has read it, or was reminded today.")
    return redirect("policies:acknowledgements", pk, number)
