"""Filing a report, the reporter's confirmation and status pages, and their list of reports."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.models import Role
from accounts.permissions import may, require_membership
from files import staging
from schoolsocial.lib.uploads import inspect_upload

from .. import actions
from ..access import evidence_for, get_own_report_for, own_reports_for
from ..forms import MAX_FILES, EvidenceForm, ParentReportForm, ReportForm
from ..models import Incident


def accept_files(request: AuthenticatedRequest, files: list, *, already: int, stage) -> tuple[list, list[str]]:
    """Check each file by its content; keep the good ones (via `stage`) and explain the others."""
    accepted: list = []
    errors: list[str] = []
    for upload in files:
        if already + len(accepted) >= MAX_FILES:
            errors.append(f"At most {MAX_FILES} files can be attached at once; “{upload.name}” was not added.")
            continue
        try:
            facts = inspect_upload(upload)
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        accepted.append(stage(upload, facts))
    return accepted, errors


def _initial_from_post(data: QueryDict) -> dict:
    initial: dict[str, object] = {
        key: data.get(key) for key in data if key not in ("csrfmiddlewaretoken", "remove_upload")
    }
    initial["natures"] = data.getlist("natures")
    return initial


@login_required
def report(request: AuthenticatedRequest) -> HttpResponse:
    reporter = require_membership(request, "incidents.report")
    school = reporter.school
    # A parent answers what a parent can know, in steps; staff keep the whole form.
    form_class = ParentReportForm if reporter.role == Role.PARENT else ReportForm
    template = "incidents/report_form.html"
    if request.method != "POST":
        form = form_class(school=school)
        return render(request, template, {"form": form, "staged": []})

    form = form_class(request.POST, request.FILES, school=school)
    token = form.form_token_value
    if token is None:  # a tampered or stale form: start a fresh one, keeping what was typed
        form = form_class(initial={**_initial_from_post(request.POST), "form_token": uuid.uuid4()}, school=school)
        return render(request, template, {"form": form, "staged": []})

    # One read of what this form already holds; the files staged now are added to it.
    staged = staging.staged_for(user=request.user, school=school, form_token=token)
    accepted, file_errors = accept_files(
        request,
        request.FILES.getlist("evidence"),
        already=len(staged),
        stage=lambda upload, facts: staging.stage(
            school=school, user=request.user, form_token=token, upload=upload, facts=facts
        ),
    )
    staged += accepted
    if request.POST.get("remove_upload", "").isdigit():
        removed = int(request.POST["remove_upload"])
        staging.discard(user=request.user, form_token=token, pk=removed)
        form = form_class(initial=_initial_from_post(request.POST), school=school)
        staged = [upload for upload in staged if upload.pk != removed]
        return render(request, template, {"form": form, "staged": staged})

    if form.is_valid() and not file_errors:
        incident = actions.report(
            school=school,
            reporter=request.user,
            role=reporter.role,
            details=form.report_details(),
            natures=form.cleaned_data["natures"],
            urls=form.cleaned_data["url_text"],
            staged=staged,
        )
        return redirect("incidents:report_done", pk=incident.pk)
    for message in file_errors:
        form.add_error("evidence", message)
    return render(request, template, {"form": form, "staged": staged}, status=400)


@login_required
def report_done(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    incident = get_own_report_for(request.membership, pk)
    log_access(request, incident)
    evidence_count = incident.evidence.count()
    return render(request, "incidents/report_done.html", {"incident": incident, "evidence_count": evidence_count})


@login_required
def my_reports(request: AuthenticatedRequest) -> HttpResponse:
    reports = (
        own_reports_for(request.membership)
        .select_related("platform")
        .annotate(file_count=Count("evidence"))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(reports, 25).get_page(request.GET.get("page"))
    return render(request, "incidents/my_reports.html", {"page": page})


@login_required
def report_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What the reporter may see of their report: its status and the public part of the timeline."""
    incident = get_own_report_for(request.membership, pk)
    log_access(request, incident)
    entries = incident.timeline.filter(internal=False).order_by("at", "pk")
    return render(
        request,
        "incidents/report_status.html",
        {
            "incident": incident,
            "entries": entries,
            "evidence": evidence_for(request.membership, incident),
            "evidence_form": evidence_form_for(request, incident),
            "is_case_handler": may(request.membership, "incidents.view_all"),
        },
    )


@require_POST
@login_required
def report_add_evidence(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    incident = get_own_report_for(request.membership, pk)
    return add_evidence_and_render(request, incident, "incidents:report_status")


def _kept_description_key(incident: Incident) -> str:
    return f"evidence-description:{incident.pk}"


def evidence_form_for(request: AuthenticatedRequest, incident: Incident) -> EvidenceForm:
    """The add-evidence form, holding the description typed last time if a file was refused."""
    return EvidenceForm(initial={"description": request.session.pop(_kept_description_key(incident), "")})


def add_evidence_and_render(request: AuthenticatedRequest, incident: Incident, next_url: str) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)
    description = (request.POST.get("description") or "").strip()[:300]
    refused = False
    if form.is_valid():
        accepted, errors = accept_files(
            request, form.cleaned_data["files"], already=0, stage=lambda upload, facts: (upload, facts)
        )
        if accepted:
            actions.add_evidence(
                incident=incident, by=request.user, uploads=accepted, description=form.cleaned_data["description"]
            )
            noun = "file" if len(accepted) == 1 else "files"
            messages.success(request, f"{len(accepted)} {noun} added to {incident.reference}.")
        for error in errors:
            messages.error(request, error)
        refused = bool(errors)
        if not accepted and not errors:
            messages.error(request, "Choose at least one file to add.")
    else:
        refused = True
        for field, field_errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for problem in field_errors:
                messages.error(request, f"{label}: {problem} No file was added; please choose them again.")
    if refused and description:
        # What was typed waits in the form for the next try, kept with the person's session.
        request.session[_kept_description_key(incident)] = description
    return redirect(next_url, pk=incident.pk)
