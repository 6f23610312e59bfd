"""Email delivery: the headteacher and office check which of the school's emails did not arrive,
and send a failed one again."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.permissions import may, require

from . import delivery
from .models import Notification

PER_PAGE = 50


class NotificationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("", "Any state"), *((key, label) for key, (label, _) in delivery.STATES.items())],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    period = forms.ChoiceField(
        label="Sent or tried",
        required=False,
        choices=[(key, label) for key, (label, _) in delivery.PERIODS.items()],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def values(self) -> tuple[str, str]:
        """The chosen state and period; anything unreadable falls back to the defaults."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("state") or "", data.get("period") or delivery.DEFAULT_PERIOD


def _rows(page, show_case_subjects: bool) -> list[dict]:
    return [
        {
            "email": email,
            "kind": delivery.kind_label(email.template),
            "subject": email.subject if show_case_subjects or not delivery.is_case_email(email.template) else None,
            "can_send_again": delivery.can_send_again(email),
        }
        for email in page
    ]


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "notifications.view_delivery")
    form = NotificationFilterForm(request.GET or None)
    state, period = form.values() if form.is_bound else ("", delivery.DEFAULT_PERIOD)
    days = delivery.PERIODS[period][1]
    page = Paginator(delivery.filtered(school, state, days), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "form": form if form.is_bound else NotificationFilterForm(initial={"period": delivery.DEFAULT_PERIOD}),
            "page": page,
            "rows": _rows(page, show_case_subjects=may(request.membership, "notifications.see_case_subjects")),
            "state": state,
            "state_label": delivery.STATES[state][0] if state else "",
            "period": period,
            "period_label": delivery.PERIODS[period][0],
            "counts": delivery.counts_by_state(school, days),
            "states": delivery.STATES,
            "Status": Notification.Status,
        },
    )


def _back(request: AuthenticatedRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("notifications:list")


@login_required
def notification_send_again(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """POST sends a failed email again. An unconfirmed one first asks: it may already have arrived."""
    school = require(request, "notifications.view_delivery")
    email = delivery.get_notification_for(request.membership, pk)
    needs_confirmation = email.status == Notification.Status.UNKNOWN
    confirmed = request.POST.get("confirm") == "yes"
    if request.method != "POST" or (needs_confirmation and not confirmed):
        if not delivery.can_send_again(email):
            messages.info(request, "This email is not waiting to be sent again.")
            return redirect("notifications:list")
        return render(
            request,
            "notifications/confirm.html",
            {
                "email": email,
                "kind": delivery.kind_label(email.template),
                "needs_confirmation": needs_confirmation,
                "next": request.GET.get("next", ""),
            },
        )
    try:
        delivery.send_again(email, confirmed_unknown=confirmed)
    except delivery.CannotSendAgain as refusal:
        messages.info(request, str(refusal))
    else:
        log_access(request, email, action="send-email-again", school=school)
        messages.success(request, f"The email to {', '.join(email.to)} is on its way again.")
    return _back(request)
