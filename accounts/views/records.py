"""Pupils, classes, parent links and invitations: the office's pages (the headteacher may use them too)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest

from .. import access, actions, pupil_record
from ..audit import log_access
from ..backends import PASSWORD_BACKEND
from ..forms import AcceptInvitationForm, InvitationForm, PupilForm, SchoolClassForm
from ..models import Invitation, Pupil, SchoolClass, User
from ..permissions import may, require


@login_required
def pupil_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "records.manage_pupils")
    pupils = (
        access.pupils_for(request.membership)
        .select_related("school_class")
        .annotate(parent_count=Count("parent_links"))
        .order_by("last_name", "first_name")
    )
    class_id = request.GET.get("class")
    if class_id and class_id.isdigit():
        pupils = pupils.filter(school_class_id=int(class_id))
    query = request.GET.get("q", "").strip()
    # "ruby sto" finds Ruby Stone: every word typed must appear in the first or the last name.
    for word in query.split()[:5]:
        pupils = pupils.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    page = Paginator(pupils, 50).get_page(request.GET.get("page"))
    classes = SchoolClass.objects.filter(school=school)
    return render(
        request, "accounts/pupil_list.html", {"page": page, "classes": classes, "query": query, "class_id": class_id}
    )


@login_required
def pupil_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pupil = access.get_pupil_record_for(request.membership, pk)
    log_access(request, pupil)
    links = access.parent_links_of(pupil)
    sections = pupil_record.sections_for(request.membership, pupil)
    if sections:
        # The page names this child's cases: that reading is logged, and each case logs its own opening.
        log_access(request, pupil, action="view-case-history")
    return render(
        request,
        "accounts/pupil_detail.html",
        {
            "pupil": pupil,
            "links": links,
            "sections": sections,
            "can_manage": may(request.membership, "records.manage_pupils"),
            "can_invite": may(request.membership, "records.invite_parents"),
        },
    )


@login_required
def pupil_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    school = require(request, "records.manage_pupils")
    pupil = access.get_pupil_for(request.membership, pk) if pk else Pupil(school=school)
    # Named before the form copies what was typed onto the pupil, so a failed save keeps the heading.
    heading = f"Edit {pupil.full_name}" if pk else "Add a pupil"
    cancel_url = pupil.get_absolute_url() if pk else reverse("accounts:pupil_list")
    form = PupilForm(request.POST or None, instance=pupil, school=school)
    if request.method == "POST" and form.is_valid():
        pupil = form.save()
        messages.success(request, f"Saved {pupil.full_name}.")
        return redirect(pupil)
    return render(request, "accounts/pupil_form.html", {"form": form, "heading": heading, "cancel_url": cancel_url})


@login_required
def parent_link_remove(request: AuthenticatedRequest, pk: int, link_pk: int) -> HttpResponse:
    """Take a parent or carer off a child's record (asks first)."""
    pupil = access.get_pupil_for(request.membership, pk)
    link = access.get_parent_link_for(request.membership, pupil, link_pk)
    if request.method == "POST":
        actions.unlink_parent(link)
        messages.success(request, f"{link.parent.full_name} is no longer linked to {pupil.full_name}.")
        return redirect(pupil)
    return render(request, "accounts/parent_link_remove.html", {"pupil": pupil, "link": link})


@login_required
def class_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "records.manage_pupils")
    classes = (
        SchoolClass.objects.filter(school=school)
        .select_related("teacher")
        .annotate(pupil_count=Count("pupils", filter=Q(pupils__is_on_roll=True)))
        .order_by("name")
    )
    return render(request, "accounts/class_list.html", {"classes": classes})


@login_required
def class_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    school = require(request, "records.manage_pupils")
    school_class = access.get_class_for(request.membership, pk) if pk else None
    form = SchoolClassForm(request.POST or None, instance=school_class, school=school)
    if request.method == "POST" and form.is_valid():
        school_class = form.save()
        messages.success(request, f"Saved the class {school_class.name}.")
        return redirect("accounts:class_list")
    return render(request, "accounts/class_form.html", {"form": form, "school_class": school_class})


