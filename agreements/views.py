"""Agreement pages: parse, check role and school, call an action, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.audit import client_ip, log_access
from accounts.http import AuthenticatedRequest
from accounts.models import SchoolClass
from accounts.permissions import may, require
from accounts.templatetags.words import first_names
from files import staging
from schoolsocial.lib.concurrency import StaleEdit, current_version
from schoolsocial.lib.downloads import private_file_response

from . import actions, documents, export, queries
from .access import (
    get_family_link_for,
    get_own_child,
    get_signature_for,
    get_version_for,
    own_links_for,
    own_signatures_for,
)
from .forms import PaperSignatureForm, PublishForm, SignForm, VersionForm, WithdrawForm
from .models import AGREEMENT_WORKFLOW, AgreementVersion, InvalidTransition, SignatureKind, VersionStatus
from .uploads import scan_from_staged
from .years import current_academic_year


def _details(request: AuthenticatedRequest) -> actions.RequestDetails:
    return actions.RequestDetails(client_ip(request), request.META.get("HTTP_USER_AGENT", ""))


def _posted(request: AuthenticatedRequest):
    """The submitted data on POST (even if empty, so an empty submit shows its errors)."""
    return request.POST if request.method == "POST" else None


# --- parents --------------------------------------------------------------------------------------
def _family(request: AuthenticatedRequest, version: AgreementVersion | None):
    """The parent's children on roll at the school (links, by first name) and, by pupil id,
    each child's latest record for `version`."""
    links = list(
        own_links_for(request.membership)
        .select_related("pupil__school_class")
        .order_by("pupil__first_name", "pupil__last_name", "pupil_id")
    )
    records = list(
        own_signatures_for(request.membership).select_related("version", "signed_copy").order_by("-signed_at", "-pk")
    )
    return links, records, queries.family_standing(records, version)


def _is_signed(record) -> bool:
    return record is not None and record.kind == SignatureKind.SIGNED


@login_required
def parent_home(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "agreements.sign")
    version = AgreementVersion.objects.current_for(school.pk)
    links, records, _unused = _family(request, version)
    children = queries.child_standings([link.pupil for link in links], records, version)
    to_sign = [item.pupil for item in children if item.state != "signed"]
    return render(
        request,
        "agreements/parent_home.html",
        {
            "school": school,
            "version": version,
            "children": children,
            "to_sign": to_sign,
            "to_sign_names": _names(to_sign),
            "sign_again": any(item.state == "sign_again" for item in children),
            "records": records,
        },
    )


def _names(pupils) -> str:
    return first_names(pupils)  # "Sam and Alex", in the page's language


@login_required
def sign_child(request: AuthenticatedRequest, pupil_id: int) -> HttpResponse:
    """The old page for one child (links in emails sent before): the family's sign page."""
    require(request, "agreements.sign")
    get_own_child(request.membership, pupil_id)
    return redirect("agreements:sign")


@login_required
def sign(request: AuthenticatedRequest) -> HttpResponse:
    """One read, tick and type for every child the parent still has to sign for."""
    school = require(request, "agreements.sign")
    version = AgreementVersion.objects.current_for(school.pk)
    links, _, standing = _family(request, version)
    to_sign = [link.pupil for link in links if not _is_signed(standing.get(link.pupil_id))]
    already = [(link.pupil, standing[link.pupil_id]) for link in links if _is_signed(standing.get(link.pupil_id))]
    if request.method == "POST" and version is not None and not to_sign and already:
        # A second tap on the button, or a second tab: everything was signed by the first.
        messages.info(request, gettext("You have already signed the agreement for each of your children. Thank you."))
        return redirect("agreements:parent_home")
    form = SignForm(
        _posted(request),
        consents=actions.FAMILY_CONSENT_TEXT,
        children=[(pupil.pk, actions.online_consents(pupil)["child"]) for pupil in to_sign],
        initial={"version_id": getattr(version, "pk", None), "children": [pupil.pk for pupil in to_sign]},
    )
    problem = None
    if request.method == "POST" and form.is_valid():
        chosen = [pupil for pupil in to_sign if pupil.pk in form.cleaned_data["children"]]
        try:
            signed = actions.sign_for_children(
                parent=request.user,
                pupils=chosen,
                version_id=form.cleaned_data["version_id"],
                typed_name=form.cleaned_data["typed_name"],
                ticked=form.ticked,
                request_details=_details(request),
            )
        except actions.AlreadySigned:
            messages.info(
                request, gettext("You have already signed the agreement for each child you ticked. Thank you.")
            )
            return redirect("agreements:parent_home")
        except actions.SigningRefused as refusal:
            if refusal.field in form.fields:
                form.add_error(refusal.field, refusal.message)
            else:
                problem = refusal.message
        else:
            names = _names([s.pupil for s in signed])
            if len(signed) == 1:
                thanks = gettext(
                    "Thank you. You have signed the agreement for %(names)s. "
                    "A copy is on its way to your email, and you can download it below."
                )
            else:
                thanks = gettext(
                    "Thank you. You have signed the agreement for %(names)s. "
                    "A copy for each child is on its way to your email, and you can download it below."
                )
            messages.success(request, thanks % {"names": names})
            return redirect("agreements:parent_home")
    elif version is not None:
        problem = actions.closed_reason(version)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "agreements/sign.html",
        {
            "school": school,
            "version": version,
            "form": form,
            "problem": problem,
            "to_sign": to_sign,
            "already": already,
        },
        status=status,
    )


