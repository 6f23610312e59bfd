"""Agreement fixtures: a published agreement for the cast's school, and signing helpers."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements import actions

CONTENT = {
    "title": "Home-school agreement on social media",
    "introduction": "We ask every family to read how we expect our community to talk about the school online.",
    "channels": "The school website\nThe weekly newsletter email",
    "will_commitments": "Be kind about staff and other families\nBring concerns to the school office",
    "will_not_commitments": "Post photos of other people's children\nDiscuss behaviour incidents in group chats",
}


@pytest.fixture
def version(cast):
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    return actions.publish(draft, by=cast.headteacher)


DETAILS = actions.RequestDetails("203.0.113.9", "Mozilla/5.0 (iPhone) TestBrowser")


def sign(cast, version, parent=None, pupil=None, **overrides):
    parent = parent or cast.parent
    pupil = pupil or cast.child
    kwargs = {
        "parent": parent,
        "pupil": pupil,
        "version_id": version.pk,
        "typed_name": parent.full_name,
        "ticked": {"read", "child", "acknowledge"},
        "request_details": DETAILS,
    }
    kwargs.update(overrides)
    return actions.sign_online(**kwargs)


def png_upload(name="form.png", size=(40, 30)) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf_upload(name="form.pdf") -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")
