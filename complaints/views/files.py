"""Attachments and PDFs leave private storage only through here: access checked, download logged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.http import FileResponse, Http404

from accounts.audit import log_access
from accounts.http import AuthenticatedRequest
from schoolsocial.lib.downloads import private_file_response

from ..access import get_attachment_for


def open_or_404(field_file) -> File:
    if not field_file:
        raise Http404("The file is not ready.")
    try:
        return field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage.") from error


@login_required
def attachment_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    attachment = get_attachment_for(request.membership, pk)
    handle = open_or_404(attachment.file)
    log_access(request, attachment, action="download")
    return private_file_response(handle, stem=attachment.download_stem(), content_type=attachment.content_type)
