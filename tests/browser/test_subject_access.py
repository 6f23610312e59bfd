"""The DPO registers a subject access request about a pupil, reviews what the portal gathered,
redacts the other parent's name from the incident, withholds the screenshot, releases the answer
and downloads the ZIP: no redacted name and no withheld file in it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dataprotection.models import SarItem, SubjectAccessRequest
from tests.dataprotection.conftest import dpo  # noqa: F401
from tests.incidents.conftest import facebook, file_report  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

ARTIFACTS = Path(settings.BASE_DIR, "test-artifacts")


def test_dpo_registers_reviews_redacts_and_downloads(
    cast,
    dpo,  # noqa: F811
    file_report,  # noqa: F811
    page,
    sign_in_page,
    assert_axe_clean,
):
    incident = file_report(
        reporter=cast.other_parent,
        targeted="Mia Parent",
        content="Mia Parent was left out of the class party again, says Sam Other",
        files=1,
    )
    sign_in_page(page, dpo)
    page.goto(reverse("dashboard:home"))
    page.get_by_role("link", name="Request register").click()
    page.get_by_role("heading", name="Subject access requests").wait_for()
    page.get_by_role("link", name="Register a request").click()

    page.get_by_label("Name of the person asking").fill("Jo Parent")
    page.get_by_label("Their email address").fill("jo.parent@example.org")
    page.get_by_label("Who they are to the person").select_option("parent")
    page.get_by_label("A pupil of the school").check()
    page.get_by_label("Pupil", exact=True).select_option(label="Mia Parent")
    page.get_by_label("Date received").fill(timezone.localdate().isoformat())
    page.get_by_label("Identity checked (how)").fill("Passport seen at the office")
    assert_axe_clean(page, "sar-register-form")
    page.get_by_role("button", name="Register the request").click()

    sar = SubjectAccessRequest.objects.get()
    page.get_by_text(f"{sar.reference} is registered.").wait_for()
    assert_axe_clean(page, "sar-detail-registered")
    page.get_by_role("button", name="Gather the items").click()
    page.get_by_role("heading", name="Items to review").wait_for()
    assert_axe_clean(page, "sar-items")

    case = SarItem.objects.get(request=sar, kind="Incident")
    page.get_by_role("link", name=case.title).click()
    page.get_by_text("was left out of the class party").wait_for()
    page.get_by_label("Release it with redactions").check()
    page.get_by_label("Sam Other").check()
    assert_axe_clean(page, "sar-item-redact")
    page.get_by_role("button", name="Save and go to the next item").click()

    # Every other item in turn: the screenshot withheld, the rest released.
    for _ in range(20):
        heading = page.get_by_role("heading", level=1)
        heading.wait_for()
        if not heading.inner_text().startswith(("Evidence", "Pupil", "Family", "Access", "Incident")):
            break
        if heading.inner_text().startswith("Evidence"):
            page.get_by_label("Withhold it").check()
            page.get_by_label("Why it is withheld").fill("It shows other children's posts")
        else:
            page.get_by_label("Release it as it is").check()
        page.get_by_role("button", name="Save and go to the next item").click()
        page.wait_for_load_state("load")
        if page.get_by_role("heading", name="Items to review").count():
            break
    page.get_by_role("heading", name="Items to review").wait_for()
    assert not SarItem.objects.filter(request=sar, decision="pending").exists()

    page.get_by_role("button", name="Release the answer").click()
    page.get_by_text("The answer is ready.").wait_for()
    assert_axe_clean(page, "sar-released")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the ZIP").click()
    with open(download_info.value.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    names = archive.namelist()
    manifest = json.loads(archive.read("manifest.json"))
    summary_name = next(name for name in names if name.endswith("-summary.pdf"))
    summary = archive.read(summary_name)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "sar-summary.pdf").write_bytes(summary)

    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(summary)).pages)
    everything = json.dumps(manifest, ensure_ascii=False) + text
    assert "Sam Other" not in everything and "[redacted]" in everything
    assert "was left out of the class party" in everything
    assert not any(name.endswith(".png") for name in names)  # the screenshot is withheld
    evidence = incident.evidence.get()
    with evidence.file.open("rb") as handle:
        shot = handle.read()
    assert all(shot != archive.read(name) for name in names)
    assert {"kind": "Evidence", "reason": "It shows other children's posts"} in manifest["withheld"]
