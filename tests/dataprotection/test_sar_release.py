"""The release: a ZIP built in a Celery task with a PDF summary, the released files and a manifest
of SHA-256s; no redacted name and no withheld file in it; downloaded through a permission check
that logs the download; the requester told, content-free, that it is ready."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AccessLog
from dataprotection import sar_actions as actions
from dataprotection.models import SarItem, SarRelease
from dataprotection.sar_models import ReleaseState
from dataprotection.tasks import build_sar_release
from notifications.models import Notification
from tests.dataprotection.test_destruction import FIRST, LAST, POST_WORDS, closed_case  # noqa: F401

THIRD_PARTY = "Sam Other"


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def everything_in(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """Each member's bytes, with the text of a PDF added (its streams are compressed)."""
    found = {}
    for name in archive.namelist():
        data = archive.read(name)
        if data.startswith(b"%PDF"):
            data += pdf_text(data).encode()
        found[name] = data
    return found


@pytest.fixture
def reviewed(cast, dpo, closed_case, django_capture_on_commit_callbacks):  # noqa: F811
    """Zephyrine's request, reviewed: the incident redacted (Sam Other's name), the screenshot
    withheld, every other item naming Sam Other redacted with its files left out, the rest
    released; then released, with the build run as on commit."""
    incident, child, evidence_bytes = closed_case
    sar = actions.register_request(
        school=cast.school,
        by=dpo,
        requester_name="Jo Parent",
        requester_email="jo.parent@example.org",
        relationship="parent",
        received_on=date.today(),
        pupil=child,
        identity_note="Passport seen",
    )
    actions.gather_items(sar=sar, by=dpo)
    for item in SarItem.objects.filter(request=sar).order_by("position"):
        if item.kind == "Evidence":
            actions.decide_item(item=item, by=dpo, decision="withhold", withhold_reason="Shows other pupils' posts")
        elif item.kind == "Incident":
            actions.decide_item(
                item=item, by=dpo, decision="redact", redact_names=[THIRD_PARTY], redact_fields=["Account"]
            )
        elif THIRD_PARTY in item.other_people or item.files:
            names = [THIRD_PARTY] if THIRD_PARTY in item.other_people else []
            actions.decide_item(
                item=item,
                by=dpo,
                decision="redact" if names else "withhold",
                redact_names=names,
                file_choice="withhold" if item.files else "",
                withhold_reason="" if names else "Holds the whole case file",
            )
        else:
            actions.decide_item(item=item, by=dpo, decision="release")
    with django_capture_on_commit_callbacks(execute=True):
        made = actions.release(sar=sar, by=dpo)
    made.refresh_from_db()
    return sar, made, evidence_bytes


