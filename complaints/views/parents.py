"""The parent's pages: raise a concern or complaint, list their own, follow one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.access import require_role
from accounts.audit import log_access
from accounts.models import Pupil, Role

from .. import actions
from ..access import get_own_complaint
from ..forms import ComplaintForm
from ..models import Complaint


@login_required
def raise_complaint(request: HttpRequest) -> HttpResponse:
    school = require_role(request, Role.PARENT)
    children = Pupil.objects.filter(school=school, parent_links__parent=request.user).order_by("first_name")
    form = ComplaintForm(request.POST or None, request.FILES or None, children=children)
    if request.method == "POST":
        if form.is_valid():
            complaint = actions.raise_complaint(
                school=school,
                parent=request.user,
                pupil=form.cleaned_data["pupil"],
                subject=form.cleaned_data["subject"],
                details=form.cleaned_data["details"],
                desired_outcome=form.cleaned_data["desired_outcome"],
                files=form.inspected,
            )
            messages.success(request, "Thank you. The school has received your complaint and will acknowledge it.")
            return redirect("complaints:my_complaint", pk=complaint.pk)
        if request.FILES and "attachments" not in form.errors:
            messages.info(
                request,
                "Please choose your files again before sending: for your privacy they are not kept until the form is sent.",
            )
        return render(request, "complaints/raise.html", {"form": form}, status=400)
    return render(request, "complaints/raise.html", {"form": form})


@login_required
def my_complaints(request: HttpRequest) -> HttpResponse:
    school = require_role(request, Role.PARENT)
    complaints = Complaint.objects.filter(parent=request.user, school=school).select_related("school")
    page = Paginator(complaints.order_by("-created_at", "-pk"), 25).get_page(request.GET.get("page"))
    return render(request, "complaints/my_list.html", {"page": page})


@login_required
def my_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    """What the parent may see: the stage and what was sent to them, never the school's notes."""
    complaint = get_own_complaint(request, pk)
    log_access(request, complaint)
    entries = complaint.entries.for_parent().select_related("author").order_by("at", "pk")
    files = complaint.attachments.filter(uploaded_by=request.user).order_by("uploaded_at", "pk")
    return render(request, "complaints/my_detail.html", {"complaint": complaint, "entries": entries, "files": files})
