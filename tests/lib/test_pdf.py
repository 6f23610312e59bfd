import io

from pypdf import PdfReader

from schoolsocial.lib import pdf


def test_static_files_are_served_and_everything_else_is_refused():
    assert pdf.static_path_for("file:///static/css/policies-pdf.css") is not None
    for url in (
        "http://example.org/x.css",
        "https://example.org/x.png",
        "file:///etc/passwd",
        "file:///static/../../etc/passwd",
        "file://evil.example/static/css/app.css",
        "ftp://example.org/x",
    ):
        assert pdf.static_path_for(url) is None
    fetcher = pdf.StaticOnlyURLFetcher()
    for url in ("http://127.0.0.1:1/x.css", "file:///etc/passwd"):
        try:
            fetcher.fetch(url)
        except pdf.RefusedURL:
            continue
        raise AssertionError(f"{url} was fetched")


def test_render_pdf_returns_a_pdf_with_the_text(tmp_path, settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]},
    ]
    (tmp_path / "sample.html").write_text(
        '{% load static %}<link rel="stylesheet" href="{% static \'css/policies-pdf.css\' %}">'
        '<img src="https://tracker.example/pixel.png"><h1>{{ title }}</h1>'
    )
    content = pdf.render_pdf("sample.html", {"title": "Hello <governors>"})
    assert content.startswith(b"%PDF")
    assert "Hello <governors>" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
