"""Who may open which incident and which file. Views ask here; they never fetch case data directly.

Every helper takes the person's acting membership (`request.membership`: who they are, the school
they are acting for and their role there) and asks `accounts.permissions` what that role may do:

- "incidents.view_all" (headteacher and DSL): every incident of the school they are acting for;
- "incidents.report" (everyone else but governors): only the reports they filed, at that school,
  and only the evidence they uploaded themselves; never internal notes or steps;
- governors: no incident pages and no evidence (they get anonymised statistics elsewhere), except
  the chair of governors on a restricted case they are named to handle (an allegation about the
  headteacher): that case, and no other.

Anything outside that answers 404, so another school's record looks like one that does not exist.

A restricted case (an allegation about a member of staff, `incidents.restriction`) narrows the
first line to its named handlers: every other headteacher or DSL, and the person the allegation is
about even when they filed the report, get 404 on it and on everything built from it (its files,
steps, letters, bundles, timeline, cluster alerts, search results and dashboard rows).
"""

from __future__ import annotations

import functools

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Membership, User
from accounts.permissions import holds_case_role, may, require, require_membership
from schoolsocial.lib.prepared import PreparedIdsQuery, PreparedQuery, attach_related

from .models import (
    ClusterAlert,
    EscalationStep,
    Evidence,
    Incident,
    IncidentNature,
    IncidentPupil,
    Platform,
    TimelineEntry,
)
from .models.incident import IncidentQuerySet, handled_by_q, open_to_q


def cases_for(membership: Membership | None) -> IncidentQuerySet:
    """Every incident of the school, for its headteacher or DSL (restricted ones only where they are
    named); for the chair of governors, only the restricted cases they are named on; 404 for anyone
    else."""
    return Incident.objects.filter(case_q(membership))


def case_q(membership: Membership | None, prefix: str = "") -> Q:
    """`cases_for` as a condition on a related incident (`prefix` such as "incident__"), for a
    query that starts from a few rows of another table (the draft letters): it follows each row
    to its incident rather than listing every incident of the school in a subquery."""
    school = require(membership, "incidents.view_all")
    assert membership is not None
    return _case_scope(school.pk, membership.user, holds_case_role(membership), prefix)


def _case_scope(school_id: int, user: User, case_role: bool, prefix: str = "") -> Q:
    scope = Q(**{f"{prefix}school_id": school_id})
    if not case_role:
        return scope & handled_by_q(user, prefix)
    return scope & open_to_q(user, prefix)


# What a row of the incident list shows: a row reads these columns only (an incident has forty,
# and turning each into Python cost more than the query).
LIST_COLUMNS = (
    "school_id",
    "reference",
    "created_at",
    "status",
    "severity",
    "next_due_on",
    "staff_safety",
    "safeguarding_concern",
    "pupils_identifiable",
    "platform__name",
    "owner__full_name",
    "owner__email",
)
# What a search marks its matches in, read only when the list is a search's results.
SEARCHED_COLUMNS = ("content", "account_name", "targeted")


# The list's order: newest first, the id breaking ties between cases reported in the same instant.
NEWEST_FIRST = ("-created_at", "-pk")


def case_list_for(membership: Membership | None, *, searching: bool = False) -> QuerySet[Incident]:
    """`cases_for`, with what the incident list shows of each row (and, for a search, the text its
    snippets come from); `attach_nature_codes` adds the natures to the page it lists."""
    school = require(membership, "incidents.view_all")
    assert membership is not None
    return _case_list(school.pk, membership.user, holds_case_role(membership), searching=searching)


def _case_list(school_id: int, user: User, case_role: bool, *, searching: bool) -> QuerySet[Incident]:
    columns = LIST_COLUMNS + SEARCHED_COLUMNS if searching else LIST_COLUMNS
    return (
        Incident.objects.filter(_case_scope(school_id, user, case_role))
        .select_related("platform", "owner")
        .only(*columns)
    )


