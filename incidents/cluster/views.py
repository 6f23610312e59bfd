"""Cluster alert pages: compose one from an incident's step; read the ones the cluster sent.

Only the headteacher and DSL of a school see them. A receiving school never sees the incident, its
reference or its people, nor which school sent it unless the sender chose to say.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import require_role
from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.models import Role

from ..access import get_case_for
from ..actions import ActionError
from ..models import ClusterAlert, EscalationStep, Incident, StepKind
from ..paging import page_of
from . import actions
from .drafts import initial_for
from .forms import ClusterAlertForm

CASE = (Role.HEADTEACHER, Role.DSL)
PAGE_SIZE = 20


@login_required
def compose(request: AuthenticatedRequest, pk: int, step_pk: int) -> HttpResponse:
    school = require_role(request, *CASE)
    incident = get_case_for(request, pk)
    step = get_object_or_404(EscalationStep, pk=step_pk, incident=incident, kind=StepKind.CLUSTER_ALERT)
    sent = ClusterAlert.objects.filter(step=step).first()
    if sent is not None:
        return redirect(sent)
    incident = (
        Incident.objects.select_related(
            "platform", "school__cluster", "reporter", "owner", "poster_pupil", "poster_parent"
        )
        .prefetch_related("natures")
        .get(pk=incident.pk)
    )
    context = {"incident": incident, "step": step, "nothing_to_send": actions.why_nothing_to_send(school)}
    if context["nothing_to_send"] or not step.is_pending:
        return render(request, "incidents/cluster/compose.html", context)

    form = ClusterAlertForm(
        request.POST or None, incident=incident, initial=initial_for(incident, incident.steps.all())
    )
    preview = digest = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            draft = form.draft()
            if request.POST.get("action") == "send" and request.POST.get("previewed") == draft.digest():
                try:
                    actions.send_alert(step=step, by=request.user, draft=draft)
                except ActionError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(request, "The alert is on its way to the other schools in your cluster.")
                return redirect(step)
            if request.POST.get("action") == "send":
                changed = "You changed the alert after the preview. " if request.POST.get("previewed") else ""
                messages.info(request, f"{changed}Check the preview below, then send.")
            preview, digest = draft.as_alert(school), draft.digest()
        else:
            status = 400
    context.update(
        form=form,
        preview=preview,
        digest=digest,
        schools=actions.other_schools(school),
    )
    return render(request, "incidents/cluster/compose.html", context, status=status)


@login_required
def alert_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require_role(request, *CASE)
    alerts = ClusterAlert.objects.visible_to(school).select_related("source_school").order_by("-sent_at", "-pk")
    page = page_of(alerts, request.GET.get("page"), PAGE_SIZE)
    for alert in page:
        alert.sender = alert.sender_label(school)
    return render(request, "incidents/cluster/alert_list.html", {"page": page, "school": school})


@login_required
def alert_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require_role(request, *CASE)
    alert = get_object_or_404(ClusterAlert.objects.visible_to(school).select_related("source_school"), pk=pk)
    log_access(request, alert, school=school)
    own = alert.source_school_id == school.pk
    context = {"alert": alert, "sender": alert.sender_label(school), "own": own, "school": school}
    if own:
        # The way back to the case, for the school that sent it, and for nobody else.
        context["incident"] = Incident.objects.only("pk", "reference").get(pk=alert.incident_id)
    return render(request, "incidents/cluster/alert_detail.html", context)
