"""The subject access request register (headteacher and DPO of the school): register a request,
check identity, extend, review every gathered item, release, download the answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import log_access, log_record_access
from accounts.http import AuthenticatedRequest
from schoolsocial.lib.downloads import private_file_response

from .. import sar_actions as actions
from ..access import get_request_for, get_request_item_for, requests_for, require_request_role
from ..sar_forms import ExtendForm, IdentityCheckForm, ItemDecisionForm, RegisterRequestForm, WithdrawForm
from ..sar_models import RequestStatus, SarDecision, SubjectAccessRequest

ITEMS_PER_PAGE = 50


@login_required
def register(request: AuthenticatedRequest) -> HttpResponse:
    require_request_role(request)
    listed = requests_for(request).select_related("release")
    today = timezone.localdate()
    open_requests = list(listed.open().order_by("due_on", "pk"))
    closed = list(listed.exclude(status__in=[RequestStatus.RECEIVED, RequestStatus.IN_REVIEW]).order_by("-pk")[:50])
    return render(
        request,
        "dataprotection/sar_register.html",
        {
            "open_requests": [(sar, sar.days_left(today)) for sar in open_requests],
            "closed": closed,
        },
    )


@login_required
def register_new(request: AuthenticatedRequest) -> HttpResponse:
    school = require_request_role(request)
    form = RegisterRequestForm(request.POST or None, school=school, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        is_pupil = data["subject_kind"] == "pupil"
        try:
            sar = actions.register_request(
                school=school,
                by=request.user,
                requester_name=data["requester_name"],
                requester_email=data["requester_email"],
                relationship=data["relationship"],
                received_on=data["received_on"],
                pupil=data["pupil"] if is_pupil else None,
                person=None if is_pupil else data["person"],
                identity_note=data["identity_note"],
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, f"{sar.reference} is registered. The answer is due by {sar.due_on:%d/%m/%Y}.")
            return redirect(sar)
    return render(request, "dataprotection/sar_new.html", {"form": form}, status=400 if form.errors else 200)


def _extensions(sar: SubjectAccessRequest) -> list[dict]:
    """Each extension from the history: when, by whom, how many months, why."""
    found, before = [], 0
    for row in sar.history.order_by("history_date", "history_id").select_related("history_user"):
        if row.extended_months > before:
            found.append(
                {
                    "at": row.history_date,
                    "by": row.history_user.full_name if row.history_user else "",
                    "months": row.extended_months - before,
                    "reason": row.extension_reason,
                }
            )
        before = row.extended_months
    return found


def _detail(request: AuthenticatedRequest, sar: SubjectAccessRequest, status: int = 200, **forms) -> HttpResponse:
    items = sar.items.all()
    counts = dict(items.values_list("decision").annotate(n=Count("pk")).values_list("decision", "n"))
    bulk = list(
        items.filter(decision=SarDecision.PENDING, files=[])
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
        .order_by("kind")
    )
    page = Paginator(items.order_by("position"), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    release = getattr(sar, "release", None)
    context = {
        "sar": sar,
        "days_left": sar.days_left(),
        "extensions": _extensions(sar),
        "page": page,
        "total": sum(counts.values()),
        "pending": counts.get(SarDecision.PENDING, 0),
        "counts": [(choice.label, counts.get(choice.value, 0)) for choice in SarDecision],
        "bulk": bulk,
        "release": release,
        "identity_form": forms.get("identity_form") or IdentityCheckForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "problem": forms.get("problem"),
    }
    return render(request, "dataprotection/sar_detail.html", context, status=status)


@login_required
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = get_request_for(request, pk)
    log_access(request, sar)
    return _detail(request, sar)


def _act(request: AuthenticatedRequest, sar: SubjectAccessRequest, action, success: str, **forms) -> HttpResponse:
    try:
        action()
    except ValidationError as problem:
        return _detail(request, sar, status=400, problem=" ".join(problem.messages), **forms)
    messages.success(request, success)
    return redirect(sar)


@require_POST
@login_required
def identity(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = get_request_for(request, pk)
    form = IdentityCheckForm(request.POST)
    if not form.is_valid():
        return _detail(request, sar, status=400, identity_form=form)
    return _act(
        request,
        sar,
        lambda: actions.record_identity_check(sar=sar, note=form.cleaned_data["note"], by=request.user),
        "The identity check is recorded.",
        identity_form=form,
    )


@require_POST
@login_required
def extend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = get_request_for(request, pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _detail(request, sar, status=400, extend_form=form)
    data = form.cleaned_data

    def run() -> None:
        extended = actions.extend(sar=sar, months=data["months"], reason=data["reason"], by=request.user)
        sar.due_on = extended.due_on

    try:
        run()
    except ValidationError as problem:
        return _detail(request, sar, status=400, extend_form=form, problem=" ".join(problem.messages))
    messages.success(request, f"The answer is now due by {sar.due_on:%d/%m/%Y}.")
    return redirect(sar)


@require_POST
@login_required
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = get_request_for(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail(request, sar, status=400, withdraw_form=form)
    return _act(
        request,
        sar,
        lambda: actions.withdraw(sar=sar, reason=form.cleaned_data["reason"], by=request.user),
        "The request is closed without an answer.",
        withdraw_form=form,
    )


@require_POST
@login_required
def gather(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = get_request_for(request, pk)
    return _act(
        request,
        sar,
        lambda: actions.gather_items(sar=sar, by=request.user),
        "Everything the portal holds is gathered. Decide each item below.",
    )


@require_POST
@login_required
def release_kind(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = get_request_for(request, pk)
    kind = request.POST.get("kind", "")
    return _act(
        request,
        sar,
        lambda: actions.release_undecided_without_files(sar=sar, kind=kind, by=request.user),
        f"Every undecided “{kind}” item without a file is marked to be released.",
    )


@login_required
def item(request: AuthenticatedRequest, pk: int, item_pk: int) -> HttpResponse:
    sar, found = get_request_item_for(request, pk, item_pk)
    initial = {
        "decision": found.decision if found.decision != SarDecision.PENDING else None,
        "redact_names": found.redact_names,
        "redact_fields": found.redact_fields,
        "file_choice": found.file_choice,
        "withhold_reason": found.withhold_reason,
    }
    form = ItemDecisionForm(request.POST or None, item=found, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.decide_item(
                item=found,
                by=request.user,
                decision=data["decision"],
                redact_names=data.get("redact_names") or [],
                redact_fields=data.get("redact_fields") or [],
                file_choice=data.get("file_choice") or "",
                withhold_reason=data.get("withhold_reason") or "",
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            messages.success(request, f"Item {found.position} is decided.")
            following = sar.items.filter(decision=SarDecision.PENDING).order_by("position").first()
            if following is not None:
                return redirect(following)
            return redirect(sar)
    # What the reviewer reads here is case content: the access log says who read it, and why.
    log_record_access(
        request,
        object_type=found.record_type,
        object_id=found.record_id,
        object_repr=f"{found.title} (for {sar.reference})",
        action="subject access review",
        school_id=sar.school_id,
    )
    return render(
        request,
        "dataprotection/sar_item.html",
        {"sar": sar, "item": found, "form": form, "stored_files": [name for _stored, name in found.files]},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def release(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = get_request_for(request, pk)
    return _act(
        request,
        sar,
        lambda: actions.release(sar=sar, by=request.user),
        "The answer is being built. It will be ready to download on this page.",
    )


@login_required
def release_status(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    sar = get_request_for(request, pk)
    made = getattr(sar, "release", None)
    if made is None:
        return JsonResponse({"state": "none", "ready": False, "url": "", "error": ""})
    return JsonResponse(
        {
            "state": made.state,
            "ready": made.is_ready,
            "url": reverse("dataprotection:sar_download", args=[sar.pk]) if made.is_ready else "",
            "error": made.error,
        }
    )


@login_required
def download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    sar = get_request_for(request, pk)
    made = getattr(sar, "release", None)
    if made is None or not made.is_ready:
        raise Http404("The answer is not ready yet.")
    try:
        handle = made.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage.") from error
    log_access(request, made, action="download", school=sar.school)
    return private_file_response(handle, stem=f"{sar.reference}-answer", content_type="application/zip")


@require_POST
@login_required
def tell_requester(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = get_request_for(request, pk)
    return _act(
        request,
        sar,
        lambda: actions.tell_requester(sar=sar, by=request.user),
        "The requester is told by email that the answer is ready to collect. The email holds nothing of it.",
    )
