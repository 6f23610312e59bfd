"""The governors' pages: panel complaints, conflict declarations, the bundle, the decision,
anonymised statistics and the termly reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.permissions import require
from files import renders
from incidents.statistics import incident_figures
from schoolsocial.lib.downloads import private_file_response

from .. import actions
from ..access import (
    declaration_for,
    get_bundle_complaint,
    get_panel_complaint,
    get_panel_letter_for_governor,
    get_panel_record_for,
    panel_complaints_for,
)
from ..forms import DeclarationForm, FinalisePanelLetterForm, PanelForm, PanelLetterForm, TermlyReportForm
from ..hearing import current_hearing
from ..models import InvalidTransition, Stage, TermlyReport
from ..panel import build_bundle, letter_context
from ..reports import term_start
from ..statistics import complaint_figures
from .files import open_or_404


@login_required
def governor_list(request: AuthenticatedRequest) -> HttpResponse:
    """Complaints that reached the panel. Only a reference and dates: no names, no text."""
    complaints = (
        panel_complaints_for(request.membership).select_related("school").order_by("stage", "-reached_panel_at", "-pk")
    )
    return render(request, "complaints/governor_list.html", {"complaints": complaints})


@login_required
def declare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    complaint = get_panel_complaint(request.membership, pk)
    existing = declaration_for(request.membership, complaint)
    if existing is not None and not existing.has_conflict:
        return redirect("complaints:panel_bundle", pk=complaint.pk)
    if existing is not None:
        return render(request, "complaints/declared_conflict.html", {"complaint": complaint, "declaration": existing})
    form = DeclarationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            declaration = actions.declare(
                complaint=complaint,
                governor=request.user,
                has_conflict=form.cleaned_data["has_conflict"],
                details=form.cleaned_data["details"],
            )
            log_access(request, declaration, action="declare", school=complaint.school)
            if declaration.has_conflict:
                messages.info(
                    request, "Thank you. Your conflict of interest is recorded; this complaint is withheld from you."
                )
                return redirect("complaints:governor_list")
            return redirect("complaints:panel_bundle", pk=complaint.pk)
        return render(request, "complaints/declare.html", {"complaint": complaint, "form": form}, status=400)
    return render(request, "complaints/declare.html", {"complaint": complaint, "form": form})


@login_required
def panel_bundle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    complaint = get_bundle_complaint(request.membership, pk)
    log_access(request, complaint, action="panel-bundle")
    panel = getattr(complaint, "panel", None)
    form = None
    hearing = current_hearing(complaint)
    if complaint.stage == Stage.PANEL and panel is None:
        form = PanelForm(request.POST or None, initial=_decision_initial(hearing))
        if request.method == "POST" and form.is_valid():
            try:
                actions.record_panel_decision(complaint=complaint, by=request.user, **form.cleaned_data)
            except (actions.ActionError, InvalidTransition) as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    "The panel's decision is recorded. Check the outcome letter below, sign it and send it "
                    "to the parent.",
                )
                return redirect("complaints:panel_letter_draft", pk=complaint.pk)
    context = {
        "complaint": complaint,
        "bundle": build_bundle(complaint, viewer=request.user),
        "panel": panel,
        "form": form,
        "hearing": hearing,
    }
    return render(request, "complaints/bundle.html", context, status=400 if form is not None and form.errors else 200)


def _decision_initial(hearing) -> dict:
    """The decision form starts from the hearing that was held, when there was one."""
    today = timezone.localdate()
    if hearing is None or not hearing.is_sent or timezone.localtime(hearing.starts_at).date() > today:
        return {"meeting_date": today}
    return {
        "meeting_date": timezone.localtime(hearing.starts_at).date(),
        "members": "\n".join(member.full_name for member in hearing.members.all()),
    }


@login_required
def panel_letter_draft(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The outcome letter as a draft: the panel reads it as it will be printed, edits and signs it,
    then finalises it (which makes the PDF and sends it to the parent, once)."""
    require(request, "complaints.panel")
    record = get_panel_letter_for_governor(request.membership, pk)
    complaint = record.complaint
    form = PanelLetterForm(
        initial={
            "letter_body": record.letter_body,
            "signatory_name": record.signatory_name,
            "signatory_role": record.signatory_role,
        }
    )
    finalise_form = FinalisePanelLetterForm()
    status = 200
    if request.method == "POST" and not record.letter_is_final:
        if "finalise" in request.POST:
            finalise_form = FinalisePanelLetterForm(request.POST)
            if finalise_form.is_valid():
                try:
                    actions.finalise_panel_letter(record=record, by=request.user)
                except actions.ActionError as error:
                    finalise_form.add_error(None, str(error))
                else:
                    messages.success(
                        request, "The outcome letter is final. Its PDF is being made and sent to the parent."
                    )
                    return redirect("complaints:panel_bundle", pk=complaint.pk)
            status = 400
        else:
            form = PanelLetterForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                actions.update_panel_letter(
                    record=record,
                    body=data["letter_body"],
                    signatory_name=data["signatory_name"],
                    signatory_role=data["signatory_role"],
                )
                messages.success(request, "Saved. Read the letter below before you finalise it.")
                return redirect("complaints:panel_letter_draft", pk=complaint.pk)
            status = 400
    elif request.method == "POST":
        messages.info(request, "The outcome letter is already final and sent; nothing was changed.")
        return redirect("complaints:panel_bundle", pk=complaint.pk)
    log_access(request, record, action="panel-letter", school=complaint.school)
    context = {
        "complaint": complaint,
        "record": record,
        "form": form,
        "finalise_form": finalise_form,
        "gaps": actions.panel_letter_gaps(record),
        "preview": letter_context(record, is_draft=not record.letter_is_final),
    }
    return render(request, "complaints/panel_letter_draft.html", context, status=status)


