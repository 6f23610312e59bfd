"""Evidence files leave private storage only through here: role and school checked, download logged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from schoolsocial.lib.downloads import private_file_response

from ..access import get_evidence_for


@login_required
def evidence_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    evidence = get_evidence_for(request.membership, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage.") from error
    log_access(request, evidence, action="download")
    return private_file_response(handle, stem=evidence.download_stem(), content_type=evidence.content_type)
