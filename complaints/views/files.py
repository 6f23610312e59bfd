"""Attachments and PDFs leave private storage only through here: access checked, download logged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files import File
from django.http import FileResponse, Http404, HttpRequest

from accounts.audit import log_access

from ..access import get_attachment_for


def private_file_response(handle: File, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def open_or_404(field_file) -> File:
    if not field_file:
        raise Http404("The file is not ready.")
    try:
        return field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing from storage.") from error


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_attachment_for(request.membership, pk)
    handle = open_or_404(attachment.file)
    log_access(request, attachment, action="download")
    return private_file_response(handle, attachment.original_name, attachment.content_type)