@login_required
def panel_letter(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The outcome letter: for the headteacher, and for governors cleared for the panel."""
    record = get_panel_record_for(request.membership, pk)
    complaint = record.complaint
    handle = open_or_404(record.letter)
    log_access(request, record, action="download", school=complaint.school)
    return private_file_response(handle, stem=f"{complaint.reference}-panel-outcome", content_type="application/pdf")


@require_POST
@login_required
def panel_letter_again(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "complaints.manage")
    record = get_panel_record_for(request.membership, pk)
    if actions.make_again(record):
        messages.info(request, "The outcome letter is being made again.")
    return redirect(record.complaint)


@login_required
def statistics(request: AuthenticatedRequest) -> HttpResponse:
    """Anonymised figures: counts only, never a name, a reference or a post's text."""
    school = require(request, "incidents.statistics")
    figures = incident_figures(school)
    return render(
        request,
        "complaints/statistics.html",
        {"figures": figures, "chart_data": figures.chart_data(), "complaints": complaint_figures(school)},
    )


@login_required
def reports(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "complaints.termly_reports")
    today = timezone.localdate()
    form = TermlyReportForm(initial={"period_start": term_start(today), "period_end": today})
    return render(request, "complaints/reports.html", {"form": form, "reports": _listed(school)})


def _listed(school) -> list[TermlyReport]:
    listed = list(TermlyReport.objects.filter(school=school).select_related("requested_by")[:20])
    jobs = renders.jobs_for(TermlyReport, [report.pk for report in listed if not report.pdf])
    for report in listed:
        report.needs_again = renders.needs_again(jobs.get(report.pk))  # type: ignore[attr-defined]
    return listed


@require_POST
@login_required
def report_again(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "complaints.termly_reports")
    report = get_object_or_404(TermlyReport, pk=pk, school=school)
    if actions.make_again(report):
        messages.info(request, "The report is being made again.")
    return redirect("complaints:reports")


@require_POST
@login_required
def report_request(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "complaints.termly_reports")
    form = TermlyReportForm(request.POST)
    if form.is_valid():
        actions.request_termly_report(
            school=school, by=request.user, start=form.cleaned_data["period_start"], end=form.cleaned_data["period_end"]
        )
        messages.success(request, "The report is being prepared. It will appear in the list below in a moment.")
        return redirect("complaints:reports")
    return render(request, "complaints/reports.html", {"form": form, "reports": _listed(school)}, status=400)


@login_required
def termly_report(request: AuthenticatedRequest, pk: int) -> FileResponse:
    school = require(request, "complaints.termly_reports")
    report = get_object_or_404(TermlyReport, pk=pk, school=school)
    handle = open_or_404(report.pdf)
    log_access(request, report, action="download")
    stem = f"{school.short_code}-governors-report-{report.period_end:%Y-%m-%d}"
    return private_file_response(handle, stem=stem, content_type="application/pdf")
