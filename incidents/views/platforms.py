"""The platform directory as the school sees it: where to report abuse, and each platform's minimum age.

The headteacher adjusts a shared platform for their school only (own link, notes for staff, hidden
from the report form) and adds platforms only their school sees (which they may hide too, once nobody
uses them). Shared rows change in the admin.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.http import AuthenticatedRequest
from accounts.models import School
from accounts.permissions import require

from .. import platforms as directory
from ..access import get_platform_for
from ..forms import PlatformForm, SchoolPlatformForm
from ..models import Platform


@login_required
def platform_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "incidents.view_platforms")
    return render(request, "incidents/platform_list.html", {"entries": directory.directory_for(school)})


@login_required
def platform_create(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "incidents.manage_platforms")
    return _edit_own(request, school, Platform())


@login_required
def platform_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "incidents.manage_platforms")
    platform = get_platform_for(request.membership, pk)
    if platform.is_shared:
        return _edit_school_settings(request, school, platform)
    return _edit_own(request, school, platform)


def _edit_school_settings(request: AuthenticatedRequest, school: School, platform: Platform) -> HttpResponse:
    form = SchoolPlatformForm(request.POST or None, instance=directory.settings_for(school, platform))
    if request.method == "POST" and form.is_valid():
        directory.save_school_settings(school=school, platform=platform, by=request.user, **form.cleaned_data)
        messages.success(request, f"Saved your school's settings for {platform.name}.")
        return redirect("incidents:platform_list")
    context = {"form": form, "platform": platform}
    return render(request, "incidents/platform_settings_form.html", context, status=400 if form.is_bound else 200)


def _edit_own(request: AuthenticatedRequest, school: School, platform: Platform) -> HttpResponse:
    form = PlatformForm(request.POST or None, instance=platform, school=school)
    if request.method == "POST" and form.is_valid():
        platform = directory.save_own_platform(
            school=school, platform=form.instance, by=request.user, hidden=form.cleaned_data["hidden"]
        )
        messages.success(request, f"Saved {platform.name}.")
        return redirect("incidents:platform_list")
    context = {"form": form, "platform": platform}
    return render(request, "incidents/platform_form.html", context, status=400 if form.is_bound else 200)