@login_required
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "agreements.sign")
    signature = get_signature_for(request.membership, pk)
    form = WithdrawForm(_posted(request))
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw(
                signature=signature,
                parent=request.user,
                reason=form.cleaned_data["reason"],
                request_details=_details(request),
            )
        except actions.SigningRefused as refusal:
            problem = refusal.message
        else:
            messages.success(
                request, gettext("Your signature for %(name)s has been withdrawn.") % {"name": signature.pupil_name}
            )
            return redirect("agreements:parent_home")
    return render(request, "agreements/withdraw.html", {"signature": signature, "form": form, "problem": problem})


# --- a signature: verify, PDF, scan ---------------------------------------------------------------
@login_required
def verify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    signature = get_signature_for(request.membership, pk)
    log_access(request, signature, action="verify")
    recomputed = signature.compute_hash()
    return render(
        request,
        "agreements/verify.html",
        {
            "signature": signature,
            "intact": recomputed == signature.content_hash,
            "recomputed": recomputed,
            "matches_version": signature.text_signed == signature.version.signed_text(),
            "is_staff_view": may(request.membership, "agreements.view_signatures"),
        },
    )


@login_required
def signature_pdf(request: AuthenticatedRequest, pk: int) -> FileResponse:
    signature = get_signature_for(request.membership, pk)
    if signature.kind != SignatureKind.SIGNED:
        raise Http404("No such page.")
    # Normally rendered by the task straight after signing; this covers a task still queued.
    copy = documents.ensure_signed_copy(signature)
    log_access(request, signature, action="download")
    return _private_file(copy.file.name, "application/pdf", documents.download_stem(signature))


@login_required
def signature_scan(request: AuthenticatedRequest, pk: int) -> FileResponse:
    require(request, "agreements.view_signatures")
    signature = get_signature_for(request.membership, pk)
    if not signature.scan:
        raise Http404("No such page.")
    log_access(request, signature, action="download-scan")
    return _private_file(signature.scan.name, signature.scan_content_type, f"paper-form-{signature.pk}")


def _private_file(name: str, content_type: str, stem: str) -> FileResponse:
    return private_file_response(default_storage.open(name, "rb"), stem=stem, content_type=content_type)


# --- coverage (headteacher and office) ------------------------------------------------------------
@login_required
def coverage(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "agreements.view_signatures")
    version = AgreementVersion.objects.current_for(school.pk)
    rows, total = queries.school_coverage(school, version)
    paginator = Paginator(queries.not_signed_links(school, version), 50)
    paginator.count = total.not_signed  # the same families, already counted: no second count
    waiting = paginator.get_page(request.GET.get("page"))
    draft = AgreementVersion.objects.filter(school=school, status=VersionStatus.DRAFT).order_by("-number").first()
    return render(
        request,
        "agreements/coverage.html",
        {
            "school": school,
            "version": version,
            "rows": rows,
            "total": total,
            "page": waiting,
            "waiting": queries.decorate(waiting.object_list, version),
            "draft": draft,
            "current_year": current_academic_year(school),
            "can_manage": may(request.membership, "agreements.manage_versions"),
        },
    )


