"""Reading policies: a version's page (all school roles), the staff list, acknowledging, PDFs,
and the public pages that need no sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import School
from accounts.permissions import may, require, require_membership
from schoolsocial.lib.downloads import private_file_response

from .. import actions, approval, selectors
from ..access import get_version_for
from ..models import Acknowledgement, PolicyVersion, ReadingPart, Status


@login_required
def staff_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "policies.acknowledge")
    versions = list(selectors.current_versions_for_staff(school, request.user))
    to_read = [v for v in versions if v.document.staff_must_acknowledge and not v.acknowledged]
    return render(request, "policies/staff_list.html", {"versions": versions, "to_read": to_read, "school": school})


@login_required
def school_policies(request: AuthenticatedRequest) -> HttpResponse:
    """The published policies of the school the person acts for: the menu entry every role has."""
    school = require(request, "policies.read_published")
    versions = selectors.published_versions(school)
    return render(request, "policies/school_policies.html", {"school": school, "versions": versions})


@login_required
def version_detail(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    reader = require_membership(request, "policies.read")
    version = get_version_for(reader, pk, number)
    role = reader.role
    acknowledges = may(request.membership, "policies.acknowledge")
    acknowledged_at = None
    if acknowledges:
        acknowledged_at = (
            Acknowledgement.objects.filter(version=version, user=request.user)
            .values_list("acknowledged_at", flat=True)
            .first()
        )
    if version.status in (Status.APPROVED, Status.SUPERSEDED) and not version.pdf:
        actions.request_pdf(version)
    can_approve = actions.can_approve(request.user, version.document)
    if can_approve:
        approval.record_reading(version, request.user, ReadingPart.TEXT)
    return render(
        request,
        "policies/version.html",
        {
            "version": version,
            "document": version.document,
            "role": role,
            "can_manage": may(request.membership, "policies.manage"),
            "is_acknowledging_reader": acknowledges,
            "can_approve": can_approve,
            "acknowledged_at": acknowledged_at,
        },
    )


@require_POST
@login_required
def acknowledge(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    require(request, "policies.acknowledge")
    version = get_version_for(request.membership, pk, number)
    try:
        actions.acknowledge(version, by=request.user)
        messages.success(
            request, f"Thank you. You have acknowledged {version.document.title}, version {version.number}."
        )
    except actions.NotAllowed as error:
        messages.error(request, str(error))
    return redirect(version)


@login_required
def version_pdf(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponseBase:
    require(request, "policies.read")
    version = get_version_for(request.membership, pk, number)
    return _pdf_or_preparing(request, version)


@require_POST
@login_required
def version_pdf_again(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    require(request, "policies.read")
    version = get_version_for(request.membership, pk, number)
    if version.status not in (Status.APPROVED, Status.SUPERSEDED):
        raise Http404("Only approved versions have a PDF.")
    if actions.make_pdf_again(version):
        messages.info(request, "The PDF is being made again.")
    return redirect(version)


def _pdf_or_preparing(request: HttpRequest, version: PolicyVersion) -> HttpResponseBase:
    if version.status not in (Status.APPROVED, Status.SUPERSEDED):
        raise Http404("Only approved versions have a PDF.")
    if version.pdf and default_storage.exists(version.pdf.name):
        return private_file_response(
            default_storage.open(version.pdf.name, "rb"),
            stem=f"{version.document.slug}-version-{version.number}",
            content_type="application/pdf",
            inline=True,
        )
    actions.request_pdf(version)
    response = render(
        request, "policies/pdf_preparing.html", {"version": version, "document": version.document}, status=202
    )
    response["Retry-After"] = "5"
    return response


# --- Public pages: no sign-in, only current approved versions ----------------------------------


def _public_school(code: str) -> School:
    return get_object_or_404(School, short_code=code.upper())


def _public_version(code: str, slug: str) -> PolicyVersion:
    return get_object_or_404(
        PolicyVersion.objects.select_related("document__school", "approved_by"),
        document__school__short_code=code.upper(),
        document__slug=slug,
        status=Status.APPROVED,
    )


def public_index(request: HttpRequest, code: str) -> HttpResponse:
    school = _public_school(code)
    versions = selectors.published_versions(school)
    return render(request, "policies/public_index.html", {"school": school, "versions": versions})


def public_detail(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    version = _public_version(code, slug)
    if not version.pdf:
        actions.request_pdf(version)
    return render(
        request,
        "policies/public_detail.html",
        {"version": version, "document": version.document, "school": version.document.school},
    )


def public_pdf(request: HttpRequest, code: str, slug: str) -> HttpResponseBase:
    return _pdf_or_preparing(request, _public_version(code, slug))
