"""The platform directory: where to report abuse, and each platform's minimum age."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import require_role
from accounts.models import Role

from ..forms import PlatformForm
from ..models import Platform


@login_required
def platform_list(request: HttpRequest) -> HttpResponse:
    require_role(request, Role.HEADTEACHER, Role.DSL)
    return render(request, "incidents/platform_list.html", {"platforms": Platform.objects.all()})


@login_required
def platform_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_role(request, Role.HEADTEACHER)
    platform = get_object_or_404(Platform, pk=pk) if pk else Platform()
    form = PlatformForm(request.POST or None, instance=platform)
    if request.method == "POST" and form.is_valid():
        platform = form.save()
        messages.success(request, f"Saved {platform.name}.")
        return redirect("incidents:platform_list")
    return render(request, "incidents/platform_form.html", {"form": form, "platform": platform})
