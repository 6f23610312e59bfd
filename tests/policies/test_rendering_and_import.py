from html.parser import HTMLParser

import pytest

from policies.importing import ImportFailed, markdown_from_docx, markdown_from_upload
from policies.rendering import render_markdown

from .docx_builder import SAMPLE_BLOCKS, build_docx

ATTACKS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src='https://evil.example'></iframe>",
    "<svg onload=alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<style>body{display:none}</style>",
    "![x](https://evil.example/track.png)",
]


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("attack", ATTACKS)
def test_sanitiser_lets_no_script_or_raw_html_through(attack):
    html = render_markdown(f"# Title\n\n{attack}\n\nText after.")
    parser = TagCollector()
    parser.feed(html)
    tags = {tag for tag, _ in parser.tags}
    assert tags <= {"h1", "p", "a"}, html
    for _, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs)
        assert not attrs.get("href", "").lower().startswith(("javascript:", "data:"))
    assert "<script" not in html.lower()
    assert "Text after." in html


def test_markdown_structure_survives_the_sanitiser():
    html = render_markdown(
        "# Policy\n\n## Scope\n\n- one\n- two\n\n1. first\n2. second\n\n**bold** [site](https://school.example)"
    )
    assert "<h1>Policy</h1>" in html and "<h2>Scope</h2>" in html
    assert "<ul>" in html and "<ol>" in html and "<strong>bold</strong>" in html
    assert 'href="https://school.example"' in html


def test_docx_import_keeps_headings_and_lists():
    markdown, notes = markdown_from_docx(build_docx(SAMPLE_BLOCKS))
    assert notes == []
    assert markdown.startswith("# Social Media Policy\n")
    assert "## Who this policy is for" in markdown
    assert "## What to do if you see a worrying post" in markdown
    assert "- Staff and volunteers\n- Parents & carers" in markdown
    assert "1. Take a screenshot.\n2. Do not reply or share it.\n3. Tell the school office." in markdown
    html = render_markdown(markdown)
    assert html.count("<h2>") == 2 and "<ol>" in html and "<ul>" in html
    assert "Parents &amp; carers" in html


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("policy.docx", b"this is not a zip file at all", "not a Word document"),
        ("policy.docx", build_docx(SAMPLE_BLOCKS)[:300], "not a Word document"),
        ("policy.doc", b"\xd0\xcf\x11\xe0 old word", "older Word file"),
        ("policy.pdf", b"%PDF-1.4", "Choose a Word document"),
        ("policy.txt", b"", "empty"),
        ("policy.txt", b"\x00\x01\x02binary", "does not look like a plain text file"),
    ],
)
def test_broken_or_wrong_files_get_a_clear_error(name, data, message):
    with pytest.raises(ImportFailed, match=message):
        markdown_from_upload(name, data)


def test_zip_that_is_not_a_word_document_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportFailed, match="not a Word document"):
        markdown_from_upload("policy.docx", buffer.getvalue())


def test_plain_text_import_keeps_the_text():
    markdown, notes = markdown_from_upload("policy.txt", "Heading\r\n\r\nCafé rules apply.\r\n".encode())
    assert markdown == "Heading\n\nCafé rules apply.\n"


def test_a_word_document_that_inflates_far_beyond_a_policy_is_refused_quickly():
    """216 KB on disk, 45 MB of text inside: refused from the zip's declared sizes, unconverted."""
    import time

    bomb = build_docx([("p", "x" * 45_000_000)])
    assert len(bomb) < 300_000
    started = time.monotonic()
    with pytest.raises(ImportFailed, match="far more text than a policy can"):
        markdown_from_upload("policy.docx", bomb)
    assert time.monotonic() - started < 2


def test_the_imported_text_is_bounded_even_when_the_markup_is_small():
    from policies import importing

    long_text = build_docx([("p", "A sentence about phones. " * 20)] * 1000)  # ~500,000 characters
    with pytest.raises(ImportFailed, match="far more text than a policy can"):
        markdown_from_upload("policy.docx", long_text)
    with pytest.raises(ImportFailed, match="far more text than a policy can"):
        markdown_from_upload("policy.txt", ("A sentence about phones. " * 20_000).encode())
    # A long real policy still fits.
    markdown, _ = markdown_from_upload("policy.docx", build_docx([("p", "A sentence about phones. " * 20)] * 300))
    assert len(markdown) < importing.MAX_TEXT_CHARS


def test_the_conversion_is_stopped_at_its_time_limit(monkeypatch):
    from policies import importing

    monkeypatch.setattr(importing, "CONVERSION_SECONDS", 0.05)
    with pytest.raises(ImportFailed, match="took too long to read"):
        markdown_from_upload("policy.docx", build_docx(SAMPLE_BLOCKS))
