"""The office records paper forms (scans checked by content, served only to the school); anyone
allowed to see a signature can check that it is intact."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, ParentLink
from agreements.models import Signature, SignatureMethod

from .conftest import pdf_upload, png_upload, sign

pytestmark = pytest.mark.django_db


def paper_url(cast):
    return reverse("agreements:paper_signature", args=[ParentLink.objects.get(pupil=cast.child).pk])


def post_paper(client, cast, scan, **data):
    payload = {"signer_name": "J. Parent", "signed_on": timezone.localdate().isoformat(), "scan": scan}
    payload.update(data)
    return client.post(paper_url(cast), payload)


@pytest.mark.parametrize("make_scan", [png_upload, pdf_upload])
def test_office_records_a_paper_signature(cast, client_for, version, make_scan):
    response = post_paper(client_for(cast.office), cast, make_scan())
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.method == SignatureMethod.PAPER
    assert signature.recorded_by == cast.office and signature.parent == cast.parent
    assert signature.typed_name == "J. Parent" and signature.paper_signed_on == timezone.localdate()
    assert len(signature.scan_sha256) == 64 and signature.is_intact
    assert not signature.scan.name.endswith((".png.", "form.png", "form.pdf"))  # random stored name


def test_the_scan_is_served_only_to_the_school_with_safe_headers(cast, client_for, version):
    post_paper(client_for(cast.office), cast, png_upload())
    signature = Signature.objects.get()
    url = reverse("agreements:signature_scan", args=[signature.pk])
    response = client_for(cast.headteacher).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert AccessLog.objects.filter(action="download-scan", object_id=str(signature.pk)).exists()
    for user in (cast.parent, cast.other_office, cast.staff, cast.dsl):
        assert client_for(user).get(url).status_code == 404, user


@pytest.mark.parametrize(
    ("scan", "message"),
    [
        (SimpleUploadedFile("form.png", b"<html><script>alert(1)</script>", "image/png"), "PDF, PNG, JPEG or WebP"),
        (SimpleUploadedFile("form.pdf", b"%PDF-1.4 this is not really a pdf", "application/pdf"), "could not be read"),
        (SimpleUploadedFile("form.gif", b"GIF89a" + b"\x00" * 40, "image/gif"), "PDF, PNG, JPEG or WebP"),
        (SimpleUploadedFile("form.png", b"", "image/png"), "empty"),
    ],
)
def test_bad_scans_are_refused_and_nothing_is_written(cast, client_for, version, scan, message):
    response = post_paper(client_for(cast.office), cast, scan)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Signature.objects.exists()


def test_oversized_scans_are_refused(cast, client_for, version, settings):
    settings.MAX_UPLOAD_BYTES = 100
    response = post_paper(client_for(cast.office), cast, png_upload(size=(300, 300)))
    assert "limit" in response.content.decode()
    assert not Signature.objects.exists()


def test_images_beyond_the_pixel_bound_are_refused(cast, client_for, version, monkeypatch):
    monkeypatch.setattr("schoolsocial.lib.uploads.MAX_PIXELS", 100)
    response = post_paper(client_for(cast.office), cast, png_upload(size=(20, 20)))
    assert "far larger in pixels" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_future_date_is_refused(cast, client_for, version):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = post_paper(client_for(cast.office), cast, png_upload(), signed_on=tomorrow)
    assert "cannot be in the future" in response.content.decode()
    assert not Signature.objects.exists()


def test_paper_form_for_a_family_already_signed_is_refused(cast, client_for, version):
    sign(cast, version)
    response = post_paper(client_for(cast.office), cast, png_upload())
    assert "already signed" in response.content.decode()
    assert Signature.objects.count() == 1


def test_other_schools_and_other_roles_cannot_record_paper_forms(cast, client_for, version):
    for user in (cast.other_office, cast.parent, cast.staff, cast.governor):
        assert client_for(user).get(paper_url(cast)).status_code == 404, user


def test_verify_shows_intact_then_altered_after_the_text_is_edited(cast, client_for, version):
    signature = sign(cast, version)
    url = reverse("agreements:verify", args=[signature.pk])
    client = client_for(cast.headteacher)
    page = client.get(url).content.decode()
    assert "Intact." in page and "Altered." not in page
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Signature._meta.db_table} SET text_signed = %s WHERE id = %s", ["Softer words", signature.pk]
        )
    page = client.get(url).content.decode()
    assert "Altered." in page and "Intact." not in page
    assert AccessLog.objects.filter(action="verify", object_id=str(signature.pk)).count() == 2


def test_parent_can_verify_their_own_record_but_sees_no_network_details(cast, client_for, version):
    signature = sign(cast, version)
    page = client_for(cast.parent).get(reverse("agreements:verify", args=[signature.pk])).content.decode()
    assert "Intact." in page
    assert "203.0.113.9" not in page


def test_a_truncated_scan_is_refused_even_after_weasyprint_relaxed_pillow(cast, client_for, version):
    import weasyprint  # noqa: F401  - importing it sets Pillow's LOAD_TRUNCATED_IMAGES for the process

    whole = png_upload(size=(200, 200)).read()
    cut = SimpleUploadedFile("form.png", whole[: len(whole) // 2], content_type="image/png")
    response = post_paper(client_for(cast.office), cast, cut)
    assert "damaged" in response.content.decode()
    assert not Signature.objects.exists()


def test_the_scan_downloads_under_a_name_built_from_its_type(cast, client_for, version):
    post_paper(client_for(cast.office), cast, png_upload("form.html"))
    signature = Signature.objects.get()
    response = client_for(cast.headteacher).get(reverse("agreements:signature_scan", args=[signature.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="paper-form-{signature.pk}.png"'


def paper_form_token(client, cast) -> str:
    import re

    page = client.get(paper_url(cast)).content.decode()
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "the paper form carries its token"
    return found.group(1)


def test_a_mistake_in_another_field_keeps_the_chosen_scan(cast, client_for, version):
    client = client_for(cast.office)
    token = paper_form_token(client, cast)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = post_paper(client, cast, png_upload("signed-form.png"), signed_on=future, form_token=token)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The date on the form cannot be in the future." in page
    assert "signed-form.png" in page  # kept, with a way to remove it
    assert not Signature.objects.exists()

    # Putting the date right is enough: the scan is not chosen again.
    payload = {"signer_name": "J. Parent", "signed_on": timezone.localdate().isoformat(), "form_token": token}
    assert client.post(paper_url(cast), payload).status_code == 302
    signature = Signature.objects.get()
    assert signature.scan_content_type == "image/png" and signature.is_intact
    from files.models import StagedUpload

    assert not StagedUpload.objects.exists()  # the staged copy is gone once recorded


def test_without_any_scan_the_form_asks_for_one(cast, client_for, version):
    client = client_for(cast.office)
    payload = {"signer_name": "J. Parent", "signed_on": timezone.localdate().isoformat()}
    payload["form_token"] = paper_form_token(client, cast)
    response = client.post(paper_url(cast), payload)
    assert response.status_code == 400
    assert "Choose the scanned form to upload." in response.content.decode()
    assert not Signature.objects.exists()
