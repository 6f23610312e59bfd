"""The parent's report form: five steps, "I don't know" answers, no school-equipment questions."""

import re

from django.urls import reverse

from files.models import StagedUpload
from incidents.models import Certainty, Incident, Platform, PosterKind

from .conftest import upload

REPORT = reverse("incidents:report")


def token_of(page) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page.content.decode())
    assert found
    return found.group(1)


def parent_data(client, **overrides) -> dict:
    data = {
        "form_token": token_of(client.get(REPORT)),
        "content": "A photo of the Year 4 class with rude captions.",
        "natures": ["images"],
        "targeted": "",
        "platform": "unknown",
        "url_text": "",
        "account_name": "",
        "account_unknown": "on",
        "seen_at": "2026-01-12T19:40",
        "posted_at": "",
        "posted_unknown": "on",
    }
    data.update(overrides)
    return data


def test_the_parent_form_has_steps_and_no_school_equipment_questions(cast, client_for):
    page = client_for(cast.parent).get(REPORT).content.decode()
    for heading in ("What did you see?", "Where did you see it?", "When?", "Screenshots", "Who posted it?"):
        assert heading in page
    assert "Step 5 of 5" in page
    assert "school computer" not in page and "blocked" not in page
    assert "on_school_equipment" not in page and "site_blocked_on" not in page
    assert page.count("I don&#x27;t know") >= 5 or page.count("I don't know") >= 5
    staff_page = client_for(cast.staff).get(REPORT).content.decode()
    assert "school computer" in staff_page and "Step 1 of 5" not in staff_page


def test_i_dont_know_answers_save_as_not_known_and_show_on_triage(cast, client_for):
    client = client_for(cast.parent)
    # Who posted it and how sure are left unanswered; the school-equipment answers are forged.
    data = parent_data(client, on_school_equipment="on", site_blocked_on="2026-01-10")
    response = client.post(REPORT, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert incident.poster_kind == PosterKind.UNKNOWN and incident.poster_certainty == Certainty.UNKNOWN
    assert incident.posted_at is None and incident.account_name == "" and incident.urls == []
    assert incident.platform == Platform.objects.get(school=None, name="Other")
    assert set(incident.not_known) == {"platform", "account_name", "posted_at", "poster_kind", "poster_certainty"}
    assert incident.on_school_equipment is False and incident.site_blocked_on is None  # forged fields ignored

    triage = client_for(cast.headteacher).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "Not known (the reporter did not know; filed under Other)" in triage
    assert "Not asked (a parent&#x27;s report)" in triage or "Not asked (a parent's report)" in triage
    assert "(not known)" not in triage  # "Not known" is said once, not "Not known (not known)"


def test_required_answers_are_asked_for_and_typed_answers_and_files_kept(cast, client_for):
    client = client_for(cast.parent)
    data = parent_data(
        client,
        content="",
        natures=[],
        platform="",
        account_unknown="",
        account_name="Year 4 parents chat",
        poster_kind="pupil",
        evidence=[upload("kept.png")],
    )
    response = client.post(REPORT, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Copy the words of the post here" in page
    assert "Tick at least one that fits best" in page
    assert "Choose the app or website, or “I don" in page
    assert "Year 4 parents chat" in page  # typed answers stay
    assert 'value="pupil"' in page and re.search(r'value="pupil"[^>]*checked', page)
    assert "kept.png" in page and StagedUpload.objects.count() == 1

    data.pop("evidence")
    data.update(content="The words.", natures=["images"], platform=str(Platform.objects.get(name="Other").pk))
    response = client.post(REPORT, data)
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert [e.original_name for e in incident.evidence.all()] == ["kept.png"]
    assert incident.poster_kind == PosterKind.PUPIL and incident.poster_certainty == Certainty.UNKNOWN
    assert incident.account_name == "Year 4 parents chat" and "platform" not in incident.not_known
