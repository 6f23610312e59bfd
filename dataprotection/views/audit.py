"""The DPO's read-only pages: the audit history of any record and the access log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.audit import log_access, log_record_access
from accounts.http import AuthenticatedRequest
from accounts.models import AccessLog

from .. import history, subjects
from ..access import get_record_history_for, require_dpo
from ..forms import AccessLogSearchForm, HistorySearchForm

PER_PAGE = 50
DEFAULT_RECORD_TYPE = "incidents.incident"


@login_required
def history_index(request: AuthenticatedRequest) -> HttpResponse:
    """The latest changes to one kind of record, or straight to one record's history."""
    school = require_dpo(request)
    form = HistorySearchForm(request.GET or {"record_type": DEFAULT_RECORD_TYPE})
    label = DEFAULT_RECORD_TYPE
    if form.is_valid():
        label = form.cleaned_data["record_type"]
        if form.cleaned_data["record"]:
            record_id = history.find_record_id(label, school, form.cleaned_data["record"])
            if record_id is not None and history.history_for_school(label, school).filter(id=record_id).exists():
                return redirect("dataprotection:record_history", label=label, pk=record_id)
            form.add_error("record", "Your school has no record of this kind with that reference or number.")
    page = Paginator(history.history_for_school(label, school), PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "row": row,
            "change": history.CHANGE_LABELS.get(row.history_type, row.history_type),
            "record": history.record_label(label, row, school),
        }
        for row in page
    ]
    return render(
        request,
        "dataprotection/history_index.html",
        {"form": form, "page": page, "rows": rows, "label": label, "type_name": dict(history.record_types())[label]},
    )


@login_required
def record_history(request: AuthenticatedRequest, label: str, pk: int) -> HttpResponse:
    """Every change to one record: what changed, who changed it, when."""
    school, rows = get_record_history_for(request, label, pk)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    page_rows = list(page.object_list)
    before = rows[page.end_index()] if page.has_next() else None
    versions = history.versions_of(label, page_rows, before)
    record = history.record_label(label, page_rows[0], school)
    log_record_access(
        request, object_type=label, object_id=pk, object_repr=record, action="view-history", school_id=school.pk
    )
    return render(
        request,
        "dataprotection/record_history.html",
        {
            "page": page,
            "versions": versions,
            "record": record,
            "label": label,
            "type_name": dict(history.record_types())[label],
            "access_url": reverse("dataprotection:access_log") + f"?record_type={label}&record={pk}&since=",
        },
    )


@login_required
def access_log(request: AuthenticatedRequest) -> HttpResponse:
    """Who opened what, searchable by the person who opened it, a pupil, a record and dates."""
    school = require_dpo(request)
    data = request.GET if request.GET else AccessLogSearchForm.this_term()
    form = AccessLogSearchForm(data, school=school)
    entries = AccessLog.objects.filter(school=school).select_related("user")
    pupil = None
    if form.is_valid():
        criteria = form.cleaned_data
        for word in (criteria["person"] or "").split()[:5]:
            entries = entries.filter(Q(user__full_name__icontains=word) | Q(user__email__icontains=word))
        pupil = criteria["pupil"]
        if pupil is not None:
            entries = entries.filter(subjects.access_log_q(subjects.linked_records(school_id=school.pk, pupil=pupil)))
        if criteria["record_type"]:
            entries = entries.filter(object_type=criteria["record_type"])
        if criteria["record"]:
            entries = entries.filter(object_id=criteria["record"].strip())
        if criteria["since"]:
            entries = entries.filter(at__date__gte=criteria["since"])
        if criteria["until"]:
            entries = entries.filter(at__date__lte=criteria["until"])
    else:
        entries = entries.none()
    page = Paginator(entries.order_by("-at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    types = dict(history.record_types())
    rows = [{"entry": entry, "type_name": types.get(entry.object_type, entry.object_type)} for entry in page]
    if pupil is not None and page.number == 1:
        # Looking up who opened a child's records is itself an opening of those records (logged
        # after the search, so it is in the next search, not this one).
        log_access(request, pupil, action="search-access-log")
    return render(
        request,
        "dataprotection/access_log.html",
        {"form": form, "page": page, "rows": rows, "pupil": pupil, "history_types": set(types)},
    )
