"""The landing page of each role.

Other apps add panels to a role's page by registering a function in `HOME_PANELS` from their
AppConfig.ready(): `register_panel(Role.HEADTEACHER, my_panel)`. A panel function takes
(request, school) and returns a dict with at least "template", or None to show nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.http import AuthenticatedRequest

from ..models import Invitation, ParentLink, Pupil, Role

Panel = Callable[[HttpRequest, object], dict | None]
HOME_PANELS: dict[Role, list[Panel]] = defaultdict(list)


def register_panel(role: Role, panel: Panel) -> None:
    if panel not in HOME_PANELS[role]:
        HOME_PANELS[role].append(panel)


def _parent_context(request: AuthenticatedRequest, school) -> dict:
    links = ParentLink.objects.filter(parent=request.user, pupil__school=school).select_related("pupil__school_class")
    return {"children": [link.pupil for link in links]}


def _office_context(request: AuthenticatedRequest, school) -> dict:
    now = timezone.now()
    not_accepted = Invitation.objects.filter(school=school, accepted_at__isnull=True)
    invitations = not_accepted.aggregate(
        waiting=Count("pk", filter=Q(expires_at__gt=now)), expired=Count("pk", filter=Q(expires_at__lte=now))
    )
    return {
        "pupil_count": Pupil.objects.filter(school=school, is_on_roll=True).count(),
        "waiting_invitations": invitations["waiting"],
        "expired_invitations": invitations["expired"],
    }


HOME_CONTEXT = {Role.PARENT: _parent_context, Role.OFFICE: _office_context}


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    membership = request.membership
    if membership is None:
        return render(request, "accounts/home/no_membership.html")
    role = membership.role_enum
    school = membership.school
    extra = HOME_CONTEXT.get(role)
    panels = [panel for panel in (fn(request, school) for fn in HOME_PANELS[role]) if panel]
    context = {"school": school, "panels": panels, **(extra(request, school) if extra else {})}
    return render(request, f"accounts/home/{role.value}.html", context)
