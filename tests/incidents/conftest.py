"""Builders for incident tests: real files made in memory, reports filed through the actions."""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from files import staging
from incidents import actions
from incidents.models import Nature, Platform, PosterKind
from schoolsocial.lib.uploads import inspect_upload
from tests.conftest import ensure_reference_data as ensure_platforms


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A small PNG whose header claims 900 million pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * width
    data = zlib.compress(row * 50, 9)  # only the start; the header is what matters
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def upload(name: str = "screenshot.png", content: bytes | None = None, content_type: str = "image/png"):
    return SimpleUploadedFile(name, image_bytes() if content is None else content, content_type=content_type)


@pytest.fixture
def facebook(db) -> Platform:
    ensure_platforms()
    return Platform.objects.get(name="Facebook")


def report_details(platform: Platform, **overrides) -> dict:
    details = {
        "platform": platform,
        "account_name": "Northbrook Mums & Dads",
        "posted_at": timezone.now() - timedelta(hours=3),
        "seen_at": timezone.now() - timedelta(hours=1),
        "content": "That teacher in Otters class should be sacked, everyone knows what she did.",
        "targeted": "A class teacher",
        "poster_kind": PosterKind.PARENT,
        "poster_certainty": "likely",
        "pupils_identifiable": False,
        "safeguarding_concern": False,
        "on_school_equipment": False,
        "site_blocked_on": None,
    }
    details.update(overrides)
    return details


@pytest.fixture
def file_report(cast, facebook):
    """`file_report(reporter=..., natures=[...], files=2, **fields)` files a report through the actions."""

    def _file(reporter=None, natures=(Nature.COMPLAINT,), files: int = 0, school=None, role="parent", **fields):
        reporter = reporter or cast.parent
        school = school or cast.school
        token = uuid.uuid4()
        staged = []
        for index in range(files):
            item = upload(f"shot-{index}.png")
            staged.append(
                staging.stage(school=school, user=reporter, form_token=token, upload=item, facts=inspect_upload(item))
            )
        return actions.report(
            school=school,
            reporter=reporter,
            role=role,
            details=report_details(fields.pop("platform", facebook), **fields),
            natures=natures,
            urls=["https://www.facebook.com/groups/123/posts/456"],
            staged=staged,
        )

    return _file