@functools.cache
def _newest_cases_query(case_role: bool, count: int) -> PreparedQuery[Incident]:
    def build(school_id: int, user_id: int) -> QuerySet[Incident]:
        return _case_list(school_id, User(pk=user_id), case_role, searching=False).order_by(*NEWEST_FIRST)[:count]

    return PreparedQuery(build)


def newest_cases_for(membership: Membership | None, count: int) -> list[Incident]:
    """The `count` newest rows of `case_list_for`: the incident list as most visits open it (no
    filter, first page), its SQL written once."""
    school = require(membership, "incidents.view_all")
    assert membership is not None
    return _newest_cases_query(holds_case_role(membership), count)(school.pk, membership.user_id)


# One query of two columns for a page of cases (a prefetch would build a model for every nature),
# in the order of its unique index (incident, nature), so the database sorts nothing.
_nature_codes_of = PreparedIdsQuery(
    lambda *ids: (
        IncidentNature.objects.filter(incident_id__in=ids)
        .order_by("incident_id", "nature")
        .values_list("incident_id", "nature")
    )
)


def attach_nature_codes(incidents: list[Incident]) -> None:
    """Each incident's nature codes, read for the whole page in one query of two columns (a
    prefetch would build a model for every nature of every row)."""
    codes: dict[int, list[str]] = {incident.pk: [] for incident in incidents}
    for incident_id, nature in _nature_codes_of(codes.keys()):
        codes[incident_id].append(nature)
    for incident in incidents:
        incident.known_nature_codes = codes[incident.pk]


def get_case_for(membership: Membership | None, pk: int) -> Incident:
    """An incident for the headteacher or DSL acting at its school; 404 for everyone else."""
    return get_object_or_404(cases_for(membership).select_related("platform", "school", "reporter"), pk=pk)


def _case_page_query(case_role: bool) -> PreparedQuery[Incident]:
    """The incident page's case, for a case role or for a named handler: `cases_for` with what the
    page shows, its SQL written once (schoolsocial/lib/prepared.py: it is read on every visit)."""

    def build(school_id: int, user_id: int, pk: int) -> QuerySet[Incident]:
        return Incident.objects.filter(_case_scope(school_id, User(pk=user_id), case_role), pk=pk).select_related(
            "platform", "reporter", "owner", "poster_parent"
        )

    return PreparedQuery(build)


_PUPIL_LINKS = IncidentPupil.objects.select_related("pupil__school_class")
_pupil_links_of = PreparedQuery(lambda incident_id: _PUPIL_LINKS.filter(incident_id=incident_id))


_CASE_PAGE = {case_role: _case_page_query(case_role) for case_role in (True, False)}


def load_case_for(membership: Membership | None, pk: int) -> Incident:
    """`get_case_for`, with everything the incident page and the cluster alert form show."""
    school = require(membership, "incidents.view_all")
    assert membership is not None
    found = _CASE_PAGE[holds_case_role(membership)](school.pk, membership.user_id, pk)
    if not found:
        raise Http404("No such incident.")
    (incident,) = found
    attach_related(found, "pupil_links", _pupil_links_of(incident.pk), _PUPIL_LINKS)
    # Every case of the list is at the school the person acts for, already read with the membership:
    # not joined again (the school's platform settings are read when the page shows them).
    if incident.school_id == membership.school_id:
        incident.school = membership.school
    attach_nature_codes([incident])
    return incident


_steps_of = PreparedQuery(
    lambda incident_id: EscalationStep.objects.filter(incident_id=incident_id).select_related("owner", "completed_by")
)


def _letters_oldest_first() -> QuerySet:
    from .letters.models import Letter

    return Letter.objects.order_by("created_at", "pk")


_letters_of_steps = PreparedIdsQuery(lambda *step_ids: _letters_oldest_first().filter(step_id__in=step_ids))


def steps_of(incident: Incident) -> list[EscalationStep]:
    """The steps of an incident already fetched through `get_case_for`, with their letters."""
    steps = _steps_of(incident.pk)
    attach_related(steps, "letters", _letters_of_steps([step.pk for step in steps]), _letters_oldest_first())
    return steps