@login_required
def class_coverage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "agreements.view_signatures")
    school_class = get_object_or_404(SchoolClass.objects.filter(school=school), pk=pk)
    version = AgreementVersion.objects.current_for(school.pk)
    query = request.GET.get("q", "")[:100].strip()
    page = queries.class_pupils(school_class, version, query=query, page=request.GET.get("page"))
    return render(
        request,
        "agreements/class_coverage.html",
        {"school": school, "school_class": school_class, "version": version, "page": page, "query": query},
    )


@login_required
def coverage_csv(request: AuthenticatedRequest) -> StreamingHttpResponse:
    school = require(request, "agreements.view_signatures")
    version = AgreementVersion.objects.current_for(school.pk)
    class_id = request.GET.get("class", "")
    log_access(request, school, action="export-agreement-coverage", school=school)
    lines = export.coverage_csv_lines(school, version, int(class_id) if class_id.isdigit() else None)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    year = (version.academic_year if version else current_academic_year(school)).replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="agreement-coverage-{school.short_code}-{year}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def paper_signature(request: AuthenticatedRequest, link_id: int) -> HttpResponse:
    """The office records a paper form. A good scan is staged (files.staging) as soon as it is
    chosen, as on the report form, so a mistake in another field never loses it."""
    school = require(request, "agreements.record_paper")
    link = get_family_link_for(request.membership, link_id)
    version = AgreementVersion.objects.current_for(school.pk)

    def page(form, staged=None, problem=None, status=200):
        context = {
            "link": link,
            "version": version,
            "form": form,
            "problem": problem,
            "staged": [staged] if staged else [],
        }
        return render(request, "agreements/paper_form.html", context, status=status)

    if request.method != "POST":
        return page(PaperSignatureForm(initial={"signer_name": link.parent.full_name}))
    typed = {key: request.POST.get(key) for key in ("signer_name", "signed_on")}
    data = request.POST.copy()
    token = PaperSignatureForm(data).form_token_value
    if token is None:  # no token (or a mangled one): this submit starts its own
        token = uuid.uuid4()
        data["form_token"] = str(token)
    if request.POST.get("remove_upload", "").isdigit():
        staging.discard(user=request.user, form_token=token, pk=int(request.POST["remove_upload"]))
        return page(PaperSignatureForm(initial={**typed, "form_token": token}))

    staged = staging.staged_for(user=request.user, school=school, form_token=token)
    kept = staged[-1] if staged else None
    form = PaperSignatureForm(data, request.FILES, staged=kept)
    if form.is_valid() or "scan" not in form.errors:
        chosen = form.cleaned_data.get("scan")
        if chosen:  # one scan per form: a new choice replaces the one kept
            if kept is not None:
                staging.discard(user=request.user, form_token=token, pk=kept.pk)
            upload, facts = chosen
            kept = staging.stage(school=school, user=request.user, form_token=token, upload=upload, facts=facts)
            form = PaperSignatureForm(data, staged=kept)
    if not form.is_valid() or kept is None:
        return page(form, kept, status=400)
    try:
        signature = actions.record_paper_signature(
            link=link,
            recorded_by=request.user,
            signer_name=form.cleaned_data["signer_name"],
            signed_on=form.cleaned_data["signed_on"],
            scan=scan_from_staged(kept),
            request_details=_details(request),
        )
    except actions.SigningRefused as refusal:
        if refusal.field in form.fields:
            form.add_error(refusal.field, refusal.message)
            return page(form, kept, status=400)
        return page(form, kept, problem=refusal.message, status=400)
    except staging.FileChanged as error:
        staging.discard(user=request.user, form_token=token, pk=kept.pk)
        return page(PaperSignatureForm(initial={**typed, "form_token": token}), problem=str(error), status=400)
    staging.discard(user=request.user, form_token=token, pk=kept.pk)
    messages.success(request, f"Paper signature recorded for {signature.pupil_name} ({link.parent.full_name}).")
    if link.pupil.school_class_id:
        return redirect("agreements:class_coverage", pk=link.pupil.school_class_id)
    return redirect("agreements:coverage")


