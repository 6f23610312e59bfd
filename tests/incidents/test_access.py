"""Role and school boundaries: anything outside them answers 404."""

import pytest
from django.urls import reverse

from accounts.models import AccessLog
from incidents import actions

from .conftest import upload


@pytest.fixture
def staff_report(cast, file_report):
    return file_report(reporter=cast.staff, role="staff", files=1)


@pytest.fixture
def other_school_report(cast, file_report):
    return file_report(reporter=cast.other_school_parent, school=cast.other_school, files=1)


def case_urls(incident) -> list[str]:
    return [
        reverse("incidents:detail", args=[incident.pk]),
        reverse("incidents:timeline", args=[incident.pk]),
        reverse("incidents:triage", args=[incident.pk]),
    ]


@pytest.mark.parametrize("who", ["headteacher", "dsl"])
def test_case_handlers_open_their_schools_incidents_and_the_view_is_logged(cast, client_for, staff_report, who):
    client = client_for(getattr(cast, who))
    for url in case_urls(staff_report):
        assert client.get(url).status_code == 200
    log = AccessLog.objects.filter(object_type="incidents.incident", object_id=str(staff_report.pk))
    # Each page that shows the post is logged on its own: the case page, the timeline and triage.
    assert set(log.filter(user=getattr(cast, who)).values_list("action", flat=True)) == {
        "view",
        "view-timeline",
        "view-triage",
    }


def test_the_reporters_own_pages_are_logged_too(cast, client_for, staff_report):
    client = client_for(cast.staff)
    for name in ("report_done", "report_status"):
        before = AccessLog.objects.filter(user=cast.staff, object_id=str(staff_report.pk)).count()
        assert client.get(reverse(f"incidents:{name}", args=[staff_report.pk])).status_code == 200
        assert AccessLog.objects.filter(user=cast.staff, object_id=str(staff_report.pk)).count() == before + 1


@pytest.mark.parametrize("who", ["headteacher", "dsl"])
def test_another_schools_incident_evidence_and_timeline_are_404(cast, client_for, other_school_report, who):
    client = client_for(getattr(cast, who))
    for url in case_urls(other_school_report):
        assert client.get(url).status_code == 404
    evidence = other_school_report.evidence.get()
    assert client.get(evidence.get_absolute_url()).status_code == 404
    assert client.get(reverse("incidents:report_status", args=[other_school_report.pk])).status_code == 404


def test_other_schools_head_cannot_post_to_steps_either(cast, client_for, other_school_report):
    client = client_for(cast.headteacher)
    for name in ("step_add", "status_change", "note_add", "step_skip", "evidence_add"):
        assert client.post(reverse(f"incidents:{name}", args=[other_school_report.pk]), {}).status_code == 404


@pytest.mark.parametrize("who", ["staff", "parent", "governor", "office"])
def test_only_case_handlers_see_the_case_pages(cast, client_for, staff_report, who):
    client = client_for(getattr(cast, who))
    assert client.get(reverse("incidents:list")).status_code == 404
    for url in case_urls(staff_report):
        assert client.get(url).status_code == 404


def test_a_parent_cannot_open_a_staff_report_or_its_evidence(cast, client_for, staff_report):
    client = client_for(cast.parent)
    assert client.get(reverse("incidents:report_status", args=[staff_report.pk])).status_code == 404
    assert client.get(staff_report.evidence.get().get_absolute_url()).status_code == 404


def test_a_parent_cannot_open_another_parents_report(cast, client_for, file_report):
    theirs = file_report(reporter=cast.other_parent, files=1)
    client = client_for(cast.parent)
    assert client.get(reverse("incidents:report_status", args=[theirs.pk])).status_code == 404
    assert client.get(theirs.evidence.get().get_absolute_url()).status_code == 404
    assert (
        client.post(reverse("incidents:report_add_evidence", args=[theirs.pk]), {"files": [upload()]}).status_code
        == 404
    )


def test_a_governor_never_gets_evidence(cast, client_for, file_report):
    incident = file_report(reporter=cast.governor, role="governor", files=1)
    client = client_for(cast.governor)
    assert client.get(incident.evidence.get().get_absolute_url()).status_code == 404
    assert client.get(reverse("incidents:report_status", args=[incident.pk])).status_code == 404


