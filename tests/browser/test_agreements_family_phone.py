"""On a 390 px phone, a parent with two children at the school reads the agreement once, ticks,
types their name and signs once: each child gets their own signature."""

import pytest
from django.urls import reverse

from agreements import actions
from agreements.models import Signature
from tests.agreements.conftest import CONTENT
from tests.factories import make_pupil

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parent_with_two_children_signs_once_on_a_phone(cast, phone_page, sign_in_page, assert_axe_clean):
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    actions.publish(draft, by=cast.headteacher, ask_parents=False)
    second = make_pupil(cast.school, cast.school_class, first="Ned", last="Parent", parent=cast.parent)
    page = phone_page
    sign_in_page(page, cast.parent)

    page.goto(reverse("agreements:parent_home"))
    page.get_by_role("link", name="Read and sign for Mia and Ned").click()
    page.get_by_role("heading", name="Read and sign the agreement").wait_for()
    mia = page.get_by_label("I am signing for Mia Parent in Otters, and I am their parent or carer.")
    ned = page.get_by_label("I am signing for Ned Parent in Otters, and I am their parent or carer.")
    assert mia.is_checked() and ned.is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the screen
    assert_axe_clean(page, name="agreements-family-sign-phone")

    page.get_by_label("I have read the whole agreement above.").check()
    page.get_by_label("I understand this records").check()
    page.get_by_label("Type your full name to sign").fill("Jo Parent")
    page.get_by_role("button", name="Sign the agreement").click()
    page.get_by_text("Thank you. You have signed the agreement for Mia and Ned.").wait_for()
    assert_axe_clean(page, name="agreements-family-signed-phone")

    signatures = list(Signature.objects.filter(parent=cast.parent).order_by("pupil__first_name"))
    assert [s.pupil for s in signatures] == [cast.child, second]
    assert all(s.is_intact and s.typed_name == "Jo Parent" for s in signatures)
    assert page.get_by_text("Not signed yet").count() == 0
    assert page.get_by_role("link", name="Download your signed copy (PDF) for Mia").is_visible()
    assert page.get_by_role("link", name="Download your signed copy (PDF) for Ned").is_visible()
