"""Email plumbing: every message is three templates (subject, text body, HTML body).

`templates/emails/<name>-subject.txt`, `<name>-body.txt`, `<name>-body.html`.
Messages are rendered in the request (cheap) and delivered by a Celery task after commit.

The subject and the text body are plain text, so they are rendered here with autoescaping off
(a parent called O'Neill is "O'Neill", not "O&#x27;Neill"); only the HTML body is escaped. No
text template needs its own `{% autoescape off %}`.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, engines
from django.template.loader import render_to_string


def render_plain_text(template_name: str, context: dict) -> str:
    """A template rendered as plain text: nothing in it is HTML-escaped."""
    template = engines["django"].engine.get_template(template_name)  # type: ignore[attr-defined]  # DjangoTemplates has .engine
    return template.render(Context(context, autoescape=False))


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_plain_text(f"emails/{name}-subject.txt", context).split())
    text = render_plain_text(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def from_address(name: str = "") -> str:
    """The portal's sending address, shown as `name` ("Northbrook Primary School <no-reply@...>")
    when given: the school's name on the message, the portal's own domain on the envelope."""
    if not name:
        return settings.DEFAULT_FROM_EMAIL
    _default_name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name, address))


def build_message(
    to: list[str], subject: str, text: str, html: str, attachments=(), *, from_name: str = "", reply_to: str = ""
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=to, from_email=from_address(from_name), reply_to=[reply_to] if reply_to else None
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message
