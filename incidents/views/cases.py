"""The headteacher's and DSL's pages: the incident list, the incident page, triage and the steps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.permissions import may, require, requires
from schoolsocial.lib import fulltext
from schoolsocial.lib.paging import first_page, page_of

from .. import actions, posh
from .. import restriction as restriction_rules
from ..access import (
    NEWEST_FIRST,
    attach_nature_codes,
    case_list_for,
    evidence_for,
    get_case_for,
    get_step_of,
    load_case_for,
    newest_cases_for,
    steps_of,
    timeline_of,
)
from ..forms import IncidentFilterForm, NoteForm, OutcomeForm, SkipForm, StatusForm, StepForm
from ..letters.models import LETTER_FOR_STEP
from ..models import Incident, InvalidTransition, Outcome, Status, StepKind
from ..search import find, mark_matches
from .reporting import add_evidence_and_render, evidence_form_for

PAGE_SIZE = 25


def _start_of(day: date) -> datetime:
    """Midnight at the start of `day` in the school's time zone, so a date filter is a range on the
    indexed `created_at` (a cast of every row to a date would read the whole school)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_incidents(incidents, form: IncidentFilterForm) -> tuple[QuerySet[Incident] | fulltext.NewestMatches, bool]:
    """The incidents the filters ask for, and whether a search matched too many to rank."""
    if not form.is_valid():
        return incidents, False
    data = form.cleaned_data
    if data["status"] == "open":
        incidents = incidents.open()
    elif data["status"]:
        incidents = incidents.filter(status=data["status"])
    if data["nature"]:
        # Read off the natures' own index (school, nature, newest first), whatever else is filtered.
        incidents = incidents.filter(natures__school=form.school, natures__nature=data["nature"]).order_by(
            "-natures__reported_at", "-pk"
        )
    if data["platform"]:
        incidents = incidents.filter(platform=data["platform"])
    if data["overdue"]:
        # The longest overdue first: what needs chasing today, read straight off an index.
        incidents = incidents.overdue().order_by("next_due_on", "-created_at", "-pk")
    if data["date_from"]:
        incidents = incidents.filter(created_at__gte=_start_of(data["date_from"]))
    if data["date_to"]:
        incidents = incidents.filter(created_at__lt=_start_of(data["date_to"] + timedelta(days=1)))
    if data["q"].strip():
        found = find(incidents, data["q"])  # best match first (newest first when very many match)
        return found.rows, found.many
    return incidents, False


@login_required
def incident_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "incidents.view_all")
    form = IncidentFilterForm(request.GET or None, school=school)
    words = form.cleaned_data["q"].strip() if form.is_valid() else ""
    too_many_to_rank = False
    if form.is_bound:
        incidents, too_many_to_rank = filtered_incidents(
            case_list_for(request.membership, searching=bool(words)).order_by(*NEWEST_FIRST), form
        )
        page = page_of(incidents, request.GET.get("page"), PAGE_SIZE)
    else:  # the list as most visits open it: no filter, the first page
        page = first_page(newest_cases_for(request.membership, PAGE_SIZE + 1), PAGE_SIZE)
    attach_nature_codes(page.object_list)
    if words:
        mark_matches(page, words)
    return render(
        request,
        "incidents/incident_list.html",
        {
            "page": page,
            "form": form,
            "today": timezone.localdate(),
            "too_many_to_rank": too_many_to_rank,
            "rank_at_most": fulltext.RANK_AT_MOST,
        },
    )


def _detail_context(request: AuthenticatedRequest, incident: Incident) -> dict:
    steps = steps_of(incident)
    school = incident.school
    for step in steps:
        if step.is_pending or step.outcome not in (Outcome.SKIPPED, Outcome.ALERT_SENT):
            # Waiting: record the outcome; finished: change it (a letter marked it "sent", say).
            initial = {} if step.is_pending else {"outcome": step.outcome}
            step.outcome_form = OutcomeForm(step_kind=step.kind, prefix=f"step{step.pk}", initial=initial)
        else:
            step.outcome_form = None
        # A step that calls for a letter (removal request, meeting, warning, ban) offers to write it.
        step.letter_kind = LETTER_FOR_STEP.get(step.kind) if step.is_pending else None
    return {
        "incident": incident,
        "steps": steps,
        "evidence": evidence_for(request.membership, incident),
        "suggestions": actions.suggestions_for(incident, steps),
        "entries": timeline_of(incident),
        # Only a triaged case plans steps: the form (and its list of staff) is built where it is shown.
        "step_form": StepForm(school=school) if incident.plans_steps else None,
        "status_form": StatusForm(incident=incident),
        "note_form": NoteForm(),
        "evidence_form": evidence_form_for(request, incident),
        # The pupil's record page is for those who manage records: a DSL gets the name, no link.
        "may_open_pupil_records": may(request.membership, "records.view_pupils"),
        # The chair of governors works a case about the headteacher, but triage stays with the case roles.
        "may_triage": may(request.membership, "incidents.triage"),
        "can_plan": incident.plans_steps,
        "platform_kinds": (StepKind.PLATFORM_REPORT, StepKind.UNDERAGE_REPORT),
        "finished_statuses": [status.value for status in Status if not status.is_open],
    }


@login_required
def incident_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    incident = load_case_for(request.membership, pk)
    log_access(request, incident)
    return render(request, "incidents/incident_detail.html", _detail_context(request, incident))


