"""Evidence files leave private storage only through here: role and school checked, download logged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest

from accounts.audit import log_access

from ..access import get_evidence_for


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_evidence_for(request.membership, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage.") from error
    log_access(request, evidence, action="download")
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
