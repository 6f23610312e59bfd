"""Project-wide request guards: the size of what may be sent, the portal's own 404 page, and
sessions that end when idle without a write on every request."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.views.defaults import page_not_found


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than MAX_REQUEST_BYTES before anything reads
    it (Django caps form fields with DATA_UPLOAD_MAX_MEMORY_SIZE, but streams files to disk
    whatever their size). The reverse proxy's own body limit should be the same (see README)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.MAX_REQUEST_BYTES
        if declared > limit:
            page = render_to_string("413.html", {"limit_mb": limit // (1024 * 1024)})
            response = HttpResponse(page, status=413)
            response["Connection"] = "close"  # the unread body is not worth keeping the connection for
            return response
        return self.get_response(request)


class ProjectNotFoundPageMiddleware:
    """With DEBUG on (the embedded default), a missing page still gets the portal's own 404 page,
    not Django's debug page, which lists every URL pattern. Without DEBUG Django already does this.

    Last in MIDDLEWARE, so the page has the signed-in person's menu and CommonMiddleware can still
    redirect "/path" to "/path/"."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DEBUG:
            try:
                resolve(request.path_info)
            except Resolver404 as error:
                return page_not_found(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None


class SessionIdleTimeoutMiddleware:
    """Signed-in sessions end after SESSION_COOKIE_AGE seconds without a request, without a database
    write on every page view: the session's expiry is pushed forward (by marking it changed, so
    SessionMiddleware saves it) at most once every SESSION_REFRESH_SECONDS. A session therefore
    ends between SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the last
    request; the session store refuses an expired session, which signs the person out.

    Sits just after SessionMiddleware. Visitors who are not signed in get no session written."""

    KEY = "_refreshed_at"

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        signed_in = not session.is_empty() and AUTH_SESSION_KEY in session
        if signed_in and int(time.time()) - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[self.KEY] = int(time.time())
        response = self.get_response(request)
        if session.modified and AUTH_SESSION_KEY in session:
            # Saved anyway (signing in, a message, a chosen school): the expiry moves with it.
            session[self.KEY] = int(time.time())
        return response
