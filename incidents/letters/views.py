"""Letters and referral bundles: parse, check access, call an action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from accounts.permissions import may, require, requires
from incidents.access import get_case_for, get_step_of
from schoolsocial.lib.downloads import private_file_response

from . import actions
from .access import get_bundle_for, get_letter_for
from .forms import DraftForm, EmailLetterForm, HandoverForm, NewLetterForm, WordingForm
from .models import LETTER_FOR_STEP, LetterKind, RenderState
from .wording import placeholders_for

ALREADY_FINAL = "This letter was already finalised; it is shown here as it was made final."


@login_required
@requires("letters.draft")
def incident_letters(request: AuthenticatedRequest, incident_pk: int) -> HttpResponse:
    incident = get_case_for(request.membership, incident_pk)
    letters = list(incident.letters.select_related("step").order_by("-created_at", "-pk"))
    bundles = list(incident.bundles.order_by("-requested_at", "-pk")[:5])
    steps = list(incident.steps.order_by("created_at", "pk"))
    return render(
        request,
        "letters/incident_letters.html",
        {"incident": incident, "letters": letters, "bundles": bundles, "steps": steps, "new_form": NewLetterForm()},
    )


@login_required
@requires("letters.draft")
def letter_new(request: AuthenticatedRequest, incident_pk: int) -> HttpResponse:
    incident = get_case_for(request.membership, incident_pk)
    step = None
    step_id = request.POST.get("step") or request.GET.get("step")
    if step_id and str(step_id).isdigit():
        step = get_step_of(incident, int(step_id))
    initial_kind = LETTER_FOR_STEP.get(step.kind, LetterKind.OUTCOME) if step else LetterKind.REMOVAL_REQUEST
    form = NewLetterForm(request.POST or None, initial={"kind": initial_kind})
    if request.method == "POST" and form.is_valid():
        letter = actions.create_letter(incident=incident, step=step, kind=form.cleaned_data["kind"], by=request.user)
        if letter.used_standard_wording_instead:
            messages.warning(
                request,
                "The school's own wording for this letter could not be used (it has curly brackets the "
                "portal cannot fill in), so this draft uses the standard wording. Please correct the "
                "wording on the Letter wording page.",
            )
        messages.success(request, "Draft ready. Check the wording, then preview it as a PDF.")
        return redirect("letters:edit", letter.pk)
    return render(request, "letters/letter_new.html", {"incident": incident, "step": step, "form": form})


@login_required
def letter_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "letters.draft")
    letter = get_letter_for(request.membership, pk)
    if letter.is_final:
        if request.method == "POST":  # a second click on Finalise, or an edit after someone finalised it
            messages.info(request, ALREADY_FINAL)
        return redirect("letters:detail", letter.pk)
    form = DraftForm(request.POST or None, instance=letter)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                if form.has_changed():
                    letter = actions.update_draft(letter=letter, by=request.user, **fields)
            except actions.LetterError:
                # Finalised meanwhile (a second click on Finalise, or someone else): nothing to save.
                messages.info(request, ALREADY_FINAL)
                return redirect("letters:detail", letter.pk)
            if action == "finalise":
                if not may(request.membership, "letters.finalise"):
                    messages.error(request, "Only the headteacher can finalise a letter.")
                    return redirect("letters:edit", letter.pk)
                problems = actions.missing_facts(letter)
                if not problems:
                    # Not yet: the headteacher checks the PDF and confirms on the next page.
                    actions.request_preview(letter=letter)
                    return redirect("letters:finalise", letter.pk)
                for field, message in problems:
                    form.add_error(field, message)
                return _edit_page(request, school, letter, form, status=400)
            if action == "preview":
                actions.request_preview(letter=letter)
                messages.info(request, "Saved. The PDF preview is being made.")
            else:
                messages.success(request, "Draft saved.")
            return redirect("letters:edit", letter.pk)
    return _edit_page(request, school, letter, form)


def _edit_page(request: AuthenticatedRequest, school, letter, form: DraftForm, status: int = 200) -> HttpResponse:
    log_access(request, letter, school=school)
    return render(
        request,
        "letters/letter_edit.html",
        {
            "letter": letter,
            "incident": letter.incident,
            "form": form,
            "can_finalise": may(request.membership, "letters.finalise"),
            # Shown before anyone presses Finalise: what still stops the letter going out.
            "missing": [message for _field, message in actions.missing_facts(letter)],
        },
        status=status,
    )


@login_required
def letter_finalise(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The last look before a letter is final: its PDF preview, and a confirmation."""
    school = require(request, "letters.finalise")
    letter = get_letter_for(request.membership, pk)
    if letter.is_final:
        if request.method == "POST":
            messages.info(request, ALREADY_FINAL)
        return redirect("letters:detail", letter.pk)
    if actions.missing_facts(letter):
        return redirect("letters:edit", letter.pk)
    if request.method == "POST":
        revision = request.POST.get("revision", "")
        if not letter.pdf_ready:
            messages.error(request, "Wait for the PDF preview and check it before finalising.")
            return redirect("letters:finalise", letter.pk)
        try:
            letter = actions.finalise(
                letter=letter, by=request.user, revision=int(revision) if revision.isdigit() else -1
            )
        except actions.LetterError as error:
            messages.error(request, str(error))
            return redirect("letters:finalise", letter.pk)
        messages.success(request, "The letter is final and will be kept unchanged. Its PDF is shown below once made.")
        return redirect("letters:detail", letter.pk)
    if not letter.pdf_ready and letter.render_state not in (RenderState.QUEUED, RenderState.RENDERING):
        actions.request_preview(letter=letter)
        letter.refresh_from_db()
    log_access(request, letter, school=school)
    return render(request, "letters/letter_finalise.html", {"letter": letter, "incident": letter.incident})


