"""A parent follows their invitation, signs the agreement on a phone and downloads the PDF."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from agreements import actions
from agreements.models import Signature
from tests.agreements.conftest import CONTENT

pytestmark = pytest.mark.django_db(transaction=True)


def test_parent_signs_on_a_phone_and_downloads_the_pdf(cast, phone_page, assert_axe_clean):
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    actions.publish(draft, by=cast.headteacher, ask_parents=False)
    invitation = Invitation(
        school=cast.school, email="nia.new@example.org", full_name="Nia New", created_by=cast.office
    )
    token = invitation.new_token()
    invitation.save()
    invitation.pupils.set([cast.other_child])
    page = phone_page

    page.goto(reverse("accounts:accept_invitation", args=[token]))
    page.get_by_label("Choose a password").fill("a-long-family-passphrase")
    page.get_by_label("Type the password again").fill("a-long-family-passphrase")
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Please sign the home-school agreement").wait_for()
    page.get_by_role("link", name="Read and sign").click()

    page.get_by_role("heading", name="Home-school agreement on social media").wait_for()
    assert_axe_clean(page, name="agreements-parent-home-phone")
    page.get_by_role("link", name="Read and sign for Alex").click()
    page.get_by_role("heading", name="Read and sign the agreement").wait_for()
    assert page.get_by_label("I am signing for Alex Other in Otters").is_checked()
    assert page.get_by_text("Post photos of other people's children").is_visible()
    assert_axe_clean(page, name="agreements-sign-phone")

    # A wrong name is refused with a clear message, and what was ticked and typed is kept.
    page.get_by_label("I have read the whole agreement above.").check()
    page.get_by_label("I understand this records").check()
    page.get_by_label("Type your full name to sign").fill("Nina Knew")
    page.get_by_role("button", name="Sign the agreement").click()
    page.get_by_text("does not match the name on your account (Nia New)").wait_for()
    assert not Signature.objects.exists()
    assert page.get_by_label("I have read the whole agreement above.").is_checked()
    assert_axe_clean(page, name="agreements-sign-error-phone")

    page.get_by_label("Type your full name to sign").fill("Nia New")
    page.get_by_role("button", name="Sign the agreement").click()
    page.get_by_text("Thank you. You have signed the agreement for Alex.").wait_for()
    assert_axe_clean(page, name="agreements-signed-phone")
    signature = Signature.objects.get()
    assert signature.typed_name == "Nia New" and signature.is_intact
    assert "Mobile" in signature.user_agent or "Android" in signature.user_agent or signature.user_agent

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your signed copy (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    page.get_by_role("link", name="Check this record").click()
    page.get_by_text("Intact.").wait_for()
    assert_axe_clean(page, name="agreements-verify-phone")


def test_office_sees_coverage_and_records_a_paper_form(cast, page, sign_in_page, assert_axe_clean, tmp_path):
    from PIL import Image

    from accounts.models import ParentLink

    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    version = actions.publish(draft, by=cast.headteacher, ask_parents=False)
    actions.sign_online(
        parent=cast.parent,
        pupil=cast.child,
        version_id=version.pk,
        typed_name="Jo Parent",
        ticked={"read", "child", "acknowledge"},
        request_details=actions.RequestDetails("203.0.113.7", "Test"),
        send_copy=False,
    )
    sign_in_page(page, cast.office)
    page.goto(reverse("agreements:coverage"))
    page.get_by_role("heading", name="Waiting to sign, longest first").wait_for()
    assert_axe_clean(page, name="agreements-coverage")
    page.get_by_role("link", name="Otters").click()
    page.get_by_role("heading", name="Otters: who has signed").wait_for()
    assert_axe_clean(page, name="agreements-class-coverage")
    page.get_by_role("link", name="Record paper form for Alex Other (Sam Other)").click()
    scan = tmp_path / "form.png"
    Image.new("RGB", (60, 80), "white").save(scan)
    page.get_by_label("Scan or photo of the signed form").set_input_files(str(scan))
    page.get_by_label("Date on the form").fill(timezone.localdate().isoformat())
    assert_axe_clean(page, name="agreements-paper-form")
    page.get_by_role("button", name="Record the signature").click()
    page.get_by_text("Paper signature recorded for Alex Other (Sam Other).").wait_for()
    link = ParentLink.objects.get(pupil=cast.other_child)
    assert Signature.objects.filter(parent=link.parent, method="paper").exists()

    sign_in_page(page, cast.headteacher)
    page.goto(version.get_absolute_url())
    page.get_by_role("heading", name="Version 1").wait_for()
    assert_axe_clean(page, name="agreements-version-detail")


def test_the_incident_page_tells_the_dsl_whether_the_parent_poster_signed(cast, page, sign_in_page, assert_axe_clean):
    from incidents import actions as incident_actions
    from incidents.models import Nature, Platform
    from tests.conftest import ensure_reference_data
    from tests.incidents.conftest import report_details

    ensure_reference_data()
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    version = actions.publish(draft, by=cast.headteacher, ask_parents=False)
    actions.sign_online(
        parent=cast.other_parent,
        pupil=cast.other_child,
        version_id=version.pk,
        typed_name=cast.other_parent.full_name,
        ticked={"read", "child", "acknowledge"},
        request_details=actions.RequestDetails("203.0.113.7", "Test"),
        send_copy=False,
    )
    incident = incident_actions.report(
        school=cast.school,
        reporter=cast.parent,
        role="parent",
        details=report_details(Platform.objects.get(name="Facebook")),
        natures=[Nature.COMPLAINT],
        urls=["https://www.facebook.com/groups/123/posts/456"],
        staged=[],
    )
    incident_actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="medium",
        natures=[Nature.COMPLAINT],
        poster_kind="parent",
        poster_parent=cast.other_parent,
        owner=cast.dsl,
    )
    sign_in_page(page, cast.dsl)
    page.goto(incident.get_absolute_url())
    line = page.locator("dd.poster-agreement")
    line.wait_for()
    text = line.inner_text()
    assert "Agreement signed" in text and "Sam Other signed" in text and "version 1" in text
    assert_axe_clean(page, name="agreements-on-incident-page")
