"""Download names come from our own references and the detected type, never from an upload's name."""

from __future__ import annotations

import pytest

from schoolsocial.lib.downloads import download_name


@pytest.mark.parametrize(
    ("stem", "content_type", "expected"),
    [
        ("evidence-NBP-2026-0007-1", "image/png", "evidence-NBP-2026-0007-1.png"),
        ("evidence-NBP-2026-0007-2", "image/jpeg", "evidence-NBP-2026-0007-2.jpg"),
        ("paper-form-3", "application/pdf", "paper-form-3.pdf"),
        ('../../x.html"; filename=y.exe', "image/webp", "x-html-filename-y-exe.webp"),
        ("anything", "text/html", "anything.bin"),
        ("", "application/zip", "file.zip"),
    ],
)
def test_the_extension_is_the_detected_types(stem, content_type, expected):
    assert download_name(stem, content_type) == expected