@login_required
def letter_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    school = require(request, "letters.draft")
    letter = get_letter_for(request.membership, pk)
    if not letter.is_final:
        return redirect("letters:edit", letter.pk)
    log_access(request, letter, school=school)
    deliveries = list(letter.deliveries.select_related("by", "notification"))
    return render(
        request,
        "letters/letter_detail.html",
        {
            "letter": letter,
            "incident": letter.incident,
            "deliveries": deliveries,
            "email_form": EmailLetterForm(initial={"email": letter.recipient_email}),
            "handover_form": HandoverForm(),
        },
    )


@login_required
def letter_status(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    letter = get_letter_for(request.membership, pk)
    return JsonResponse(
        {
            "state": letter.render_state or "none",
            "label": RenderState(letter.render_state).label,
            "ready": letter.pdf_ready,
            "url": reverse("letters:pdf", args=[letter.pk]) if letter.pdf_ready else "",
            "error": letter.render_error,
        }
    )


@login_required
@require_POST
@requires("letters.draft")
def letter_again(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request.membership, pk)
    if actions.make_again(letter=letter):
        messages.info(request, "The PDF is being made again.")
    return redirect("letters:detail" if letter.is_final else "letters:edit", letter.pk)


@login_required
def letter_pdf(request: AuthenticatedRequest, pk: int) -> FileResponse:
    school = require(request, "letters.draft")
    letter = get_letter_for(request.membership, pk)
    if not letter.pdf_ready:
        raise Http404("The PDF is not ready yet.")
    file = letter.pdf if letter.is_final else letter.preview_pdf
    handle = _open_or_404(file)
    log_access(request, letter, action="download", school=school)
    return private_file_response(handle, stem=letter.filename_stem, content_type="application/pdf", inline=True)


@login_required
@require_POST
def letter_email(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "letters.email")
    letter = get_letter_for(request.membership, pk)
    form = EmailLetterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a valid email address to send the letter to.")
        return redirect("letters:detail", letter.pk)
    try:
        actions.email_letter(letter=letter, by=request.user, to=form.cleaned_data["email"])
    except actions.LetterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The letter is on its way to {form.cleaned_data['email']}.")
    return redirect("letters:detail", letter.pk)


@login_required
@require_POST
def letter_handover(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    letter = get_letter_for(request.membership, pk)
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            actions.record_handover(
                letter=letter, by=request.user, method=form.cleaned_data["method"], note=form.cleaned_data["note"]
            )
        except actions.LetterError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Recorded.")
    else:
        messages.error(request, "Choose posted or handed over.")
    return redirect("letters:detail", letter.pk)


# --- The school's wording -------------------------------------------------------------------------
@login_required
def wording_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "letters.edit_wording")
    rows = [(kind, actions.current_wording(school, kind)) for kind in LetterKind]
    return render(request, "letters/wording_list.html", {"rows": rows})


@login_required
def wording_edit(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    school = require(request, "letters.edit_wording")
    if kind not in LetterKind.values:
        raise Http404("No such letter.")
    template, subject, body = actions.wording_text(school, kind)
    form = WordingForm(request.POST or None, initial={"subject": subject, "body": body})
    if request.method == "POST" and form.is_valid():
        saved = actions.save_wording(school=school, kind=kind, by=request.user, **form.cleaned_data)
        messages.success(request, f"Saved as version {saved.version}. New letters use it; existing ones keep theirs.")
        return redirect("letters:wording_list")
    return render(
        request,
        "letters/wording_edit.html",
        {"form": form, "kind": LetterKind(kind), "current": template, "placeholders": placeholders_for(school)},
    )


# --- Referral bundle ------------------------------------------------------------------------------
@login_required
@require_POST
@requires("letters.draft")
def bundle_create(request: AuthenticatedRequest, incident_pk: int) -> HttpResponse:
    incident = get_case_for(request.membership, incident_pk)
    bundle = actions.request_bundle(incident=incident, by=request.user)
    messages.info(request, "The referral bundle is being built.")
    return redirect("letters:bundle_detail", bundle.pk)


@login_required
def bundle_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    bundle = get_bundle_for(request.membership, pk)
    return render(request, "letters/bundle_detail.html", {"bundle": bundle, "incident": bundle.incident})


@login_required
def bundle_status(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    bundle = get_bundle_for(request.membership, pk)
    ready = bundle.state == RenderState.READY and bool(bundle.sha256)
    return JsonResponse(
        {
            "state": bundle.state or "none",
            "label": RenderState(bundle.state).label,
            "ready": ready,
            "url": reverse("letters:bundle_download", args=[bundle.pk]) if ready else "",
            "error": bundle.error,
        }
    )


@login_required
@require_POST
@requires("letters.draft")
def bundle_again(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    bundle = get_bundle_for(request.membership, pk)
    if actions.make_bundle_again(bundle=bundle):
        messages.info(request, "The referral bundle is being built again.")
    return redirect("letters:bundle_detail", bundle.pk)


@login_required
def bundle_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    school = require(request, "letters.draft")
    bundle = get_bundle_for(request.membership, pk)
    if not bundle.sha256:
        raise Http404("The bundle is not ready yet.")
    handle = _open_or_404(bundle.file)
    log_access(request, bundle, action="download", school=school)
    return private_file_response(handle, stem=bundle.filename_stem, content_type="application/zip")


def _open_or_404(field_file: FieldFile) -> FieldFile:
    """The stored file, or a 404 (not a 500) if it has gone missing from storage."""
    try:
        return field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage.") from error
