"""Gathering everything about a person for a subject access request, and `manage.py sar_export`."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dataprotection.gather import counts, gather
from tests.dataprotection.test_destruction import FIRST, LAST, POST_WORDS, closed_case  # noqa: F401


def test_everything_about_the_pupil_across_every_app(cast, closed_case):  # noqa: F811
    incident, child, evidence_bytes = closed_case
    items = gather(cast.school, pupil=child)
    found = counts(items)
    for kind in (
        "Pupil record",
        "Family link",
        "Incident",
        "Evidence",
        "Letter",
        "Referral bundle",
        "Complaint",
        "Complaint attachment",
        "Governors' panel decision",
        "Access log",
    ):
        assert found.get(kind), kind
    assert found["Agreement signature"] == 2
    case = next(item for item in items if item.kind == "Incident")
    assert POST_WORDS in case.text["What the post says"]
    # Other people's data is listed for the DPO to redact.
    assert "Sam Other" in case.other_people and f"{FIRST} {LAST}" not in case.other_people
    # Who opened her records is part of what she may see.
    assert any(item.kind == "Access log" and "Carol Office" in item.title for item in items)


def test_another_school_and_another_child_are_left_out(cast, closed_case, file_report):  # noqa: F811
    incident, child, _ = closed_case
    theirs = file_report(reporter=cast.other_school_parent, school=cast.other_school, targeted=f"{FIRST} {LAST}")
    other = file_report(targeted="Alex Other")
    keys = {item.key for item in gather(cast.school, pupil=child)}
    assert f"incidents.incident:{incident.pk}" in keys
    assert f"incidents.incident:{theirs.pk}" not in keys and f"incidents.incident:{other.pk}" not in keys


def test_the_number_of_queries_does_not_grow_with_the_school(cast, closed_case, file_report):  # noqa: F811
    _, child, _ = closed_case
    with CaptureQueriesContext(connection) as small:
        gather(cast.school, pupil=child)
    for n in range(15):
        file_report(targeted=f"Someone else {n}", files=1)
    with CaptureQueriesContext(connection) as large:
        gather(cast.school, pupil=child)
    assert len(large) == len(small)


def test_sar_export_writes_the_unreviewed_zip_and_prints_counts(cast, closed_case, tmp_path):  # noqa: F811
    _, child, evidence_bytes = closed_case
    child.upn = "A123456789012"
    child.save(update_fields=["upn"])
    out = tmp_path / "request.zip"
    printed = io.StringIO()
    call_command("sar_export", "--school", "nbp", "--pupil", "a123456789012", "--out", str(out), stdout=printed)
    text = printed.getvalue()
    assert "Incident: 1" in text and "Agreement signature: 2" in text and "nothing redacted" in text
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["reviewed"] is False
        files = [f for item in manifest["items"] for f in item["files"] if not f.get("missing")]
        assert files
        for entry in files:
            assert hashlib.sha256(archive.read(entry["name"])).hexdigest() == entry["sha256"]
        assert any(archive.read(f["name"]) == evidence_bytes for f in files)


def test_sar_export_by_email_and_its_refusals(cast, closed_case, tmp_path):  # noqa: F811
    out = tmp_path / "parent.zip"
    printed = io.StringIO()
    call_command("sar_export", "--school", "NBP", "--email", "JO.PARENT@example.org", "--out", str(out), stdout=printed)
    assert "Complaint: 1" in printed.getvalue() and "Email:" in printed.getvalue()
    with pytest.raises(CommandError, match="No school"):
        call_command("sar_export", "--school", "ZZZ", "--pupil", "1", "--out", str(out))
    with pytest.raises(CommandError, match="has no pupil"):
        call_command("sar_export", "--school", "HVP", "--pupil", str(closed_case[1].pk), "--out", str(out))
    with pytest.raises(CommandError, match="Nobody"):
        call_command("sar_export", "--school", "HVP", "--email", "jo.parent@example.org", "--out", str(out))
