"""Cluster alert pages: compose one from an incident's step; read the ones the cluster sent.

Only the headteacher and DSL of a school see them. A receiving school never sees the incident, its
reference or its people, nor which school sent it unless the sender chose to say.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.permissions import require
from schoolsocial.lib.paging import page_of

from ..access import alert_sent_for, cluster_alerts_for, get_case_for, get_cluster_alert_for, get_step_of, load_case_for
from ..actions import ActionError
from ..models import StepKind
from . import actions
from .drafts import initial_for
from .forms import ClusterAlertForm

PAGE_SIZE = 20


@login_required
def compose(request: AuthenticatedRequest, pk: int, step_pk: int) -> HttpResponse:
    school = require(request, "incidents.cluster_alerts")
    incident = load_case_for(request.membership, pk)
    step = get_step_of(incident, step_pk, kind=StepKind.CLUSTER_ALERT)
    sent = alert_sent_for(step)
    if sent is not None:
        return redirect(sent)
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
    school = require(request, "incidents.cluster_alerts")
    alerts = cluster_alerts_for(request.membership).select_related("source_school").order_by("-sent_at", "-pk")
    page = page_of(alerts, request.GET.get("page"), PAGE_SIZE)
    for alert in page:
        alert.sender = alert.sender_label(school)
    return render(request, "incidents/cluster/alert_list.html", {"page": page, "school": school})


@login_required
def alert_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "incidents.cluster_alerts")
    alert = get_cluster_alert_for(request.membership, pk)
    log_access(request, alert, school=school)
    own = alert.source_school_id == school.pk
    context = {"alert": alert, "sender": alert.sender_label(school), "own": own, "school": school}
    if own:
        # The way back to the case, for the school that sent it, and for nobody else.
        context["incident"] = get_case_for(request.membership, alert.incident_id)
    return render(request, "incidents/cluster/alert_detail.html", context)
