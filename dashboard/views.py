"""The landing page of each role: the role's own summary and its panels (see panels/__init__.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import access
from accounts.http import AuthenticatedRequest
from accounts.models import Role

from .panels import panels_for


def _parent_context(request: AuthenticatedRequest, school) -> dict:
    links = access.own_parent_links_for(request.membership).select_related("pupil__school_class")
    return {"children": [link.pupil for link in links]}


def _office_context(request: AuthenticatedRequest, school) -> dict:
    now = timezone.now()
    not_accepted = access.invitations_for(request.membership).filter(accepted_at__isnull=True)
    invitations = not_accepted.aggregate(
        waiting=Count("pk", filter=Q(expires_at__gt=now)), expired=Count("pk", filter=Q(expires_at__lte=now))
    )
    return {
        "pupil_count": access.pupils_for(request.membership).filter(is_on_roll=True).count(),
        "waiting_invitations": invitations["waiting"],
        "expired_invitations": invitations["expired"],
    }


HOME_CONTEXT = {Role.PARENT: _parent_context, Role.OFFICE: _office_context}


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    membership = request.membership
    if membership is None:
        return render(request, "dashboard/no_membership.html")
    role = membership.role_enum
    school = membership.school
    extra = HOME_CONTEXT.get(role)
    panels = [panel for panel in (fn(request, school) for fn in panels_for(role)) if panel]
    context = {"school": school, "panels": panels, **(extra(request, school) if extra else {})}
    return render(request, f"dashboard/{role.value}.html", context)
