"""A governor approves a policy only after opening its full text and what changed (the diff)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from policies import actions
from policies.models import Owner, PolicyVersion, Status
from tests.policies.helpers import approved_policy

pytestmark = pytest.mark.django_db(transaction=True)


def test_governor_reads_text_and_diff_then_approves(cast, page, sign_in_page, assert_axe_clean):
    first = approved_policy(
        cast.school, cast.governor, title="Complaints procedure", owner=Owner.GOVERNING_BODY, category="complaints"
    )
    draft = actions.start_draft(first.document, by=cast.headteacher, change_summary="Adds the panel's time limits")
    actions.update_draft(
        draft,
        body_markdown="# Complaints\n\nThe panel meets within 20 school days of the request.\n",
        change_summary="Adds the panel's time limits",
    )
    actions.submit_for_approval(draft)

    sign_in_page(page, cast.governor)
    approve_url = reverse("policies:approve", args=[draft.document_id, draft.number])
    page.goto(approve_url)
    button = page.get_by_role("button", name="Approve and publish")
    assert button.is_disabled()
    page.get_by_text("before approving this version").wait_for()
    assert page.get_by_text("Not opened yet").count() == 2
    assert_axe_clean(page, name="governor-approve-before-reading")

    page.get_by_role("link", name="The full text of this version").click()
    page.get_by_text("The panel meets within 20 school days").first.wait_for()
    assert_axe_clean(page, name="governor-policy-text")

    page.goto(approve_url)
    page.get_by_role("link", name="What changed since the approved version").click()
    page.get_by_role("link", name="Back to the approval").wait_for()
    assert "20 school days" in page.content()
    assert_axe_clean(page, name="governor-policy-diff")

    page.get_by_role("link", name="Back to the approval").click()
    button = page.get_by_role("button", name="Approve and publish")
    button.wait_for()
    assert page.get_by_text("Not opened yet").count() == 0
    assert not button.is_disabled()
    assert_axe_clean(page, name="governor-approve-after-reading")
    review = page.get_by_label("Review date")
    if review.count():
        review.fill((date.today() + timedelta(days=300)).isoformat())
    button.click()
    page.get_by_text("It is now the published policy").wait_for()
    draft = PolicyVersion.objects.get(pk=draft.pk)
    assert draft.status == Status.APPROVED and draft.approved_by == cast.governor
