"""A post threatening a named teacher, from the report to POSH and the police: a member of staff
reports it; the headteacher sees the Staff safety badge, triages it (finding the parent who posted
among two of the same name, and linking the children), records the report to the platform, and
48 hours on, with the platform silent, escalates to POSH and refers it to the police; then
downloads the police bundle, whose chronology names the poster and the pupils. Every main page
is checked with axe-core and photographed."""

from __future__ import annotations

import io
import subprocess
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, SchoolClass
from incidents.models import EscalationStep, Incident, IncidentPupil, Outcome, StepKind
from tests.factories import make_pupil, make_user
from tests.incidents.conftest import ensure_platforms

pytestmark = pytest.mark.django_db(transaction=True)

THREAT = (
    "Mrs Whitlock thinks she can exclude my son. I know where she lives. "
    "I'll be waiting for her outside the gates on Monday."
)


def suggestion(page, text: str):
    return page.locator("section[aria-labelledby=next-heading] li.list-group-item").filter(has_text=text)


def test_a_threat_to_a_teacher_goes_to_posh_and_the_police_with_the_bundle(
    cast, page, new_page, sign_in_page, assert_axe_clean, tmp_path
):
    ensure_platforms()
    make_user(cast.school, Role.STAFF, name="Hannah Whitlock", email="h.whitlock@example.org")
    badgers = SchoolClass.objects.create(school=cast.school, name="Badgers", year_group="Year 4")
    poster = make_user(cast.school, Role.PARENT, name="Fatima Evans", email="fatima.e@example.org")
    namesake = make_user(cast.school, Role.PARENT, name="Fatima Evans", email="f.evans@example.net")
    omar = make_pupil(cast.school, badgers, first="Omar", last="Evans", parent=poster)
    make_pupil(cast.school, cast.school_class, first="Lily", last="Evans", parent=namesake)

    # A member of staff reports the post.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_page(page, cast.staff)
    page.goto(reverse("incidents:report"))
    page.get_by_label("Where did you see it?").select_option(label="Facebook")
    page.get_by_label("Links to the post").fill("https://www.facebook.com/groups/northbrookparents/posts/771100")
    page.get_by_label("Account, group or chat name").fill("Northbrook Parents")
    page.get_by_label("What does the post say?").fill(THREAT)
    page.get_by_label("Threat of violence").check()
    page.get_by_label("Who is it about or aimed at?").fill("Mrs Whitlock, the Badgers class teacher")
    page.get_by_label("A parent or carer").check()
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/filed/")
    incident = Incident.objects.get()
    assert incident.staff_safety

    # The headteacher sees the Staff safety badge on the list.
    head = new_page()
    sign_in_page(head, cast.headteacher)
    head.goto(reverse("incidents:list"))
    row = head.get_by_role("row").filter(has_text=incident.reference)
    assert row.get_by_text("Staff safety", exact=True).is_visible()
    assert_axe_clean(head, "threat-incident-list")
    row.get_by_role("link", name=incident.reference).click()
    head.wait_for_url(f"**{incident.get_absolute_url()}")
    assert head.get_by_text("Staff safety", exact=True).first.is_visible()
    assert_axe_clean(head, "threat-incident-reported")

    # Triage: the right Fatima Evans (Omar's mother, not Lily's), and Omar as the poster's child.
    head.get_by_role("link", name="Triage this report").click()
    head.wait_for_url("**/triage/")
    head.wait_for_load_state()  # the search box's script is deferred
    head.get_by_label("Severity").select_option("high")
    head.get_by_label("Find a parent or carer by name").fill("fatima")
    parents = head.locator("#parent-results")
    parents.get_by_text("of Lily Evans (Otters)").wait_for()
    assert parents.get_by_text("of Omar Evans (Badgers)").is_visible()
    parents.locator("li").filter(has_text="Omar Evans (Badgers)").get_by_role("radio").check()
    chosen = head.locator("#chosen-parent")
    assert chosen.get_by_text("of Omar Evans (Badgers)").is_visible()
    head.get_by_label("Find a pupil by name").fill("omar")
    pupils = head.locator("#pupil-results")
    pupils.get_by_label(f"The part {omar.full_name} plays in this case").wait_for()
    pupils.get_by_label(f"The part {omar.full_name} plays in this case").select_option("poster_child")
    pupils.locator("li").filter(has_text="Omar Evans").get_by_role("checkbox").check()
    head.locator("#chosen-pupils").get_by_text("Omar Evans · Badgers").wait_for()
    assert_axe_clean(head, "threat-triage-with-searches")
    head.get_by_role("button", name="Save the triage").click()
    head.wait_for_url(f"**{incident.get_absolute_url()}")
    incident.refresh_from_db()
    assert incident.poster_parent == poster and incident.status == "triaged"
    assert [(link.pupil, link.role) for link in IncidentPupil.objects.filter(incident=incident)] == [
        (omar, "poster_child")
    ]
    linked = head.get_by_role("list", name="Pupils this case concerns")
    assert linked.get_by_text("Badgers · the poster's child").is_visible()
    # Omar's page lists the case with his part in it.
    linked.get_by_role("link", name="Omar Evans").click()
    head.get_by_role("heading", name="Omar Evans").first.wait_for()
    assert head.get_by_text("The poster's child · Facebook").is_visible()
    assert_axe_clean(head, "threat-pupil-page")
    head.go_back()
    # The rules: the police now, and a risk assessment for the teacher.
    assert suggestion(head, "police").count() and suggestion(head, "risk").count()

    # The report to the platform: made, no reply yet.
    suggestion(head, "Report to the platform").get_by_role("button", name="Plan this step").click()
    head.get_by_text("Planned: Report to the platform.").wait_for()
    platform_step = EscalationStep.objects.get(incident=incident, kind=StepKind.PLATFORM_REPORT)
    card = head.locator(f"#step-{platform_step.pk}")
    card.get_by_text("Record the outcome").click()
    card.get_by_label("No reply", exact=True).check()
    card.get_by_label("The platform's own reference").fill("FB-REP-55102")
    card.get_by_role("button", name="Save outcome").click()
    head.get_by_text("Outcome recorded for “Report to the platform”.").wait_for()
    assert not suggestion(head, "POSH").count()  # not before 48 hours

    # 49 hours later, the platform still silent: POSH is suggested, with the summary prepared.
    EscalationStep.objects.filter(pk=platform_step.pk).update(created_at=timezone.now() - timedelta(hours=49))
    head.reload()
    posh = suggestion(head, "POSH")
    posh.wait_for()
    assert_axe_clean(head, "threat-incident-posh-suggested")
    posh.get_by_role("link", name="Open the summary prepared for POSH").click()
    head.get_by_text("FB-REP-55102").first.wait_for()
    assert_axe_clean(head, "threat-posh-summary")
    head.go_back()
    suggestion(head, "POSH").get_by_role("button", name="Plan this step").click()
    head.get_by_role("status").filter(has_text="Planned: Escalate to POSH").wait_for()
    posh_step = EscalationStep.objects.get(incident=incident, kind=StepKind.POSH_ESCALATION)
    card = head.locator(f"#step-{posh_step.pk}")
    card.get_by_text("Record the outcome").click()
    card.get_by_label("Removed", exact=True).check()
    card.get_by_label("POSH's reference").fill("POSH-2026-0917")
    card.get_by_role("button", name="Save outcome").click()
    head.get_by_role("status").filter(has_text="Outcome recorded for “Escalate to POSH").wait_for()

    # The police referral, with the crime reference number.
    suggestion(head, "police").first.get_by_role("button", name="Plan this step").click()
    head.get_by_role("status").filter(has_text="Planned: Refer to the police").wait_for()
    police_step = EscalationStep.objects.get(incident=incident, kind=StepKind.POLICE_REFERRAL)
    card = head.locator(f"#step-{police_step.pk}")
    card.get_by_text("Record the outcome").click()
    card.get_by_label("Crime reference given", exact=True).check()
    card.get_by_label("Crime reference number").fill("CR/0412881/26")
    card.get_by_role("button", name="Save outcome").click()
    head.get_by_role("status").filter(has_text="Outcome recorded for “Refer to the police").wait_for()
    posh_step.refresh_from_db()
    police_step.refresh_from_db()
    assert (posh_step.outcome, posh_step.external_reference) == (Outcome.REMOVED, "POSH-2026-0917")
    assert (police_step.outcome, police_step.external_reference) == (Outcome.CRIME_RECORDED, "CR/0412881/26")
    assert_axe_clean(head, "threat-incident-after-police")

    # The police bundle: built in a task, downloaded when the page says it is ready.
    head.get_by_role("link", name="Letters and referral bundle").click()
    head.get_by_role("heading", name="Referral bundle for the police or a solicitor").wait_for()
    assert_axe_clean(head, "threat-letters-and-bundle")
    head.get_by_role("button", name="Build a referral bundle").click()
    head.get_by_role("heading", name="Referral bundle").wait_for()
    download_link = head.get_by_role("link", name="Download the ZIP")
    download_link.wait_for(timeout=60_000)
    assert_axe_clean(head, "threat-bundle-ready")
    with head.expect_download() as download:
        download_link.click()
    saved = tmp_path / "bundle.zip"
    download.value.save_as(saved)
    archive = zipfile.ZipFile(io.BytesIO(saved.read_bytes()))
    chronology = tmp_path / "chronology.pdf"
    chronology.write_bytes(archive.read(f"{incident.reference}-chronology.pdf"))
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(chronology), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    assert "For the police or the school's legal advisers" in text
    assert "Fatima Evans, a parent or carer" in text
    assert "Omar Evans, Badgers (the poster's child)" in text
    assert "CR/0412881/26" in text and "POSH-2026-0917" in text
    assert "Lily" not in text