def download(client, sar) -> zipfile.ZipFile:
    response = client.get(reverse("dataprotection:sar_download", args=[sar.pk]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    assert "private" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_release_is_built_once_in_the_task(cast, reviewed):
    sar, made, _ = reviewed
    assert made.state == ReleaseState.READY and made.sha256 and made.summary_sha256
    with made.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == made.sha256
    first = made.file.name
    assert build_sar_release(made.pk) == "skipped"
    assert SarRelease.objects.get(pk=made.pk).file.name == first


def test_the_zip_holds_no_redacted_name_and_no_withheld_file(cast, dpo, reviewed, client_for):
    sar, made, evidence_bytes = reviewed
    with download(client_for(dpo), sar) as archive:
        members = everything_in(archive)
        manifest = json.loads(archive.read("manifest.json"))
    for name, data in members.items():
        text = data.decode("utf-8", errors="replace")
        assert THIRD_PARTY not in text, name
        assert not re.search(r"(?<!\w)Sam(?!\w)", text), name
        assert evidence_bytes not in data, name
    assert not any(name.endswith(".png") for name in members)  # the screenshot and the complaint's photo
    # What was released is there, with the redaction marks.
    summary = next(data for name, data in members.items() if name.endswith("-summary.pdf"))
    assert POST_WORDS in manifest_text(manifest)
    assert "[redacted]" in manifest_text(manifest)
    case = next(item for item in manifest["items"] if item["kind"] == "Incident")
    assert case["text"]["Account"] == "[redacted]" and case["redacted"] is True
    assert {"kind": "Evidence", "reason": "Shows other pupils' posts"} in manifest["withheld"]
    summary_text = pdf_text(summary)
    assert f"{FIRST} {LAST}" in summary_text and "Shows other pupils" in summary_text and "[redacted]" in summary_text


def manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, ensure_ascii=False)


def test_every_file_is_in_the_manifest_with_its_sha256(cast, dpo, reviewed, client_for):
    sar, _, _ = reviewed
    with download(client_for(dpo), sar) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        sums = archive.read("SHA256SUMS").decode()
        listed = {entry["name"]: entry["sha256"] for entry in manifest["files"]}
        assert set(listed) == set(archive.namelist()) - {"manifest.json", "SHA256SUMS"}
        for name, digest in listed.items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
            assert f"{digest}  {name}" in sums
    assert manifest["reviewed"] is True and manifest["request"] == sar.reference


def test_a_file_released_deliberately_is_in_the_zip(
    cast,
    dpo,
    closed_case,  # noqa: F811
    django_capture_on_commit_callbacks,
    client_for,
):
    _, child, evidence_bytes = closed_case
    sar = actions.register_request(
        school=cast.school,
        by=dpo,
        requester_name="Jo Parent",
        requester_email="",
        relationship="parent",
        received_on=date.today(),
        pupil=child,
        identity_note="Known to the office",
    )
    actions.gather_items(sar=sar, by=dpo)
    for item in SarItem.objects.filter(request=sar):
        if item.kind == "Evidence":
            actions.decide_item(
                item=item, by=dpo, decision="redact", redact_fields=["Description"], file_choice="release"
            )
        else:
            actions.decide_item(item=item, by=dpo, decision="withhold", withhold_reason="Not about her")
    with django_capture_on_commit_callbacks(execute=True):
        actions.release(sar=sar, by=dpo)
    with download(client_for(dpo), sar) as archive:
        assert any(evidence_bytes == archive.read(name) for name in archive.namelist())
        assert not any("zephyrine" in name.lower() for name in archive.namelist())  # named from the item


def test_the_download_is_logged_and_refused_to_everyone_else(cast, dpo, other_dpo, reviewed, client_for):
    sar, made, _ = reviewed
    url = reverse("dataprotection:sar_download", args=[sar.pk])
    for user in (other_dpo, cast.other_headteacher, cast.office, cast.staff, cast.governor, cast.parent):
        assert client_for(user).get(url).status_code == 404
    assert not AccessLog.objects.filter(action="download").exists()
    download(client_for(cast.headteacher), sar)
    entry = AccessLog.objects.get(action="download")
    assert entry.user == cast.headteacher and entry.object_type == "dataprotection.sarrelease"
    assert entry.object_id == str(made.pk) and entry.school == cast.school


def test_no_download_before_it_is_built(cast, dpo, reviewed, client_for):
    sar, made, _ = reviewed
    SarRelease.objects.filter(pk=made.pk).update(state=ReleaseState.BUILDING, sha256="")
    assert client_for(dpo).get(reverse("dataprotection:sar_download", args=[sar.pk])).status_code == 404
    status = client_for(dpo).get(reverse("dataprotection:sar_release_status", args=[sar.pk])).json()
    assert status == {"state": "rendering", "ready": False, "url": "", "error": ""}


def test_the_requester_is_told_once_and_the_email_holds_nothing_of_it(cast, dpo, reviewed, client_for):
    sar, made, _ = reviewed
    client = client_for(dpo)
    page = client.get(sar.get_absolute_url()).content.decode()
    assert "The answer is ready." in page and "Download the ZIP" in page
    url = reverse("dataprotection:sar_tell", args=[sar.pk])
    assert client.post(url).status_code == 302
    client.post(url)
    email = Notification.objects.get(template="sar-ready")
    assert email.to == ["jo.parent@example.org"] and email.attachments == []
    for needle in (POST_WORDS, FIRST, LAST, THIRD_PARTY):
        assert needle not in email.subject + email.body_text + email.body_html
    assert SarRelease.objects.get(pk=made.pk).requester_told_at is not None


def test_destroying_the_case_and_the_pupil_takes_the_requests_copies_too(
    cast, reviewed, client_for, tmp_path, django_capture_on_commit_callbacks
):
    """A request's review copies and its release hold the case's words and the child's name: when
    the retention schedule destroys the case and the pupil, they go too; the register entry stays."""
    from dataprotection import actions as retention
    from dataprotection.models import ReviewItem
    from tests.dataprotection.test_destruction import NEEDLES, file_texts, tables_containing

    sar, made, evidence_bytes = reviewed
    # Before: the request's own tables hold the child's name (its copies, its register entry).
    assert made.file and any("sar" in table or "subjectaccess" in table for table in tables_containing(FIRST))
    retention.sweep_school(cast.school)
    head = client_for(cast.headteacher)
    for item in ReviewItem.objects.filter(school=cast.school, record_type__in=["incident", "pupil"]):
        with django_capture_on_commit_callbacks(execute=True):
            response = head.post(
                reverse("dataprotection:review_decide", args=[item.pk]), {"decision": "destroy", "confirm": "on"}
            )
        assert response.status_code == 302

    for needle in NEEDLES:
        assert tables_containing(needle) == [], needle
    for name, data in file_texts(tmp_path).items():
        assert evidence_bytes not in data, name
        for needle in NEEDLES:
            assert needle.encode() not in data, (name, needle)
    sar.refresh_from_db()
    assert sar.subject_name.startswith("A pupil whose record was destroyed")
    release = SarRelease.objects.get(pk=made.pk)
    assert not release.file and "destroyed under the retention schedule" in release.error
