"""Upload checks: the file's content decides, never its name."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from schoolsocial.lib.uploads import inspect_upload
from tests.incidents.conftest import bomb_png, image_bytes, pdf_bytes, upload


@pytest.mark.parametrize("fmt,content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_pictures_are_accepted_with_their_size(fmt, content_type):
    facts = inspect_upload(upload("anything.bin", image_bytes(fmt, (64, 48))))
    assert facts.content_type == content_type
    assert (facts.width, facts.height) == (64, 48)
    assert len(facts.sha256) == 64


def test_pdf_is_accepted_with_its_page_count():
    facts = inspect_upload(upload("post.pdf", pdf_bytes(), "application/pdf"))
    assert facts.content_type == "application/pdf" and facts.pages == 1


def refused(item) -> str:
    with pytest.raises(ValidationError) as caught:
        inspect_upload(item)
    return " ".join(caught.value.messages)


def test_renamed_executable_is_refused():
    message = refused(upload("screenshot.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200))
    assert "not a picture or PDF" in message and "screenshot.png" in message


def test_html_named_png_is_refused():
    assert "not a picture or PDF" in refused(upload("post.png", b"<html><script>alert(1)</script></html>"))


def test_oversized_file_is_refused(settings):
    settings.MAX_UPLOAD_BYTES = 1000
    message = refused(upload("big.png", image_bytes(size=(400, 400), color=(1, 2, 3)) + b"\x00" * 2000))
    assert "larger than" in message


def test_truncated_picture_is_refused():
    whole = image_bytes("PNG", (300, 300))
    assert "could not be read" in refused(upload("cut.png", whole[: len(whole) // 2]))


def test_truncated_jpeg_is_refused():
    buffer = io.BytesIO()
    from PIL import Image

    Image.effect_noise((400, 400), 50).convert("RGB").save(buffer, "JPEG")
    assert "could not be read" in refused(upload("cut.jpg", buffer.getvalue()[:3000]))


def test_decompression_bomb_is_refused_before_decoding():
    assert "far larger in pixels" in refused(upload("bomb.png", bomb_png()))


def test_picture_just_over_our_pixel_bound_is_refused():
    assert "far larger in pixels" in refused(upload("tall.png", bomb_png(2_000, 20_001)))


def test_damaged_pdf_is_refused():
    assert "could not be read" in refused(upload("x.pdf", b"%PDF-1.7\n garbage that is not a PDF", "application/pdf"))


def test_empty_file_is_refused():
    assert "empty" in refused(SimpleUploadedFile("nothing.png", b"", content_type="image/png"))


def test_a_png_label_on_a_jpeg_is_fine_because_content_decides():
    assert inspect_upload(upload("photo.png", image_bytes("JPEG"))).content_type == "image/jpeg"


def pdf_with_script(where: str = "open") -> bytes:
    """A real one-page PDF that runs JavaScript when opened (or from a link on its page)."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hi')")}
    )
    if where == "open":
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    else:
        link = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject(
                    [NumberObject(0), NumberObject(0), NumberObject(50), NumberObject(50)]
                ),
                NameObject("/A"): writer._add_object(action),
            }
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("where", ["open", "link"])
def test_a_pdf_with_javascript_is_kept_and_recorded_as_holding_scripts(where):
    facts = inspect_upload(upload("post.pdf", pdf_with_script(where), "application/pdf"))
    assert facts.content_type == "application/pdf" and facts.pages == 1
    assert facts.has_scripts is True
    assert inspect_upload(upload("plain.pdf", pdf_bytes(), "application/pdf")).has_scripts is False