def test_on_a_phone_the_headteacher_unlinks_one_child_and_links_another(
    cast, phone_page, sign_in_page, assert_axe_clean
):
    from incidents import actions
    from incidents.models import Platform
    from tests.incidents.conftest import report_details

    ensure_platforms()
    incident = actions.report(
        school=cast.school,
        reporter=cast.staff,
        role="staff",
        details=report_details(Platform.objects.get(name="Facebook"), content="Photos of the Otters class trip."),
        natures=["images"],
        urls=["https://www.facebook.com/groups/123/posts/456"],
        staged=[],
    )
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="medium",
        natures=["images"],
        poster_kind="parent",
        owner=cast.headteacher,
        pupil_links=[(cast.child, "in_post"), (cast.other_child, "in_post")],
    )
    make_pupil(cast.school, cast.school_class, first="Noor", last="Haddad")
    page = phone_page
    sign_in_page(page, cast.headteacher)
    page.goto(reverse("incidents:triage", args=[incident.pk]))
    chosen = page.locator("#chosen-pupils")
    chosen.locator("li").filter(has_text="Alex Other").get_by_role("checkbox").uncheck()
    page.get_by_label("Find a pupil by name").fill("haddad")
    results = page.locator("#pupil-results")
    results.get_by_label("The part Noor Haddad plays in this case").select_option("targeted")
    results.locator("li").filter(has_text="Noor Haddad").get_by_role("checkbox").check()
    chosen.get_by_text("Noor Haddad · Otters").wait_for()
    assert_axe_clean(page, "pupil-links-triage-phone")
    page.get_by_role("button", name="Save the triage").click()
    page.wait_for_url(f"**{incident.get_absolute_url()}")
    assert {(link.pupil.first_name, link.role) for link in IncidentPupil.objects.filter(incident=incident)} == {
        ("Mia", "in_post"),
        ("Noor", "targeted"),
    }
    linked = page.get_by_role("list", name="Pupils this case concerns")
    assert linked.get_by_text("Otters · the child targeted").is_visible()
    assert not linked.get_by_text("Alex Other").count()
    assert_axe_clean(page, "pupil-links-incident-phone")
