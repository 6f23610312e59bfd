"""The privacy notice: public to read, written by the headteacher or the DPO."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.http import AuthenticatedRequest
from accounts.models import School

from .. import actions, privacy
from ..access import get_public_school, may_edit_notice, require_notice_editor
from ..forms import PrivacyNoticeForm


def privacy_index(request: HttpRequest) -> HttpResponse:
    """Public: each school's notice (straight to it when the portal serves one school)."""
    schools = list(School.objects.order_by("name").only("name", "short_code"))
    if len(schools) == 1:
        return redirect("dataprotection:privacy_notice", code=schools[0].short_code)
    return render(request, "dataprotection/privacy_index.html", {"schools": schools})


def privacy_notice(request: HttpRequest, code: str) -> HttpResponse:
    """Public: one school's privacy notice."""
    school = get_public_school(code)
    text, notice = privacy.notice_text(school)
    membership = getattr(request, "membership", None)
    return render(
        request,
        "dataprotection/privacy_notice.html",
        {
            "school": school,
            "blocks": privacy.blocks(text),
            "notice": notice,
            "can_edit": may_edit_notice(membership, school),
        },
    )


@login_required
def privacy_edit(request: AuthenticatedRequest) -> HttpResponse:
    school = require_notice_editor(request)
    text, notice = privacy.notice_text(school)
    form = PrivacyNoticeForm(request.POST or None, initial={"body": text})
    if request.method == "POST" and form.is_valid():
        actions.save_privacy_notice(school=school, body=form.cleaned_data["body"], by=request.user)
        messages.success(request, "The privacy notice is saved and published.")
        return redirect("dataprotection:privacy_notice", code=school.short_code)
    return render(request, "dataprotection/privacy_form.html", {"form": form, "school": school, "notice": notice})