@login_required
def class_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Delete an empty class (asks first); a class with pupils says how many to move before it can go."""
    school_class = access.get_class_for(request.membership, pk)
    if request.method == "POST":
        try:
            actions.delete_class(school_class)
        except actions.ClassNotEmpty:
            pass  # Someone put a pupil in it meanwhile: the page below says so.
        else:
            messages.success(request, f"Deleted the class {school_class.name}.")
            return redirect("accounts:class_list")
    pupils = access.pupils_for(request.membership).filter(school_class=school_class)
    pupil_count = pupils.count()
    off_roll_count = pupils.filter(is_on_roll=False).count() if pupil_count else 0
    return render(
        request,
        "accounts/class_delete.html",
        {"school_class": school_class, "pupil_count": pupil_count, "off_roll_count": off_roll_count},
    )


# Results a name search shows; a longer list means the office should type more of the name.
SEARCH_LIMIT = 20


@login_required
def pupil_search(request: AuthenticatedRequest) -> HttpResponse:
    """The children whose names match what was typed, as a fragment of the invitation form (its
    script asks as the office types; without the script the form searches on submit)."""
    query = request.GET.get("q", "").strip()[:100]
    found = access.search_pupils_for(request.membership, query, limit=SEARCH_LIMIT)
    exclude = {int(value) for value in request.GET.getlist("chosen") if value.isdigit()}
    return render(
        request,
        "accounts/_pupil_search_results.html",
        {"found": [p for p in found if p.pk not in exclude], "query": query, "limit": SEARCH_LIMIT},
    )


@login_required
def invitation_create(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "records.invite_parents")
    initial = {}
    if request.GET.get("pupil", "").isdigit():
        initial["pupils"] = [int(request.GET["pupil"])]
    form = InvitationForm(request.POST or None, school=school, initial=initial)
    searching = request.method == "POST" and request.POST.get("action") == "search"
    if request.method == "POST" and not searching and form.is_valid():
        data = form.cleaned_data
        invitation = actions.invite_parent(
            school=school,
            created_by=request.user,
            full_name=data["full_name"],
            email=data["email"],
            relationship=data["relationship"],
            pupils=data["pupils"],
        )
        messages.success(
            request, f"Invitation sent to {invitation.email}. The link works for {_days_left(invitation)} days."
        )
        return redirect("accounts:invitation_list")
    chosen = form.chosen_pupils()
    if searching:
        # Show what was typed without judging it yet: the office has not tried to send.
        form = InvitationForm(
            school=school, initial={name: request.POST.get(name, "") for name in ("full_name", "email", "relationship")}
        )
    query = request.POST.get("find", "").strip()[:100] if searching else ""
    found = access.search_pupils_for(request.membership, query, limit=SEARCH_LIMIT) if query else []
    chosen_ids = {p.pk for p in chosen}
    return render(
        request,
        "accounts/invitation_form.html",
        {
            "form": form,
            "chosen": chosen,
            "found": [p for p in found if p.pk not in chosen_ids],
            "query": query,
            "searched": searching,
            "limit": SEARCH_LIMIT,
        },
        status=400 if request.method == "POST" and not searching else 200,
    )


def _days_left(invitation: Invitation) -> int:
    return max((invitation.expires_at - invitation.created_at).days, 0)


@require_POST
@login_required
def invitation_resend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    invitation = access.get_invitation_for(request.membership, pk)
    try:
        actions.resend_invitation(invitation)
        messages.success(request, f"A new link was sent to {invitation.email}. The old link no longer works.")
    except actions.InvitationUnavailable as error:
        messages.error(request, str(error))
    return redirect("accounts:invitation_list")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the parent arrives from the email, sets a password and is signed in."""
    invitation = access.invitation_for_token(token)
    if invitation is None:
        return render(
            request,
            "accounts/invitation_unavailable.html",
            {
                "reason": "This invitation link is not valid. Check you copied the whole link from the email, or ask the school office for a new one."
            },
            status=404,
        )
    try:
        actions.check_invitation_usable(invitation)
    except actions.InvitationUnavailable as error:
        return render(request, "accounts/invitation_unavailable.html", {"reason": str(error)}, status=410)

    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        # Someone who already has an account proves it by signing in, not by choosing a new password.
        if request.user != existing:
            return render(request, "accounts/invitation_existing.html", {"invitation": invitation})
        if request.method == "POST":
            actions.accept_invitation(invitation, full_name=existing.full_name, password="")
            messages.success(request, f"Your children at {invitation.school} are now linked to your account.")
            return redirect("dashboard:home")
        return render(request, "accounts/invitation_existing.html", {"invitation": invitation, "signed_in": True})

    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.accept_invitation(
                invitation, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
            )
        except actions.InvitationUnavailable as error:
            return render(request, "accounts/invitation_unavailable.html", {"reason": str(error)}, status=410)
        login(request, user, backend=PASSWORD_BACKEND)
        messages.success(request, f"Welcome, {user.get_short_name()}. Your account is ready.")
        return redirect("dashboard:home")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})
