"""Private files leave storage through one response: a name built from what the file is.

The name a browser saves a download under is never the uploader's: a real PNG uploaded as
`evidence.html` would otherwise be saved as `evidence.html` and run as a web page when opened
from the disk. The extension comes from the content type we detected by reading the file
(schoolsocial.lib.uploads), the rest from our own references: `evidence-NBP-2026-0007-1.png`.
"""

from __future__ import annotations

import re

from django.http import FileResponse

from .uploads import EXTENSIONS as UPLOADED_EXTENSIONS

# The types we accept from uploads, and the ones only the portal makes (bundles, exports).
EXTENSIONS = {**UPLOADED_EXTENSIONS, "application/zip": "zip", "text/csv": "csv"}


def download_name(stem: str, content_type: str) -> str:
    """`stem` reduced to letters, digits and dashes, with the extension of `content_type`."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:120] or "file"
    return f"{cleaned}.{EXTENSIONS.get(content_type, 'bin')}"


def private_file_response(handle, *, stem: str, content_type: str, inline: bool = False) -> FileResponse:
    """A private file, named from `stem` and its detected type, never cached.

    Uploaded files (`inline=False`, the default) are always attachments, sandboxed should a
    browser show them anyway; the portal's own PDFs (letters, policies) may open in the browser.
    """
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=download_name(stem, content_type),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if not inline:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
