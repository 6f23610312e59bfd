"""Two people editing or approving the same policy: a stale submit changes nothing and says who
saved what; the same submit sent twice changes nothing the second time; never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from policies import actions
from policies.models import PolicyVersion, Status
from tests.lib.stale_helpers import browser_for, second_headteacher

from .helpers import make_policy

pytestmark = pytest.mark.django_db


def test_a_draft_saved_meanwhile_wins_and_the_late_edit_keeps_its_text(cast):
    version = make_policy(cast.school, cast.headteacher)
    url = reverse("policies:draft_edit", args=[version.document_id, version.number])
    aisha, tom = browser_for(cast.headteacher), browser_for(second_headteacher(cast))
    opened = aisha.get(url).context["form"].initial["seen_version"]
    theirs = tom.get(url).context["form"].initial["seen_version"]
    assert (
        tom.post(
            url, {"body_markdown": "# Tom's text", "change_summary": "Tom's change", "seen_version": theirs}
        ).status_code
        == 302
    )

    mine = {"body_markdown": "# Aisha's text", "change_summary": "Aisha's change", "seen_version": opened}
    response = aisha.post(url, mine)
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by Tom Whitfield at" in body and "Tom&#x27;s text" in body
    assert response.context["form"]["body_markdown"].value() == "# Aisha's text"
    assert PolicyVersion.objects.get(pk=version.pk).body_markdown == "# Tom's text"

    again = {**mine, "seen_version": response.context["form"].data["seen_version"]}
    assert aisha.post(url, again).status_code == 302
    assert aisha.post(url, again).status_code == 302  # a double click: saved once, no 500
    version.refresh_from_db()
    assert version.body_markdown == "# Aisha's text"
    assert version.history.filter(body_markdown="# Aisha's text").count() == 1


def test_an_approval_of_a_version_reworded_meanwhile_is_refused_and_a_double_click_approves_once(
    cast, django_capture_on_commit_callbacks
):
    version = make_policy(cast.school, cast.headteacher)
    actions.submit_for_approval(version)
    url = reverse("policies:approve", args=[version.document_id, version.number])
    aisha, tom = browser_for(cast.headteacher), browser_for(second_headteacher(cast))
    opened = aisha.get(url).context["form"].initial["seen_version"]
    # Tom sends it back, rewords it and sends it for approval again while Aisha has it open.
    tom.post(reverse("policies:return", args=[version.document_id, version.number]))
    edit = reverse("policies:draft_edit", args=[version.document_id, version.number])
    tom.post(
        edit,
        {
            "body_markdown": "# Reworded",
            "change_summary": "Reworded",
            "seen_version": tom.get(edit).context["form"].initial["seen_version"],
        },
    )
    tom.post(reverse("policies:submit", args=[version.document_id, version.number]))

    review = (date.today() + timedelta(days=300)).isoformat()
    response = aisha.post(url, {"review_date": review, "seen_version": opened})
    assert response.status_code == 409 and "changed by Tom Whitfield" in response.content.decode()
    assert response.context["form"]["review_date"].value() == review
    assert PolicyVersion.objects.get(pk=version.pk).status == Status.AWAITING_APPROVAL

    fresh = {"review_date": review, "seen_version": response.context["form"].data["seen_version"]}
    with django_capture_on_commit_callbacks(execute=True):
        first = aisha.post(url, fresh)
        second = aisha.post(url, fresh, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "You approved version 1" in second.content.decode()
    version.refresh_from_db()
    assert version.status == Status.APPROVED and version.approved_by == cast.headteacher
    assert version.history.filter(status=Status.APPROVED).count() == 1
