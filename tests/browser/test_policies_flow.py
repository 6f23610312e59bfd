"""The headteacher drafts a policy, sends it for approval, approves and publishes it; a member of
staff reads and acknowledges it; a parent (anyone) reads it on the public page. axe-clean pages."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from policies.models import Acknowledgement, PolicyVersion, Status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    cache.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


def test_headteacher_drafts_approves_and_publishes_and_staff_acknowledge(
    cast, page, new_page, sign_in_page, assert_axe_clean
):
    sign_in_page(page, cast.headteacher)
    page.goto(reverse("policies:list"))
    assert_axe_clean(page, name="policies-list-empty")
    page.get_by_role("link", name="Add a policy").click()
    page.get_by_label("Title").fill("Mobile phones policy")
    page.get_by_label("Policy text").fill(
        "# Mobile phones\n\n## In school\n\n- Phones stay in bags during lessons.\n- Staff never photograph pupils on a personal phone.\n"
    )
    assert_axe_clean(page, name="policies-create")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("heading", name="Mobile phones policy").wait_for()
    assert page.locator("article.policy-body h2").inner_text() == "In school"
    assert_axe_clean(page, name="policies-draft")

    page.get_by_role("button", name="Send for approval").click()
    page.get_by_text("Sent for approval").wait_for()
    page.get_by_role("link", name="Approve").click()
    page.get_by_role("button", name="Approve and publish").wait_for()
    assert_axe_clean(page, name="policies-approve")
    page.get_by_role("button", name="Approve and publish").click()
    page.get_by_text("It is now the published policy").wait_for()
    version = PolicyVersion.objects.get(document__title="Mobile phones policy")
    assert version.status == Status.APPROVED and version.approved_by == cast.headteacher

    # Published: anyone can read it without signing in.
    visitor = new_page(phone=True)
    visitor.goto(version.document.get_public_url())
    visitor.get_by_role("heading", name="Mobile phones policy").wait_for()
    assert "Phones stay in bags during lessons." in visitor.content()
    assert_axe_clean(visitor, name="policies-public")

    # A member of staff reads and acknowledges it.
    staff_page = new_page()
    sign_in_page(staff_page, cast.staff)
    staff_page.goto(reverse("policies:staff_list"))
    assert_axe_clean(staff_page, name="policies-staff-list")
    staff_page.get_by_role("link", name="Mobile phones policy").click()
    staff_page.get_by_role("button", name="I have read and understood this policy").click()
    staff_page.get_by_text("You acknowledged this version").wait_for()
    assert_axe_clean(staff_page, name="policies-acknowledged")
    assert Acknowledgement.objects.filter(version=version, user=cast.staff).exists()

    # The headteacher sees who has read it.
    page.goto(reverse("policies:acknowledgements", args=[version.document.pk, version.number]))
    page.get_by_text("1 of 2 staff have acknowledged this version.").wait_for()
    assert_axe_clean(page, name="policies-acknowledgements")
    page.goto(reverse("policies:list"))
    assert_axe_clean(page, name="policies-list")
    page.goto(version.document.get_absolute_url())
    assert_axe_clean(page, name="policies-detail")
