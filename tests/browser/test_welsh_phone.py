"""On a 390 px phone, a parent taps "Cymraeg" in the header and reads the home page in Welsh."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parent_switches_to_welsh_on_a_phone(cast, phone_page, sign_in_page, assert_axe_clean):
    page = phone_page
    sign_in_page(page, cast.parent)
    page.goto(reverse("dashboard:home"))
    page.get_by_role("button", name="Cymraeg").click()  # visible without opening the menu
    page.get_by_role("heading", name="Croeso").wait_for()
    assert page.get_attribute("html", "lang") == "cy"
    assert page.get_by_role("link", name="Adrodd am bostiad").first.is_visible()
    assert page.get_by_role("heading", name="Yn poeni am rywbeth ar-lein?").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the screen
    assert_axe_clean(page, name="parent-home-welsh-phone")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Welcome").wait_for()
