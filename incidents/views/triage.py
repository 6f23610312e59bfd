"""Triage: the facts, who posted it, the pupils the case concerns and who owns it; and the two
name searches the form uses (a pupil, the parent who posted), as fragments its script asks for
while the headteacher types. Without the script the form's Search buttons do the same."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts import access as records
from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.permissions import require
from schoolsocial.lib.concurrency import StaleEdit

from .. import actions
from ..access import load_case_for
from ..forms import TriageForm
from ..models import InvalidTransition, PupilRole

# Results a name search shows; more means the headteacher should type more of the name.
SEARCH_LIMIT = 20


def _query(request: AuthenticatedRequest, name: str = "q") -> str:
    source = request.GET if request.method == "GET" else request.POST
    return source.get(name, "").strip()[:100]


def _chosen(values: list[str]) -> set[int]:
    return {int(value) for value in values if value.isdigit()}


@login_required
def pupil_search(request: AuthenticatedRequest) -> HttpResponse:
    """On-roll pupils of the acting school whose names match, each with a role to choose."""
    require(request, "incidents.triage")
    query = _query(request)
    exclude = _chosen(request.GET.getlist("chosen"))
    found = [p for p in records.search_pupils_for(request.membership, query, limit=SEARCH_LIMIT) if p.pk not in exclude]
    context = {"found": found, "query": query, "limit": SEARCH_LIMIT, "roles": PupilRole.choices}
    return render(request, "incidents/_pupil_search_results.html", context)


@login_required
def parent_search(request: AuthenticatedRequest) -> HttpResponse:
    """Parents and carers of the acting school whose names match, each with their children and
    classes (and email), so two parents of the same name are told apart."""
    require(request, "incidents.triage")
    query = _query(request)
    exclude = _chosen(request.GET.getlist("chosen"))
    found = [
        p for p in records.search_parents_for(request.membership, query, limit=SEARCH_LIMIT) if p.pk not in exclude
    ]
    return render(
        request, "incidents/_parent_search_results.html", {"found": found, "query": query, "limit": SEARCH_LIMIT}
    )


def _searches(request: AuthenticatedRequest, form: TriageForm) -> dict:
    """The Search buttons' results, for the page without its script."""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    context: dict = {"limit": SEARCH_LIMIT, "roles": PupilRole.choices, "pupil_query": "", "parent_query": ""}
    if action == "search_pupils":
        chosen = {pupil.pk for pupil, _role in form.pupil_rows()}
        query = _query(request, "find_pupil")
        context["pupil_query"] = query
        context["found_pupils"] = [
            p for p in records.search_pupils_for(request.membership, query, limit=SEARCH_LIMIT) if p.pk not in chosen
        ]
    elif action == "search_parent":
        chosen_parent = form.parent_choice()
        query = _query(request, "find_parent")
        context["parent_query"] = query
        context["found_parents"] = [
            p
            for p in records.search_parents_for(request.membership, query, limit=SEARCH_LIMIT)
            if chosen_parent is None or p.pk != chosen_parent.pk
        ]
    return context


def _page(request: AuthenticatedRequest, incident, form: TriageForm, status: int = 200, **extra) -> HttpResponse:
    chosen_parent = form.parent_choice()
    if chosen_parent is not None:
        chosen_parent = next(iter(records.search_parents_for(request.membership, "", only=[chosen_parent.pk])), None)
    context = {
        "incident": incident,
        "form": form,
        "pupil_rows": form.pupil_rows(),
        "chosen_parent": chosen_parent,
        **_searches(request, form),
        **extra,
    }
    return render(request, "incidents/incident_triage.html", context, status=status)


@login_required
def incident_triage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "incidents.triage")
    incident = load_case_for(request.membership, pk)
    if request.method != "POST":
        log_access(request, incident, action="view-triage")  # the page shows the post itself
    form = TriageForm(request.POST or None, instance=incident, school=school)
    if not form.initial.get("owner") and not form.is_bound:
        form.initial["owner"] = request.user.pk
    if request.method == "POST" and request.POST.get("action", "").startswith("search_"):
        form.without_judging()  # a search is not a save: keep everything, judge nothing yet
        return _page(request, incident, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.triage(
                incident=incident,
                by=request.user,
                severity=data["severity"],
                natures=data["natures"],
                poster_kind=data["poster_kind"],
                pupil_links=data["pupil_links"],
                poster_parent=data["poster_parent"],
                owner=data["owner"],
                harassment=data["harassment"],
                pupils_identifiable=data["pupils_identifiable"],
                safeguarding_concern=data["safeguarding_concern"],
                staff_safety=data["staff_safety"],
                note=data["note"],
                seen_version=data["seen_version"],
            )
        except StaleEdit as stale:
            incident.refresh_from_db()
            form.saw_version(stale.version)
            return _page(request, incident, form, 409, stale=stale, saved_natures=incident.nature_labels)
        except (actions.ActionError, InvalidTransition) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{incident.reference} is triaged. The suggested next steps are below.")
            return redirect(incident)
    return _page(request, incident, form, 400 if form.is_bound else 200)