# --- versions (the headteacher drafts and publishes; the office may read) -------------------------
@login_required
def version_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "agreements.view_signatures")
    versions = AgreementVersion.objects.filter(school=school).select_related("approved_by").order_by("-number")
    return render(
        request,
        "agreements/version_list.html",
        {"versions": versions, "can_manage": may(request.membership, "agreements.manage_versions")},
    )


@login_required
def version_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    version = get_version_for(request.membership, pk)
    return _version_page(request, version)


def _version_page(
    request: AuthenticatedRequest,
    version: AgreementVersion,
    stale: StaleEdit | None = None,
    form: PublishForm | None = None,
):
    current = AgreementVersion.objects.current_for(version.school_id) if version.is_draft else None
    if form is None and version.is_draft:
        form = PublishForm(first=current is None, initial={"seen_version": current_version(version)})
    context = {
        "version": version,
        "current": current,
        "can_manage": may(request.membership, "agreements.manage_versions"),
        # The publish form carries the version the page was opened at (schoolsocial.lib.concurrency).
        "seen_version": current_version(version),
        "publish_form": form,
        "stale": stale,
    }
    status = 409 if stale else 400 if form is not None and form.is_bound else 200
    return render(request, "agreements/version_detail.html", context, status=status)


@login_required
def version_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    school = require(request, "agreements.manage_versions")
    if pk is not None:
        version = get_version_for(request.membership, pk)
        if not version.is_draft:
            messages.info(request, "This version is published, so its wording cannot change. Start a new version.")
            return redirect(version)
        form = VersionForm(_posted(request), instance=version)
        form.opened_at(version)
    else:
        version = None
        latest = AgreementVersion.objects.filter(school=school).order_by("-number").first()
        form = VersionForm(_posted(request), initial=actions.draft_content_from(latest, school))
    if request.method == "POST" and form.is_valid():
        if version is None:
            version = actions.start_draft(school=school, by=request.user, **form.cleaned_data)
        else:
            try:
                actions.update_draft(version, **form.cleaned_data)
            except StaleEdit as stale:
                version.refresh_from_db()
                form.saw_version(stale.version)
                saved = [(form.fields[key].label or key, getattr(version, key)) for key in form.Meta.fields]
                context = {"form": form, "version": version, "stale": stale, "saved": saved}
                return render(request, "agreements/version_form.html", context, status=409)
            except actions.VersionNotEditable as error:
                messages.error(request, f"{error} Nothing was changed; start a new version to reword it.")
                return redirect(version)
        messages.success(request, f"Draft version {version.number} saved. Check it, then publish it.")
        return redirect(version)
    return render(request, "agreements/version_form.html", {"form": form, "version": version})


@require_POST
@login_required
def version_publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "agreements.manage_versions")
    version = get_version_for(request.membership, pk)
    if not version.is_draft:
        # A second click, or a version published or replaced meanwhile: nothing changes.
        messages.error(request, AGREEMENT_WORKFLOW.refusal(version.status, VersionStatus.PUBLISHED))
        return redirect("agreements:coverage")
    first = AgreementVersion.objects.current_for(school.pk) is None
    form = PublishForm(request.POST, first=first)
    if not form.is_valid():
        return _version_page(request, version, form=form)
    seen = form.cleaned_data["seen_version"]
    try:
        actions.publish(
            version,
            by=request.user,
            seen_version=seen,
            needs_resign=form.asks_to_sign_again,
            change_note=form.cleaned_data["change_note"],
        )
    except StaleEdit as stale:
        version.refresh_from_db()
        return _version_page(request, version, stale)
    except actions.PublishRefused as refusal:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        return _version_page(request, version, form=form)
    except InvalidTransition as error:  # published already (a second click), or superseded
        messages.error(request, str(error))
    else:
        if form.asks_to_sign_again:
            told = "Every parent is being asked to sign it; earlier signatures stay on record."
        else:
            told = "It corrects the current version: signatures already given stay valid, and only families who have not signed yet are asked."
        messages.success(request, f"Version {version.number} is published. {told}")
    return redirect("agreements:coverage")