def test_reporter_sees_only_their_own_uploads_not_the_schools(cast, client_for, file_report):
    incident = file_report(files=1)
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="low",
        natures=["complaint"],
        poster_kind="parent",
        owner=cast.headteacher,
    )
    item = upload("school-copy.png")
    from schoolsocial.lib.uploads import inspect_upload

    school_file = actions.add_evidence(incident=incident, by=cast.headteacher, uploads=[(item, inspect_upload(item))])[
        0
    ]
    client = client_for(cast.parent)
    page = client.get(reverse("incidents:report_status", args=[incident.pk])).content.decode()
    assert "shot-0.png" in page and "school-copy.png" not in page
    assert client.get(school_file.get_absolute_url()).status_code == 404


def test_evidence_download_is_an_attachment_with_nosniff_and_logged(cast, client_for, file_report):
    evidence = file_report(files=1).evidence.get()
    response = client_for(cast.dsl).get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="evidence-{evidence.incident.reference}-1.png"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    import hashlib

    assert hashlib.sha256(body).hexdigest() == evidence.sha256
    assert AccessLog.objects.filter(user=cast.dsl, action="download", object_type="incidents.evidence").count() == 1


def test_media_files_are_not_served_by_any_url(cast, client_for, file_report):
    evidence = file_report(files=1).evidence.get()
    client = client_for(cast.headteacher)
    assert client.get("/" + evidence.file.name).status_code == 404
    assert client.get("/media/" + evidence.file.name).status_code == 404


def test_platform_directory_is_edited_by_the_headteacher_only(cast, client_for, facebook):
    # Fuller cases (shared row untouched, school settings, other schools) are in test_platforms.py.
    url = reverse("incidents:platform_edit", args=[facebook.pk])
    assert client_for(cast.dsl).get(url).status_code == 404
    assert client_for(cast.parent).get(reverse("incidents:platform_list")).status_code == 404
    assert client_for(cast.headteacher).get(url).status_code == 200


def test_a_download_is_named_from_what_the_file_is_never_from_the_uploaders_name(cast, client_for, file_report):
    """A real PNG uploaded as `evidence.html` (a script in a metadata chunk) must not be saved by
    the browser as a web page that runs when opened from the disk."""
    incident = file_report(files=1)
    hostile = upload("evidence.html", content_type="text/html")
    from schoolsocial.lib.uploads import inspect_upload

    second = actions.add_evidence(incident=incident, by=cast.headteacher, uploads=[(hostile, inspect_upload(hostile))])[
        0
    ]
    assert second.original_name == "evidence.html"  # kept as a fact about the upload
    response = client_for(cast.dsl).get(second.get_absolute_url())
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="evidence-{incident.reference}-2.png"'
    assert "html" not in disposition
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_referral_bundle_names_evidence_from_its_type(cast, file_report):
    import io
    import zipfile

    from incidents.letters.bundles import build_zip

    incident = file_report(files=1)
    hostile = upload("evidence.html", content_type="text/html")
    from schoolsocial.lib.uploads import inspect_upload

    actions.add_evidence(incident=incident, by=cast.headteacher, uploads=[(hostile, inspect_upload(hostile))])
    data, _ = build_zip(incident)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    reference = incident.reference
    assert f"evidence/evidence-{reference}-1.png" in names
    assert f"evidence/evidence-{reference}-2.png" in names
    assert not [name for name in names if "html" in name]


def test_evidence_with_scripts_is_marked_and_only_ever_downloaded(cast, client_for, file_report):
    from schoolsocial.lib.uploads import inspect_upload
    from tests.lib.test_uploads import pdf_with_script

    incident = file_report()
    item = upload("post.pdf", pdf_with_script(), "application/pdf")
    [evidence] = actions.add_evidence(incident=incident, by=cast.headteacher, uploads=[(item, inspect_upload(item))])
    evidence.refresh_from_db()
    assert evidence.has_scripts is True
    client = client_for(cast.headteacher)
    assert "PDF with scripts (download only)" in client.get(incident.get_absolute_url()).content.decode()
    response = client.get(evidence.get_absolute_url())
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
