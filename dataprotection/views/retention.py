"""The retention schedule, the review list and the destruction log (headteacher and DPO)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.http import AuthenticatedRequest

from .. import actions, destruction
from ..access import get_review_item_for, require_retention_role
from ..forms import Decision, LiftHoldForm, RetentionChangeForm, ReviewDecisionForm
from ..models import DestructionLog, ReviewItem, ReviewStatus
from ..retention import RULES
from ..schedule import schedule_for

PER_PAGE = 50


@login_required
def schedule(request: AuthenticatedRequest) -> HttpResponse:
    """The school's schedule, one form per kind of record (each prefixed with its key)."""
    school = require_retention_role(request)
    failed_key, failed = None, None
    if request.method == "POST":
        key = request.POST.get("rule", "")
        if key not in RULES:
            messages.error(request, "Choose which kind of record to change.")
            return redirect("dataprotection:schedule")
        rule = RULES[key]
        form = RetentionChangeForm(request.POST, prefix=key, default_years=rule.default_years)
        if form.is_valid():
            data = form.cleaned_data
            current = next(entry for entry in schedule_for(school) if entry.rule.key == key)
            if (data["years"], data["reason"]) == (current.years, current.setting.reason if current.setting else ""):
                messages.info(request, f"Nothing changed: {rule.label} are kept for {current.period_label}.")
                return redirect("dataprotection:schedule")
            actions.change_retention(
                school=school, record_type=key, years=data["years"], reason=data["reason"], by=request.user
            )
            messages.success(request, f"{rule.label} are now kept for {rule.period_label(data['years'])}.")
            return redirect("dataprotection:schedule")
        failed_key, failed = key, form
    entries = []
    for entry in schedule_for(school):
        key = entry.rule.key
        if failed is not None and key == failed_key:
            form = failed
        else:
            initial = {"years": entry.years, "reason": entry.setting.reason if entry.setting else ""}
            form = RetentionChangeForm(initial=initial, prefix=key, default_years=entry.rule.default_years)
        entries.append({"entry": entry, "form": form})
    return render(
        request, "dataprotection/schedule.html", {"entries": entries}, status=400 if failed is not None else 200
    )


TABS = {
    ReviewStatus.DUE: "Due for review",
    ReviewStatus.KEPT: "Kept for longer",
    ReviewStatus.HOLD: "On legal hold",
}


@login_required
def review_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require_retention_role(request)
    status = request.GET.get("status", ReviewStatus.DUE)
    if status not in TABS:
        status = ReviewStatus.DUE
    items = ReviewItem.objects.filter(school=school, status=status).select_related("decided_by")
    page = Paginator(items.order_by("due_on", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    counts = {key: ReviewItem.objects.filter(school=school, status=key).count() for key in TABS}
    return render(
        request,
        "dataprotection/review_list.html",
        {"page": page, "status": status, "tabs": [(key, label, counts[key]) for key, label in TABS.items()]},
    )


@login_required
def review_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_review_item_for(request, pk)
    if item.status == ReviewStatus.HOLD:
        return _lift_hold(request, item)
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == Decision.DESTROY:
                entry = destruction.destroy_item(item=item, by=request.user)
                messages.success(request, f"{entry.reference} was destroyed. The destruction log keeps a line.")
                return redirect("dataprotection:review_list")
            if data["decision"] == Decision.KEEP:
                actions.keep_for_longer(item=item, until=data["keep_until"], reason=data["reason"], by=request.user)
                messages.success(request, f"{item.reference} is kept until {data['keep_until']:%d/%m/%Y}.")
            else:
                actions.place_hold(item=item, reason=data["reason"], by=request.user)
                messages.success(
                    request, f"{item.reference} is on legal hold. No review will list it until the hold is lifted."
                )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            return redirect("dataprotection:review_list")
    return render(
        request,
        "dataprotection/review_decide.html",
        {"item": item, "form": form, "includes": RULES[item.record_type].includes},
        status=400 if form.is_bound and form.errors else 200,
    )


def _lift_hold(request: AuthenticatedRequest, item: ReviewItem) -> HttpResponse:
    form = LiftHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.lift_hold(item=item, reason=form.cleaned_data["reason"], by=request.user)
        messages.success(request, f"The legal hold on {item.reference} is lifted; it is due for review again.")
        return redirect("dataprotection:review_decide", pk=item.pk)
    return render(
        request,
        "dataprotection/review_hold.html",
        {"item": item, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def destruction_log(request: AuthenticatedRequest) -> HttpResponse:
    school = require_retention_role(request)
    page = Paginator(DestructionLog.objects.filter(school=school), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "dataprotection/destruction_log.html", {"page": page})
