"""The school's people: staff, DSLs, governors and office staff (headteacher; office for non-case roles)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest

from .. import people
from ..access import get_staff_membership_for, get_staff_person_for, staff_memberships_for, staff_memberships_of
from ..models import Membership, PeopleEvent
from ..permissions import may, require, require_membership


class InvitePersonForm(forms.Form):
    full_name = forms.CharField(label="Their full name", max_length=200)
    email = forms.EmailField(
        label="Their email address",
        error_messages={"invalid": "Type a whole email address, for example j.smith@school.org."},
    )
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, actor_role: str, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (c.key, c.label) for c in people.choices_for(actor_role)
        ]


class ResetSecondFactorForm(forms.Form):
    reason = forms.CharField(
        label="Why reset it?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: a new phone. This is kept in the school's history.",
        error_messages={"required": "Say why the second factor is being reset (for example: a new phone)."},
    )


def _acting_role(request: AuthenticatedRequest) -> str:
    """The role of the person managing staff: what they may give or take away depends on it."""
    return require_membership(request, "people.manage_staff").role


@login_required
def people_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "people.manage_staff")
    memberships = staff_memberships_for(request.membership).select_related("user").order_by("user__full_name", "role")
    rows: dict[int, dict] = {}
    for membership in memberships:
        row = rows.setdefault(membership.user_id, {"user": membership.user, "roles": [], "former": []})
        (row["roles"] if membership.is_active else row["former"]).append(membership.role_label)
    events = PeopleEvent.objects.filter(school=school).select_related("by")[:20]
    context = {
        "rows": list(rows.values()),
        "events": events,
        "may_set_sign_in": may(request.membership, "people.school_sign_in"),
    }
    return render(request, "accounts/people/list.html", context)


@login_required
def people_invite(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "people.manage_staff")
    form = InvitePersonForm(request.POST or None, actor_role=_acting_role(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = people.invite(
                school=school,
                by=request.user,
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                choice_key=form.cleaned_data["role"],
            )
        except people.PeopleError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("accounts:people_list")
    return render(request, "accounts/people/invite.html", {"form": form}, status=400 if form.errors else 200)


def _manageable(request, person, school) -> list[Membership]:
    memberships = staff_memberships_of(request.membership, person)
    return [m for m in memberships if people.may_manage(_acting_role(request), m)]


@login_required
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "people.manage_staff")
    person = get_staff_person_for(request.membership, pk)
    memberships = staff_memberships_of(request.membership, person)
    manageable = {m.pk for m in memberships if people.may_manage(_acting_role(request), m)}
    if not manageable:
        raise Http404("No such person.")
    return render(
        request,
        "accounts/people/detail.html",
        {
            "person": person,
            "memberships": memberships,
            "manageable": manageable,
            "choices": people.choices_for(_acting_role(request)),
            "may_manage_all": len(manageable) == len(memberships),
            "reset_form": ResetSecondFactorForm(),
            "events": PeopleEvent.objects.filter(school=school, person=person).select_related("by")[:20],
        },
    )


def _membership_for(request, school, pk: int) -> Membership:
    membership = get_staff_membership_for(request.membership, pk)
    if not people.may_manage(_acting_role(request), membership):
        raise Http404("No such role.")
    return membership


@require_POST
@login_required
def membership_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "people.manage_staff")
    membership = _membership_for(request, school, pk)
    allowed = {c.key for c in people.choices_for(_acting_role(request))}
    choice = request.POST.get("role", "")
    if choice not in allowed:
        raise Http404("No such role.")
    try:
        people.change_role(membership, choice, by=request.user)
        messages.success(request, f"{membership.user.full_name} is now {people.CHOICES[choice].label.lower()}.")
    except people.PeopleError as error:
        messages.error(request, str(error))
    return redirect("accounts:person_detail", membership.user_id)


@require_POST
@login_required
def membership_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "people.manage_staff")
    membership = _membership_for(request, school, pk)
    try:
        people.remove_role(membership, by=request.user)
        messages.success(
            request,
            f"{membership.user.full_name} no longer has the role {membership.role_label.lower()}. They have been signed out.",
        )
    except people.PeopleError as error:
        messages.error(request, str(error))
    return redirect("accounts:person_detail", membership.user_id)


@require_POST
@login_required
def person_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "people.manage_staff")
    person = get_staff_person_for(request.membership, pk)
    memberships = staff_memberships_of(request.membership, person)
    if not all(people.may_manage(_acting_role(request), m) for m in memberships):
        raise Http404("No such person.")
    try:
        people.deactivate(person, school, by=request.user)
        messages.success(request, f"{person.full_name}'s roles here have ended and they have been signed out.")
    except people.PeopleError as error:
        messages.error(request, str(error))
    return redirect("accounts:person_detail", person.pk)


@require_POST
@login_required
def person_reset_second_factor(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "people.manage_staff")
    person = get_staff_person_for(request.membership, pk)
    memberships = staff_memberships_of(request.membership, person)
    if not all(people.may_manage(_acting_role(request), m) for m in memberships):
        raise Http404("No such person.")
    form = ResetSecondFactorForm(request.POST)
    if form.is_valid():
        people.reset_second_factor(person, school, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"{person.full_name} will set up a new authenticator when they next sign in.")
        return redirect("accounts:person_detail", person.pk)
    messages.error(request, str(form.errors["reason"][0]))
    return redirect("accounts:person_detail", person.pk)
