"""Who may open the data-protection pages. Every helper answers 404 outside its reach, so a
DPO of another school finds nothing, not a refusal."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import School
from accounts.permissions import may, require

from . import history


def require_dpo(request) -> School:
    """The DPO reads the audit history and the access log; nobody else does, in the portal."""
    return require(request, "dataprotection.audit")


def require_notice_editor(request) -> School:
    return require(request, "dataprotection.privacy_notice")


def may_edit_notice(membership, school: School) -> bool:
    return (
        membership is not None
        and membership.school_id == school.pk
        and may(membership, "dataprotection.privacy_notice")
    )


def get_record_history_for(request, label: str, record_id: int):
    """(school, history rows newest first) of one record of the DPO's school; 404 when the
    kind of record is unknown or the record has no history at that school."""
    school = require_dpo(request)
    if history.model_for(label) is None:
        raise Http404("No such kind of record.")
    rows = history.history_for_school(label, school).filter(id=record_id)
    if not rows.exists():
        raise Http404("No such record.")
    return school, rows


def get_public_school(short_code: str) -> School:
    return get_object_or_404(School, short_code=short_code.upper())


def require_retention_role(request) -> School:
    """Who looks after the retention schedule and decides what happens to records that reached it."""
    return require(request, "dataprotection.retention")


def get_review_item_for(request, pk: int):
    from .models import ReviewItem

    school = require_retention_role(request)
    return get_object_or_404(ReviewItem.objects.filter(school=school).select_related("decided_by"), pk=pk)


# --- Subject access requests ------------------------------------------------------------------


def require_request_role(request) -> School:
    """The headteacher and the DPO keep the register of subject access requests."""
    return require(request, "dataprotection.requests")


def requests_for(request):
    from .sar_models import SubjectAccessRequest

    school = require_request_role(request)
    return SubjectAccessRequest.objects.filter(school=school)


def get_request_for(request, pk: int):
    """A request of the acting person's school, or 404 (another school's DPO finds nothing)."""
    return get_object_or_404(
        requests_for(request).select_related(
            "school", "pupil", "person", "identity_checked_by", "registered_by", "release"
        ),
        pk=pk,
    )


def get_request_item_for(request, pk: int, item_pk: int):
    from .sar_models import SarItem

    sar = get_request_for(request, pk)
    return sar, get_object_or_404(SarItem.objects.filter(request=sar).select_related("decided_by"), pk=item_pk)


def pupils_for_requests(school: School):
    from accounts.models import Pupil

    return Pupil.objects.filter(school=school).order_by("last_name", "first_name")


def parents_for_requests(school: School):
    from accounts.models import Role, User

    return (
        User.objects.filter(memberships__school=school, memberships__role=Role.PARENT).distinct().order_by("full_name")
    )
