"""Who may open which incident and which file. Views ask here; they never fetch case data directly.

- headteacher and DSL: every incident of the school they are acting for;
- anyone else (staff, parents): only the reports they filed, at that school, and only the evidence
  they uploaded themselves; never internal notes or steps;
- governors: no incident pages and no evidence (they get anonymised statistics elsewhere).

Anything outside that answers 404, so another school's record looks like one that does not exist.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import CASE_ROLES, Role, School

from .models import Evidence, Incident, Platform

REPORTER_ROLES = (Role.STAFF, Role.PARENT, Role.HEADTEACHER, Role.DSL, Role.OFFICE)


def acting_school(request) -> School | None:
    membership = getattr(request, "membership", None)
    return membership.school if membership else None


def is_case_handler(request) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role in CASE_ROLES


def get_incident_for(user, pk: int, school: School | None = None) -> Incident:
    """An incident this person may open (at `school`, the one they are acting for), or 404."""
    incidents = Incident.objects.for_user(user).select_related("platform", "school", "reporter")
    if school is not None:
        incidents = incidents.filter(school=school)
    return get_object_or_404(incidents, pk=pk)


def get_case_for(request, pk: int) -> Incident:
    """An incident for the headteacher or DSL acting at its school; 404 for everyone else."""
    if not is_case_handler(request):
        raise Http404("No such incident.")
    return get_incident_for(request.user, pk, school=acting_school(request))


def get_own_report_for(request, pk: int) -> Incident:
    """A report the signed-in person filed, at the school they are acting for; 404 otherwise."""
    school = acting_school(request)
    if school is None or request.membership.role == Role.GOVERNOR:
        raise Http404("No such report.")
    return get_object_or_404(
        Incident.objects.filter(reporter=request.user, school=school).select_related("platform", "school"), pk=pk
    )


def evidence_for(request, incident: Incident):
    """The evidence of `incident` this person may see: all of it for the case handlers, only their
    own uploads for the reporter, none for governors."""
    evidence = Evidence.objects.filter(incident=incident).select_related("uploaded_by")
    school = acting_school(request)
    if is_case_handler(request) and school is not None and incident.school_id == school.pk:
        return evidence
    if request.membership is not None and request.membership.role != Role.GOVERNOR:
        return evidence.filter(uploaded_by=request.user, incident__reporter=request.user)
    return evidence.none()


def get_evidence_for(request, pk: int) -> Evidence:
    membership = getattr(request, "membership", None)
    if membership is None or membership.role == Role.GOVERNOR:
        raise Http404("No such file.")
    school = membership.school
    files = Evidence.objects.filter(school=school).select_related("incident")
    if membership.role not in CASE_ROLES:
        files = files.filter(uploaded_by=request.user, incident__reporter=request.user)
    return get_object_or_404(files, pk=pk)


def get_platform_for(school: School, pk: int) -> Platform:
    """A shared platform, or one of `school`'s own; 404 for another school's own platform."""
    return get_object_or_404(Platform.objects.visible_to(school), pk=pk)
