"""The year-end rollover (office and headteacher): choose, check, run, and undo on the same day."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest

from .. import access
from ..permissions import require
from ..roll import rollover


def _choices(data) -> dict[int, str]:
    return {
        int(key.removeprefix("into_")): value
        for key, value in data.items()
        if key.startswith("into_") and key.removeprefix("into_").isdigit()
    }


@login_required
def rollover_start(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "records.roll_over")
    plan = rollover.default_plan(school)
    data = request.POST if request.method == "POST" else request.GET
    problems = rollover.choose(plan, _choices(data))
    if rollover.already_started(school):
        problems = [f"The school has started {school.academic_year} already: this summer's rollover was run."]
    if request.method == "POST" and not problems:
        try:
            run = rollover.run(plan, by=request.user)
        except rollover.RolloverRefused as refusal:
            problems = [str(refusal)]
        else:
            messages.success(
                request,
                f"The school is now in {run.year_after}: {run.summary['moved']} pupils moved up and "
                f"{run.summary['left']} left the roll. You can undo this until midnight.",
            )
            return redirect(run)
    recent = access.rollovers_for(request.membership)[:5]
    return render(
        request,
        "accounts/roll/rollover_start.html",
        {"plan": plan, "problems": problems, "chosen": _choices(data), "recent": recent},
        status=400 if request.method == "POST" and problems else 200,
    )


@login_required
def rollover_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = access.get_rollover_for(request.membership, pk)
    return render(request, "accounts/roll/rollover_detail.html", {"run": run, "refusal": rollover.undo_refusal(run)})


@require_POST
@login_required
def rollover_undo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = access.get_rollover_for(request.membership, pk)
    try:
        rollover.undo(run, by=request.user)
    except rollover.RolloverRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"The rollover is undone: the school is back in {run.year_before}.")
    return redirect("accounts:rollover_detail", pk=run.pk)
