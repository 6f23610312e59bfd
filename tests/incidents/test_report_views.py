"""The report form, the confirmation and the reporter's own pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from files.models import StagedUpload
from incidents import actions
from incidents.models import EntryKind, Evidence, Incident

from .conftest import bomb_png, image_bytes, upload

REPORT = reverse("incidents:report")


def form_data(client, facebook, **overrides) -> dict:
    page = client.get(REPORT)
    found = re.search(r'name="form_token" value="([^"]+)"', page.content.decode())
    assert found, "the report form carries its one-time token"
    token = found.group(1)
    data = {
        "form_token": token,
        "platform": facebook.pk,
        "url_text": "https://www.facebook.com/groups/123/posts/456",
        "account_name": "Northbrook Mums & Dads",
        "posted_at": "",
        "seen_at": "2026-01-12T19:40",
        "content": "Someone said the head is lying about the school trip <b>money</b>.",
        "natures": ["complaint", "defamatory"],
        "targeted": "The headteacher",
        "poster_kind": "parent",
        "poster_certainty": "likely",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["parent", "staff"])
def test_parent_and_staff_file_a_report_with_two_screenshots(cast, client_for, facebook, who):
    client = client_for(getattr(cast, who))
    data = form_data(client, facebook, evidence=[upload("one.png"), upload("two.jpg", image_bytes("JPEG"))])
    response = client.post(REPORT, data)
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == reverse("incidents:report_done", args=[incident.pk])
    assert incident.reporter == getattr(cast, who) and incident.reporter_role == who
    assert incident.evidence.count() == 2
    done = client.get(response.url)
    assert incident.reference in done.content.decode()


def test_a_failed_submit_keeps_typed_answers_and_accepted_files(cast, client_for, facebook):
    client = client_for(cast.parent)
    data = form_data(client, facebook, content="", evidence=[upload("kept.png")])
    response = client.post(REPORT, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Copy the words of the post here" in page
    assert "Northbrook Mums &amp; Dads" in page  # typed answers stay
    assert "kept.png" in page  # the accepted file stays attached
    assert page.count("you do not need to choose the files again") == 1  # said once, in the alert
    assert StagedUpload.objects.count() == 1
    # Second try: no file chosen again, yet the report arrives with it.
    data.pop("evidence")
    data["content"] = "The words of the post."
    response = client.post(REPORT, data)
    assert response.status_code == 302
    assert [e.original_name for e in Incident.objects.get().evidence.all()] == ["kept.png"]
    assert not StagedUpload.objects.exists()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("setup.png", b"MZ\x90\x00" + b"\x00" * 100, "not a picture or PDF"),
        ("post.png", b"<!doctype html><html><script>alert(1)</script>", "not a picture or PDF"),
        ("cut.png", image_bytes(size=(300, 300))[:400], "could not be read"),
        ("huge.png", image_bytes() + b"\x00" * 20_000, "larger than the"),
        ("bomb.png", bomb_png(), "far larger in pixels"),
    ],
)
def test_a_bad_file_is_refused_beside_the_field_and_nothing_else_is_lost(
    cast, client_for, facebook, settings, name, content, message
):
    settings.MAX_UPLOAD_BYTES = 10_000  # stands in for 10 MB, so the test stays small
    client = client_for(cast.parent)
    data = form_data(client, facebook, evidence=[upload("good.png"), upload(name, content)])
    response = client.post(REPORT, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and name in page
    assert "good.png" in page and "Someone said the head is lying" in page
    # The message sits beside the file field, not only at the top of the page.
    assert re.search(r'id="id_evidence".*?' + re.escape(name), page, re.S)
    assert not Incident.objects.exists()
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["good.png"]


def test_an_oversized_file_is_refused(cast, client_for, facebook, settings):
    settings.MAX_UPLOAD_BYTES = 2000
    client = client_for(cast.parent)
    response = client.post(
        REPORT, form_data(client, facebook, evidence=[upload("huge.png", image_bytes() + b"\0" * 3000)])
    )
    assert response.status_code == 400 and "larger than" in response.content.decode()


def test_a_staged_file_can_be_removed_before_sending(cast, client_for, facebook):
    client = client_for(cast.parent)
    data = form_data(client, facebook, content="", evidence=[upload("wrong.png")])
    client.post(REPORT, data)
    staged = StagedUpload.objects.get()
    data.pop("evidence")
    response = client.post(REPORT, {**data, "remove_upload": staged.pk})
    assert response.status_code == 200 and "wrong.png" not in response.content.decode()
    assert "Northbrook Mums &amp; Dads" in response.content.decode()
    assert not StagedUpload.objects.exists()


def test_another_persons_staged_files_are_not_attached(cast, client_for, facebook):
    client = client_for(cast.other_parent)
    data = form_data(client, facebook, content="", evidence=[upload("theirs.png")])
    client.post(REPORT, data)
    client = client_for(cast.parent)
    data.pop("evidence")
    data["content"] = "Words."
    client.post(REPORT, data)
    assert Incident.objects.get().evidence.count() == 0


def test_a_link_or_a_chat_name_is_needed_and_links_must_be_full(cast, client_for, facebook):
    client = client_for(cast.parent)
    response = client.post(REPORT, form_data(client, facebook, url_text="", account_name=""))
    assert "Paste the link to the post" in response.content.decode()
    response = client.post(REPORT, form_data(client, facebook, url_text="facebook dot com/xyz"))
    assert "do not look like full links" in response.content.decode()


def test_governor_cannot_use_the_report_form(cast, client_for):
    assert client_for(cast.governor).get(REPORT).status_code == 404


def test_status_page_shows_progress_but_never_internal_notes(cast, client_for, file_report):
    incident = file_report(files=1)
    actions.add_note(incident=incident, by=cast.headteacher, text="SECRET: the poster is Mia's uncle.")
    actions.change_status(incident=incident, by=cast.headteacher, status="no_action", reason="SECRET reason")
    page = client_for(cast.parent).get(reverse("incidents:report_status", args=[incident.pk])).content.decode()
    assert "No action needed" in page and "shot-0.png" in page
    assert "SECRET" not in page
    assert "Note from" not in page


def test_my_reports_lists_only_my_own(cast, client_for, file_report):
    mine = file_report()
    theirs = file_report(reporter=cast.other_parent)
    page = client_for(cast.parent).get(reverse("incidents:my_reports")).content.decode()
    assert mine.reference in page and theirs.reference not in page


def test_reporter_can_add_more_evidence_later(cast, client_for, file_report):
    incident = file_report(files=1)
    client = client_for(cast.parent)
    url = reverse("incidents:report_add_evidence", args=[incident.pk])
    client.post(url, {"files": [upload("later.png"), upload("evil.png", b"<html>")]})
    names = list(Evidence.objects.filter(incident=incident).values_list("original_name", flat=True))
    assert names == ["shot-0.png", "later.png"]
    assert incident.timeline.filter(kind=EntryKind.EVIDENCE).count() == 2


def test_a_bad_description_on_later_evidence_is_explained(cast, client_for, file_report):
    incident = file_report(files=1)
    client = client_for(cast.parent)
    url = reverse("incidents:report_add_evidence", args=[incident.pk])
    response = client.post(url, {"files": [upload("later.png")], "description": "x" * 301}, follow=True)
    page = response.content.decode()
    assert "What do these show?" in page and "at most 300 characters" in page
    assert incident.evidence.count() == 1


def test_the_status_page_costs_the_same_however_much_has_happened(cast, client_for, file_report):
    client = client_for(cast.parent)
    counts = []
    for files in (1, 12):
        incident = file_report(files=files)
        for index in range(files):
            actions.add_note(incident=incident, by=cast.headteacher, text=f"Note {index}")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("incidents:report_status", args=[incident.pk])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
