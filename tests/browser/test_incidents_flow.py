"""A member of staff reports a post from a phone with two screenshots; the headteacher triages it and
records the report to the platform. Every page on the way is checked with axe-core."""

import pytest
from django.urls import reverse

from incidents.models import EscalationStep, Incident, Outcome, Status, StepKind
from tests.incidents.conftest import ensure_platforms, image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_report_on_a_phone_and_the_headteacher_acts(
    cast, phone_page, new_page, sign_in_page, assert_axe_clean, tmp_path
):
    ensure_platforms()
    shots = []
    for index, color in enumerate([(220, 40, 40), (40, 40, 220)]):
        path = tmp_path / f"screenshot-{index + 1}.png"
        path.write_bytes(image_bytes("PNG", (390, 844), color))
        shots.append(str(path))

    page = phone_page
    # Staff keep the one-page form; the parent's steps have their own test (test_parent_report_phone).
    sign_in_page(page, cast.staff)
    page.goto(reverse("incidents:report"))
    assert_axe_clean(page, "incidents-report-form-phone")
    page.get_by_label("Where did you see it?").select_option(label="Facebook")
    page.get_by_label("Links to the post").fill("https://www.facebook.com/groups/northbrook/posts/998877")
    page.get_by_label("Account, group or chat name").fill("Northbrook community page")
    page.get_by_label("Offensive comment about a named pupil or member of staff").check()
    page.get_by_label("Complaint about the school").check()
    page.get_by_label("Someone else in the community").check()
    page.get_by_label("Screenshots or PDFs").set_input_files(shots)
    # Sent without the words of the post: the message is beside that box and nothing is lost.
    page.get_by_role("button", name="Send the report").click()
    page.get_by_text("Some answers need another look").wait_for()  # the form came back
    assert page.get_by_text("Copy the words of the post here, as they appear.").is_visible()
    assert page.get_by_label("Account, group or chat name").input_value() == "Northbrook community page"
    assert page.get_by_label("Complaint about the school").is_checked()
    attached = page.get_by_role("region", name="Files attached so far")
    assert attached.get_by_role("button", name="Remove screenshot-1.png").is_visible()
    assert attached.get_by_role("button", name="Remove screenshot-2.png").is_visible()
    assert_axe_clean(page, "incidents-report-form-kept-phone")
    page.get_by_label("What does the post say?").fill(
        "Those kids in the Otters class are feral, the school does nothing."
    )
    page.get_by_role("button", name="Send the report").click()  # the files are not chosen again
    page.wait_for_url("**/filed/")
    incident = Incident.objects.get()
    assert page.get_by_text(incident.reference).first.is_visible()
    assert incident.evidence.count() == 2
    assert_axe_clean(page, "incidents-report-done-phone")

    head = new_page()
    sign_in_page(head, cast.headteacher)
    head.goto(reverse("incidents:list"))
    assert_axe_clean(head, "incidents-list")
    head.get_by_role("link", name=incident.reference).click()
    head.wait_for_url(f"**{incident.get_absolute_url()}")
    assert_axe_clean(head, "incidents-detail-reported")
    head.get_by_role("link", name="Triage this report").click()
    head.get_by_label("Severity").wait_for()
    assert_axe_clean(head, "incidents-triage")
    head.get_by_label("Severity").select_option("medium")
    head.get_by_role("button", name="Save the triage").click()
    head.wait_for_url(f"**{incident.get_absolute_url()}")
    assert Incident.objects.get().status == Status.TRIAGED
    # The platform's own report-abuse page sits beside the suggested step.
    assert head.get_by_role("link", name="Open the report-abuse page on Facebook").is_visible()
    head.get_by_role("button", name="Plan this step").first.click()
    head.get_by_text("Planned: Report to the platform.").wait_for()
    step = EscalationStep.objects.get()
    assert step.kind == StepKind.PLATFORM_REPORT
    head.get_by_text("Record the outcome").click()
    head.get_by_label("Removed", exact=True).check()
    head.get_by_label("The platform's own reference").fill("FB-20260114-5531")
    head.get_by_role("button", name="Save outcome").click()
    # wait_for_load_state() would return at once: the page it is on has loaded already.
    head.get_by_text("Outcome recorded for “Report to the platform”.").wait_for()
    step.refresh_from_db()
    assert step.outcome == Outcome.REMOVED and step.external_reference == "FB-20260114-5531"
    assert head.get_by_text("reference FB-20260114-5531").first.is_visible()
    assert_axe_clean(head, "incidents-detail-in-progress")