@login_required
def incident_timeline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The whole timeline on its own, for printing or reading end to end."""
    incident = get_case_for(request.membership, pk)
    log_access(request, incident, action="view-timeline")
    entries = incident.timeline.select_related("actor").order_by("at", "pk")
    return render(request, "incidents/incident_timeline.html", {"incident": incident, "entries": entries})


def _after(request: AuthenticatedRequest, incident: Incident, attempt, success: str) -> HttpResponse:
    try:
        attempt()
    except (actions.ActionError, InvalidTransition) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(incident)


def _form_errors(request: AuthenticatedRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@require_POST
@login_required
def step_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "incidents.escalate")
    incident = get_case_for(request.membership, pk)
    form = StepForm(request.POST, school=school)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(incident)
    data = form.cleaned_data
    return _after(
        request,
        incident,
        lambda: actions.add_step(
            incident=incident,
            by=request.user,
            kind=data["kind"],
            owner=data["owner"],
            due_date=data["due_date"],
            notes=data["notes"],
        ),
        f"Planned: {StepKind(data['kind']).label}.",
    )


@require_POST
@login_required
@requires("incidents.escalate")
def step_outcome(request: AuthenticatedRequest, pk: int, step_pk: int) -> HttpResponse:
    incident = get_case_for(request.membership, pk)
    step = get_step_of(incident, step_pk)
    form = OutcomeForm(request.POST, step_kind=step.kind, prefix=f"step{step.pk}")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(step)
    data = form.cleaned_data
    return _after(
        request,
        incident,
        lambda: actions.record_step_outcome(
            step=step,
            by=request.user,
            outcome=data["outcome"],
            notes=data["notes"],
            external_reference=data.get("external_reference", ""),
            meeting_at=data.get("meeting_at"),
            attendees=data.get("attendees", ""),
            minutes=data.get("minutes", ""),
            change=request.POST.get("change") == "1",
        ),
        f"Outcome recorded for “{step.get_kind_display()}”.",
    )


@require_POST
@login_required
@requires("incidents.escalate")
def step_skip(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    incident = get_case_for(request.membership, pk)
    form = SkipForm(request.POST)
    step = None
    if request.POST.get("step", "").isdigit():
        step = get_step_of(incident, int(request.POST["step"]))
    if not form.is_valid() or (step is None and not form.cleaned_data.get("kind")):
        _form_errors(request, form)
        return redirect(incident)
    kind = step.kind if step else form.cleaned_data["kind"]
    return _after(
        request,
        incident,
        lambda: actions.skip_step(
            incident=incident, by=request.user, reason=form.cleaned_data["reason"], kind=kind, step=step
        ),
        f"Skipped: {StepKind(kind).label}. The reason is on the record.",
    )


@require_POST
@login_required
@requires("incidents.escalate")
def status_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    incident = get_case_for(request.membership, pk)
    form = StatusForm(request.POST, incident=incident)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(incident)
    status = form.cleaned_data["status"]
    return _after(
        request,
        incident,
        lambda: actions.change_status(
            incident=incident, by=request.user, status=status, reason=form.cleaned_data["reason"]
        ),
        f"{incident.reference} is now “{Status(status).label}”.",
    )


@require_POST
@login_required
@requires("incidents.escalate")
def note_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    incident = get_case_for(request.membership, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(incident)
    return _after(
        request,
        incident,
        lambda: actions.add_note(incident=incident, by=request.user, text=form.cleaned_data["text"]),
        "Note added.",
    )


@require_POST
@login_required
@requires("incidents.escalate")
def evidence_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    incident = get_case_for(request.membership, pk)
    return add_evidence_and_render(request, incident, "incidents:detail")


@login_required
@requires("incidents.escalate")
def restriction(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Restrict the case to named handlers (an allegation about a member of staff), or lift it."""
    incident = get_case_for(request.membership, pk)
    form = restriction_rules.RestrictForm(
        request.POST if request.POST.get("action") == "restrict" else None,
        school=incident.school,
        actor=request.user,
        initial={
            "allegation_about": incident.allegation_about_id,
            "handlers": list(incident.handlers.values_list("pk", flat=True)) or [request.user.pk],
            "meets_harm_threshold": incident.meets_harm_threshold,
        },
    )
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "lift":
                restriction_rules.lift(incident=incident, by=request.user, reason=request.POST.get("lift_reason", ""))
                messages.success(request, f"{incident.reference} is open again to every headteacher and DSL.")
                return redirect(incident)
            if form.is_valid():
                data = form.cleaned_data
                restriction_rules.restrict(
                    incident=incident,
                    by=request.user,
                    allegation_about=data["allegation_about"],
                    handlers=list(data["handlers"]),
                    meets_harm_threshold=data["meets_harm_threshold"],
                    reason=data["reason"],
                )
                messages.success(request, f"{incident.reference} is restricted to the people you named.")
                return redirect(incident)
        except restriction_rules.RestrictionError as error:
            messages.error(request, str(error))
        status = 400
    return render(request, "incidents/incident_restriction.html", {"incident": incident, "form": form}, status=status)


@login_required
@requires("incidents.escalate")
def posh_summary(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The prepared summary for POSH, to copy into their form or print."""
    incident = load_case_for(request.membership, pk)
    log_access(request, incident, action="view-posh-summary")
    steps = steps_of(incident)
    context = {
        "incident": incident,
        "summary": posh.summary_for(incident, steps),
        "posh_website": posh.POSH_WEBSITE,
        "posh_email": posh.POSH_EMAIL,
        "posh_step": next((step for step in steps if step.kind == StepKind.POSH_ESCALATION), None),
    }
    return render(request, "incidents/posh_summary.html", context)
