"""PDF plumbing shared by every app: a Django template in, PDF bytes out, with no network access.

    from schoolsocial.lib.pdf import render_pdf
    pdf_bytes = render_pdf("policies/pdf/version.html", {"version": version})

Rules the rendering follows, so a document can never leak or fetch anything:

- The template is an ordinary Django template (auto-escaped). Link stylesheets and images with
  `{% static %}` (for example `<link rel="stylesheet" href="{% static 'css/pdf.css' %}">`): such
  URLs are resolved by `StaticOnlyURLFetcher` to files found by the staticfiles finders (or in
  STATIC_ROOT), never over HTTP.
- Every other URL (http, https, ftp, a file outside the static folders...) is refused and simply
  left out of the document. `data:` URIs are allowed, so a private image such as a school logo
  can be embedded with `image_data_uri(school.logo)`.
- One `FontConfiguration` is shared by the whole process: building one costs time and
  fontconfig caches are per configuration. One `StaticOnlyURLFetcher` is shared by every render
  in a thread (`url_fetcher()`); a fetcher keeps per-request state, so threads get their own.

Render in a Celery task, never in a request: a long document takes a second or more.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

# Relative URLs in templates ("/static/css/pdf.css") are joined to this base. It names no real
# place: the fetcher below maps the static prefix to files and refuses everything else.
BASE_URL = "file:///"

FONT_CONFIG = FontConfiguration()
# WeasyPrint reports every rendering step at INFO; keep the logs for things that matter.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class RefusedURL(ValueError):
    """A PDF asked for something other than a static file or a data: URI. WeasyPrint logs it and
    leaves the resource out."""


def static_path_for(url: str) -> Path | None:
    """The file behind a `file:///static/...` URL, if it is a real static file; otherwise None."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = unquote(parts.path)
    if not path.startswith(settings.STATIC_URL):
        return None
    relative = path[len(settings.STATIC_URL) :]
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found)
    if settings.STATIC_ROOT:
        candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
        if candidate.is_file() and Path(settings.STATIC_ROOT).resolve() in candidate.parents:
            return candidate
    return None


class StaticOnlyURLFetcher(URLFetcher):
    """Serves static files and data: URIs; refuses every network or other file URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = static_path_for(url)
        if path is None:
            raise RefusedURL(f"PDF rendering only loads static files; refused {url[:200]}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        from weasyprint.urls import URLFetcherResponse

        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime_type})


_fetchers = threading.local()


def url_fetcher() -> StaticOnlyURLFetcher:
    """The fetcher every render in this thread shares."""
    fetcher = getattr(_fetchers, "fetcher", None)
    if fetcher is None:
        fetcher = _fetchers.fetcher = StaticOnlyURLFetcher()
    return fetcher


def image_data_uri(file_field) -> str:
    """A `data:` URI for an image held in (private) storage, e.g. a school logo; "" if none."""
    if not file_field:
        return ""
    mime_type = mimetypes.guess_type(file_field.name)[0] or "image/png"
    with file_field.open("rb") as handle:
        encoded = base64.b64encode(handle.read()).decode("ascii")
    return f"data:{mime_type};base64,{encoded}"


def render_pdf(template_name: str, context: dict | None = None) -> bytes:
    """Render a Django template to PDF bytes, with the shared fonts and the static-only fetcher."""
    html = render_to_string(template_name, context or {})
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher())
    return document.write_pdf(font_config=FONT_CONFIG)
