"""A parent reports a post on a 390 px phone, one step at a time, with "I don't know" answers."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from incidents.models import Certainty, Incident, PosterKind
from tests.incidents.conftest import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    cache.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


def _step_fits(page, step_id: str) -> None:
    box = page.locator(f"#step-{step_id}").bounding_box()
    assert box is not None and box["height"] < 844 * 1.35, (step_id, box)


def test_parent_fills_the_steps_on_a_phone(cast, phone_page, sign_in_page, assert_axe_clean, tmp_path):
    page = phone_page
    sign_in_page(page, cast.parent)
    page.goto(reverse("incidents:report"))
    assert page.get_by_text("school computer").count() == 0
    assert page.locator("#step-where").is_hidden()

    page.get_by_label("What does the post say?").fill("A photo of the class with unkind captions.")
    page.get_by_label("Images of pupils posted without consent").check()
    _step_fits(page, "what")
    assert_axe_clean(page, name="parent-report-1-what")
    page.locator("#step-what").get_by_role("button", name="Next").click()

    page.get_by_label("Which app or website?").select_option(label="I don't know")
    page.get_by_label("I don't know the account or group name").check()
    _step_fits(page, "where")
    assert_axe_clean(page, name="parent-report-2-where")
    page.locator("#step-where").get_by_role("button", name="Next").click()

    page.get_by_label("I don't know when it was posted").check()
    _step_fits(page, "when")
    assert_axe_clean(page, name="parent-report-3-when")
    page.locator("#step-when").get_by_role("button", name="Next").click()

    shot = tmp_path / "photo.png"
    shot.write_bytes(image_bytes())
    page.get_by_label("Screenshots or PDFs").set_input_files(str(shot))
    _step_fits(page, "evidence")
    assert_axe_clean(page, name="parent-report-4-evidence")
    page.locator("#step-evidence").get_by_role("button", name="Next").click()

    page.locator("#step-who").get_by_label("I don't know").first.check()
    _step_fits(page, "who")
    assert_axe_clean(page, name="parent-report-5-who")
    page.get_by_role("button", name="Send the report").click()
    page.get_by_text(Incident.objects.get().reference).first.wait_for()
    assert_axe_clean(page, name="parent-report-done")

    incident = Incident.objects.get()
    assert incident.poster_kind == PosterKind.UNKNOWN and incident.poster_certainty == Certainty.UNKNOWN
    assert incident.evidence.count() == 1 and "platform" in incident.not_known
