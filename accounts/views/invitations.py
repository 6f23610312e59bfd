"""Parent invitations: the list (waiting, accepted, bounced, expired) and inviting a class at once."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest

from .. import access, invitations
from ..models import INVITATION_STATUSES, SchoolClass
from ..permissions import require

# Families listed under the summary before the office clicks; the count above is of all of them.
FAMILIES_SHOWN = 100


class ClassesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SchoolClass) -> str:
        return f"{obj.name} ({obj.year_group})" if obj.year_group else obj.name


class BulkInvitationForm(forms.Form):
    classes = ClassesField(
        queryset=SchoolClass.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Classes",
    )
    year_groups = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label="Or whole year groups"
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        cast(ClassesField, self.fields["classes"]).queryset = SchoolClass.objects.filter(school=school).order_by(
            "year_group", "name"
        )
        cast(forms.MultipleChoiceField, self.fields["year_groups"]).choices = [
            (year, year) for year in invitations.year_groups_of(school)
        ]

    def clean(self):
        cleaned = super().clean() or {}
        if not cleaned.get("classes") and not cleaned.get("year_groups"):
            raise forms.ValidationError("Choose at least one class or year group.")
        return cleaned


@login_required
def invitation_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "records.invite_parents")
    status = request.GET.get("status", "")
    if status not in INVITATION_STATUSES:
        status = ""
    scoped = access.invitations_for(request.membership).filter(role="parent")
    rows = (
        invitations.with_status(scoped, status)
        .select_related("notification")
        .prefetch_related(
            Prefetch(
                "pupils",
                queryset=access.pupils_for(request.membership)
                .select_related("school_class")
                .only("id", "first_name", "preferred_first_name", "last_name", "school_class__name"),
            )
        )
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/invitation_list.html",
        {
            "page": page,
            "school": school,
            "status": status,
            "statuses": INVITATION_STATUSES,
            "expired_count": invitations.with_status(scoped, "expired").count(),
        },
    )


@login_required
def invitation_bulk(request: AuthenticatedRequest) -> HttpResponse:
    """Choose classes or year groups, see who would be invited, then queue them with one click."""
    school = require(request, "records.invite_parents")
    data = request.POST if request.method == "POST" else (request.GET if request.GET else None)
    form = BulkInvitationForm(data, school=school)
    plan = None
    if form.is_bound and form.is_valid():
        classes = list(form.cleaned_data["classes"])
        year_groups = list(form.cleaned_data["year_groups"])
        if request.method == "POST":
            batch = invitations.queue_batch(school, by=request.user, classes=classes, year_groups=year_groups)
            messages.success(
                request,
                f"Invitations to {batch.description} are on their way. Families already on the portal "
                "are not sent another.",
            )
            return redirect("accounts:invitation_list")
        plan = invitations.plan(school, class_ids=[c.pk for c in classes], year_groups=year_groups)
    return render(
        request,
        "accounts/invitation_bulk.html",
        {
            "form": form,
            "plan": plan,
            "families": plan.families[:FAMILIES_SHOWN] if plan else [],
            "shown": FAMILIES_SHOWN,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@require_POST
@login_required
def invitation_resend_expired(request: AuthenticatedRequest) -> HttpResponse:
    require(request, "records.invite_parents")
    sent = invitations.resend_expired(access.invitations_for(request.membership).filter(role="parent"))
    if sent:
        messages.success(
            request, f"A new link was sent to {sent} famil{'y' if sent == 1 else 'ies'} whose link had expired."
        )
    else:
        messages.info(request, "No invitation had expired.")
    return redirect("accounts:invitation_list")
