"""Loading the roll from the MIS: upload, match columns, preview, confirm (office and headteacher)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from schoolsocial.lib.spreadsheet import csv_safe

from ..access import get_roll_import_for
from ..permissions import require
from ..roll import actions, parsing
from ..roll.forms import ColumnsForm, RollUploadForm
from ..roll.models import RollImport
from ..roll.preview import STATUS_LABELS

Status = RollImport.Status
# Rows shown on the page for each status; the CSV download has all of them.
SHOWN_PER_STATUS = 200


@login_required
def roll_import_list(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "records.import_roll")
    imports = (
        RollImport.objects.filter(school=school)
        .select_related("created_by")
        .defer("pupils_text", "contacts_text", "preview", "result")
    )
    page = Paginator(imports, 25).get_page(request.GET.get("page"))
    return render(request, "accounts/roll/import_list.html", {"page": page})


@login_required
def roll_import_start(request: AuthenticatedRequest) -> HttpResponse:
    school = require(request, "records.import_roll")
    form = RollUploadForm(request.POST or None, request.FILES or None, school=school)
    if request.method == "POST" and form.is_valid():
        roll_import = actions.start_import(
            school=school,
            by=request.user,
            pupils_name=form.cleaned_data["pupils_file"].name,
            pupils_text=form.pupils_text,
            contacts_name=form.cleaned_data["contacts_file"].name if form.cleaned_data.get("contacts_file") else "",
            contacts_text=form.contacts_text,
        )
        return redirect(roll_import)
    return render(request, "accounts/roll/import_start.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def roll_import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "records.import_roll")
    roll_import = get_roll_import_for(request.membership, pk)
    if roll_import.status == Status.NEEDS_MAPPING:
        return redirect("accounts:roll_import_columns", roll_import.pk)
    summary = roll_import.result if roll_import.status == Status.APPLIED else roll_import.preview
    return render(
        request,
        "accounts/roll/import_detail.html",
        {
            "roll_import": roll_import,
            "summary": summary,
            "pupil_groups": _groups(summary.get("pupils", [])),
            "contact_groups": _groups(summary.get("contacts", [])),
            "shown": SHOWN_PER_STATUS,
        },
    )


def _groups(rows: list[dict]) -> list[dict]:
    """Rows by status, refused first (they need a look), unchanged only counted."""
    order = ["refused", "new", "changed", "leaving"]
    groups = []
    for status in order:
        matching = [row for row in rows if row["status"] == status]
        if matching:
            groups.append(
                {
                    "status": status,
                    "label": STATUS_LABELS[status],
                    "count": len(matching),
                    "rows": matching[:SHOWN_PER_STATUS],
                }
            )
    return groups


@login_required
def roll_import_columns(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "records.import_roll")
    roll_import = get_roll_import_for(request.membership, pk)
    if roll_import.status != Status.NEEDS_MAPPING:
        return redirect(roll_import)
    found = actions.columns_of(roll_import)
    form = ColumnsForm(request.POST or None, found=found)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_mapping(roll_import, form.choices())
        except parsing.FileProblem as problem:
            form.add_error(None, str(problem))
        except actions.ImportNotReady as error:
            messages.info(request, str(error))
            return redirect(roll_import)
        else:
            return redirect(roll_import)
    unfixable = [(f.kind, f.missing) for f in found if f.missing and not f.unknown]
    return render(
        request,
        "accounts/roll/import_columns.html",
        {"roll_import": roll_import, "form": form, "found": found, "unfixable": unfixable},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def roll_import_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "records.import_roll")
    roll_import = get_roll_import_for(request.membership, pk)
    try:
        actions.confirm(roll_import, request.user)
    except actions.ImportNotReady as error:
        messages.info(request, str(error))
    return redirect(roll_import)


@require_POST
@login_required
def roll_import_discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    require(request, "records.import_roll")
    roll_import = get_roll_import_for(request.membership, pk)
    try:
        actions.discard(roll_import)
        messages.success(request, "The import was discarded. Nothing on the roll changed.")
    except actions.ImportNotReady as error:
        messages.info(request, str(error))
    return redirect("accounts:roll_import_list")


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADER = ["File", "Line", "What happens", "Name", "UPN", "Class", "Details"]


@login_required
def roll_import_csv(request: AuthenticatedRequest, pk: int) -> StreamingHttpResponse:
    """The preview (or, once imported, the result) as a spreadsheet, every row included."""
    require(request, "records.import_roll")
    roll_import = get_roll_import_for(request.membership, pk)
    applied = roll_import.status == Status.APPLIED
    summary = roll_import.result if applied else roll_import.preview
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(CSV_HEADER)
        for kind in ("pupils", "contacts"):
            for row in summary.get(kind, []):
                yield writer.writerow(
                    [
                        csv_safe(value)
                        for value in (
                            "Pupils" if kind == "pupils" else "Contacts",
                            row["line"] or "not in the file",
                            STATUS_LABELS.get(row["status"], row["status"]),
                            row["name"],
                            row.get("upn", ""),
                            row.get("class", ""),
                            " ".join(row["notes"]),
                        )
                    ]
                )

    stamp = timezone.localtime(roll_import.created_at).strftime("%Y-%m-%d")
    name = f"roll-import-{roll_import.pk}-{'result' if applied else 'preview'}-{stamp}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