_timeline_of = PreparedQuery(
    lambda incident_id: (
        TimelineEntry.objects.filter(incident_id=incident_id).select_related("actor").order_by("at", "pk")
    )
)


def timeline_of(incident: Incident) -> list[TimelineEntry]:
    """The timeline of an incident already fetched through `get_case_for`, oldest first."""
    return _timeline_of(incident.pk)


def get_step_of(incident: Incident, pk: int, **filters) -> EscalationStep:
    """One step of an incident already fetched through `get_case_for`; 404 for another's step."""
    return get_object_or_404(EscalationStep.objects.filter(incident=incident, **filters), pk=pk)


def own_reports_for(membership: Membership | None) -> QuerySet[Incident]:
    """The reports the signed-in person filed at the school they are acting for."""
    school = require(membership, "incidents.report")
    assert membership is not None
    return Incident.objects.filter(reporter=membership.user, school=school).exclude(allegation_about=membership.user)


def get_own_report_for(membership: Membership | None, pk: int) -> Incident:
    """A report the signed-in person filed, at the school they are acting for; 404 otherwise."""
    return get_object_or_404(own_reports_for(membership).select_related("platform", "school"), pk=pk)


# The case handlers' view of a case's evidence, read on every visit to the incident page.
_all_evidence_of = PreparedQuery(
    lambda incident_id: Evidence.objects.filter(incident_id=incident_id).select_related("uploaded_by")
)


def evidence_for(membership: Membership | None, incident: Incident) -> list[Evidence]:
    """The evidence of `incident` this person may see: all of it for the case handlers, only their
    own uploads for the reporter, none for governors."""
    if may(membership, "incidents.view_all") and incident.school_id == membership.school_id:
        if holds_case_role(membership) or cases_for(membership).filter(pk=incident.pk).exists():
            return _all_evidence_of(incident.pk)
        return []
    if may(membership, "incidents.report"):
        own = Evidence.objects.filter(
            incident=incident, uploaded_by=membership.user, incident__reporter=membership.user
        )
        return list(own.select_related("uploaded_by"))
    return []


def get_evidence_for(membership: Membership | None, pk: int) -> Evidence:
    """One evidence file: any of the school's for the case handlers, only their own upload to
    their own report for anyone else who reports; 404 for governors and everyone else."""
    if may(membership, "incidents.view_all"):
        files = Evidence.objects.filter(school=membership.school, incident__in=cases_for(membership))
    else:
        reporter = require_membership(membership, "incidents.report")
        files = Evidence.objects.filter(
            school=reporter.school, uploaded_by=reporter.user, incident__in=own_reports_for(reporter)
        )
    return get_object_or_404(files.select_related("incident"), pk=pk)


def cluster_alerts_for(membership: Membership | None) -> QuerySet[ClusterAlert]:
    """The alerts the headteacher or DSL may read: the ones the cluster sent, and their own (but
    not their school's alerts built from a restricted case they do not handle)."""
    school = require(membership, "incidents.cluster_alerts")
    assert membership is not None
    hidden = Incident.objects.filter(school=school).exclude(open_to_q(membership.user))
    return ClusterAlert.objects.visible_to(school).exclude(source_school=school, incident__in=hidden.values("pk"))


def get_cluster_alert_for(membership: Membership | None, pk: int) -> ClusterAlert:
    return get_object_or_404(cluster_alerts_for(membership).select_related("source_school"), pk=pk)


def alert_sent_for(step: EscalationStep) -> ClusterAlert | None:
    """The alert already sent for a step of an incident fetched through `get_case_for`."""
    return ClusterAlert.objects.filter(step=step).first()


def get_platform_for(membership: Membership | None, pk: int) -> Platform:
    """A shared platform, or one of the acting school's own; 404 for another school's own platform."""
    school = require(membership, "incidents.view_platforms")
    return get_object_or_404(Platform.objects.visible_to(school), pk=pk)
