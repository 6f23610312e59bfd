"""Landing-page panels: coverage for the headteacher and office, a nudge for parents."""

from __future__ import annotations

from accounts.http import AuthenticatedRequest
from accounts.models import ParentLink, School
from accounts.templatetags.words import and_list
from agreements import coverage as cached_coverage
from agreements.models import AgreementVersion, Signature, SignatureKind
from agreements.years import current_academic_year

from .shared import school_wide


def current_version(request: AuthenticatedRequest, school: School) -> AgreementVersion | None:
    """The school's current agreement version, read once per request (several panels show it)."""
    memo = request.__dict__.setdefault("_dashboard_agreement", {})
    if school.pk not in memo:
        memo[school.pk] = AgreementVersion.objects.current_for(school.pk)
    return memo[school.pk]


def coverage(request: AuthenticatedRequest, school: School, version: AgreementVersion):
    """The school's coverage (kept in the cache until something it counts changes: agreements.coverage),
    read once per request and shared by the panels that show it."""
    memo = request.__dict__.setdefault("_dashboard_coverage", {})
    key = (school.pk, version.pk)
    if key not in memo:
        memo[key] = cached_coverage.school_coverage(school, version)
    return memo[key]


def staff_panel(request: AuthenticatedRequest, school: School) -> dict:
    version = current_version(request, school)
    if version is not None and not version.is_open_for_signing:
        # A new school year has started (by the calendar, or the school's rollover): its coverage
        # starts at nothing until this year's agreement is published and families sign it.
        return {
            "template": "dashboard/panels/agreement_coverage.html",
            "version": None,
            "ended": version,
            "year": current_academic_year(school),
        }
    template = "dashboard/panels/agreement_coverage.html"
    if version is None:
        return {"template": template, "version": None, "total": None}

    def build() -> dict:
        _, total = coverage(request, school, version)
        return {"template": template, "version": version, "total": total}

    # The school's coverage, the same for everyone who sees it: rendered once until it changes.
    return school_wide(request, school, template, (version.pk, cached_coverage.generation(school.pk)), build)


def parent_panel(request: AuthenticatedRequest, school: School) -> dict | None:
    version = AgreementVersion.objects.current_for(school.pk)
    if version is None or not version.is_open_for_signing:
        return None
    links = list(
        ParentLink.objects.filter(parent=request.user, pupil__school=school, pupil__is_on_roll=True).select_related(
            "pupil"
        )
    )
    latest: dict[int, str] = {}
    for pupil_id, kind in (
        # Signatures of the versions a correction replaced still count.
        Signature.objects.filter(version__signing_round_id=version.round_id, parent=request.user)
        .order_by("pk")
        .values_list("pupil_id", "kind")
    ):
        latest[pupil_id] = kind
    waiting = [link.pupil.first_name for link in links if latest.get(link.pupil_id) != SignatureKind.SIGNED]
    if not waiting:
        return None
    names = and_list(waiting)  # "Sam and Alex", in the page's language
    return {"template": "dashboard/panels/agreement_parent.html", "names": names}
