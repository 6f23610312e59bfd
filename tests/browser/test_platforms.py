"""The headteacher gives Facebook their school's own link, hides Roblox and adds their parents'
chat group; the list shows it all, and the DSL sees the school's link beside the report step."""

import pytest
from django.urls import reverse

from incidents import actions
from incidents.models import Platform, SchoolPlatform, StepKind
from tests.incidents.conftest import ensure_platforms, report_details

pytestmark = pytest.mark.django_db(transaction=True)

SCHOOL_LINK = "https://www.facebook.com/help/our-school-page"


def test_headteacher_adjusts_the_platform_list_for_their_school(cast, page, new_page, sign_in_page, assert_axe_clean):
    ensure_platforms()
    sign_in_page(page, cast.headteacher)
    page.goto(reverse("incidents:platform_list"))
    assert_axe_clean(page, "platforms-list-before")

    page.get_by_role("link", name="Your settings for Facebook").click()
    page.get_by_label("Your school's report-abuse link").wait_for()
    assert_axe_clean(page, "platforms-school-settings")
    page.get_by_label("Your school's report-abuse link").fill(SCHOOL_LINK)
    page.get_by_label("Notes for your staff").fill("Message the village group's admin as well.")
    page.get_by_role("button", name="Save for your school").click()
    page.wait_for_url("**/platforms/")

    page.get_by_role("link", name="Your settings for Roblox").click()
    page.get_by_label("Hide from our report form").check()
    page.get_by_role("button", name="Save for your school").click()
    page.wait_for_url("**/platforms/")

    page.get_by_role("link", name="Add your school's own platform").click()
    page.get_by_label("Name").fill("Facebook")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("is already in the shared list of platforms").wait_for()
    assert_axe_clean(page, "platforms-own-form-error")
    page.get_by_label("Name").fill("Year 6 parents' WhatsApp group")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/platforms/")
    assert page.get_by_text("Your school only").is_visible()
    assert page.get_by_text("Hidden from your report form").is_visible()
    assert_axe_clean(page, "platforms-list")

    facebook = Platform.objects.get(name="Facebook")
    assert facebook.report_url != SCHOOL_LINK
    assert SchoolPlatform.objects.get(platform=facebook).report_url == SCHOOL_LINK

    incident = actions.report(
        school=cast.school,
        reporter=cast.parent,
        role="parent",
        details=report_details(facebook),
        natures=["complaint"],
        urls=["https://www.facebook.com/groups/1/posts/2"],
    )
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="medium",
        natures=["complaint"],
        poster_kind="parent",
        owner=cast.dsl,
    )
    actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT, owner=cast.dsl)
    dsl = new_page()
    sign_in_page(dsl, cast.dsl)
    dsl.goto(incident.get_absolute_url())
    link = dsl.locator("#steps-heading ~ .card").get_by_role("link", name="Report abuse on Facebook")
    assert link.get_attribute("href") == SCHOOL_LINK
    assert dsl.get_by_text("Message the village group's admin as well.").first.is_visible()
    assert_axe_clean(dsl, "platforms-incident-step")
