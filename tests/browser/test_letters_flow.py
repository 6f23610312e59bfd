"""The headteacher writes a warning letter from a step on the incident page: edits the draft,
previews it, finalises it, waits for the stored PDF and finds the letter on the timeline."""

import pytest
from django.urls import reverse

from incidents.letters.models import Letter, LetterStatus
from tests.incidents.conftest import ensure_platforms
from tests.letters.builders import make_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_headteacher_writes_previews_and_finalises_a_letter(cast, page, sign_in_page, assert_axe_clean):
    ensure_platforms()
    incident, step = make_case(cast)
    sign_in_page(page, cast.headteacher)
    page.goto(reverse("incidents:detail", args=[incident.pk]))
    assert_axe_clean(page, "letters-incident-step")
    page.locator(f"#step-{step.pk}").get_by_role("link", name="Write letter").click()

    page.get_by_role("heading", name=f"New letter for {incident.reference}").wait_for()
    assert page.get_by_label("Which letter?").input_value() == "written_warning"
    page.get_by_role("button", name="Start the draft").click()

    page.get_by_role("button", name="Save and preview as PDF").wait_for()
    body = page.get_by_role("textbox", name="The letter", exact=False).and_(page.locator("textarea"))
    body.fill(
        body.input_value().replace("The post is still online", "I wrote to you last week. The post is still online")
    )
    assert_axe_clean(page, "letters-edit")
    page.get_by_role("button", name="Save and preview as PDF").click()
    page.get_by_role("link", name="Open the PDF preview").wait_for()
    letter = Letter.objects.get(incident=incident)
    assert "I wrote to you last week" in letter.body and letter.pdf_ready

    page.get_by_role("button", name="Check the PDF and finalise…").click()
    # It asks first, with the PDF preview to open.
    page.get_by_role("heading", name="Finalise the written warning?").wait_for()
    page.get_by_role("link", name="Open the PDF preview").wait_for()
    assert Letter.objects.get(pk=letter.pk).status != LetterStatus.FINAL
    assert_axe_clean(page, "letters-finalise-confirm")
    page.get_by_role("button", name="I have checked the PDF: finalise the letter").click()
    page.get_by_role("link", name="Download the PDF").wait_for()
    letter.refresh_from_db()
    assert letter.status == LetterStatus.FINAL and letter.pdf_sha256
    assert_axe_clean(page, "letters-final")

    page.get_by_role("link", name=incident.reference).click()
    timeline = page.locator("ol.timeline")
    timeline.get_by_text("Letter finalised: Written warning").wait_for()
    assert_axe_clean(page, "letters-incident-timeline")
    timeline.get_by_role("link", name="Open the letter").last.click()
    page.get_by_role("link", name="Download the PDF").wait_for()
