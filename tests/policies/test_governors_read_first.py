"""Governors approve what they read: the full text and what changed since the version in force
must both have been opened by the approving governor before the approval page approves."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from policies import actions
from policies.models import Owner, Status

from .helpers import approved_policy

REVIEW = {"review_date": (date.today() + timedelta(days=300)).isoformat()}


def _second_version(cast):
    first = approved_policy(
        cast.school, cast.governor, title="Complaints procedure", owner=Owner.GOVERNING_BODY, category="complaints"
    )
    draft = actions.start_draft(first.document, by=cast.headteacher, change_summary="Adds the panel's time limits")
    actions.update_draft(
        draft,
        body_markdown="# Complaints\n\nThe panel meets within 20 school days.\n",
        change_summary="Adds the panel's time limits",
    )
    actions.submit_for_approval(draft)
    return first, draft


def _status(version) -> str:
    version.refresh_from_db()
    return version.status


def test_a_governor_must_open_the_text_and_the_changes_before_approving(cast, client_for):
    first, draft = _second_version(cast)
    governor = client_for(cast.governor)
    approve = reverse("policies:approve", args=[draft.document_id, draft.number])
    page = governor.get(approve).content.decode()
    assert "Before you approve" in page and page.count("Not opened yet") == 2
    assert "disabled" in page

    response = governor.post(approve, REVIEW)
    assert response.status_code == 400 and "before approving this version" in response.content.decode()
    assert _status(draft) == Status.AWAITING_APPROVAL

    governor.get(draft.get_absolute_url())  # the full text
    assert governor.post(approve, REVIEW).status_code == 400  # the changes are still unopened
    assert _status(draft) == Status.AWAITING_APPROVAL

    # Comparing two other versions is not reading these changes.
    governor.get(reverse("policies:compare", args=[draft.document_id]) + "?old=2&new=2")
    assert governor.post(approve, REVIEW).status_code == 400

    compare = governor.get(reverse("policies:compare", args=[draft.document_id]) + "?old=1&new=2")
    assert "Back to the approval" in compare.content.decode()
    page = governor.get(approve).content.decode()
    assert page.count("Opened ") == 2 and "Not opened yet" not in page

    assert governor.post(approve, REVIEW).status_code == 302
    assert _status(draft) == Status.APPROVED
    assert _status(first) == Status.SUPERSEDED


def test_what_one_governor_opened_does_not_count_for_another(cast, client_for):
    from accounts.models import Role
    from tests.factories import make_user

    _, draft = _second_version(cast)
    reader = client_for(cast.governor)
    reader.get(draft.get_absolute_url())
    reader.get(reverse("policies:compare", args=[draft.document_id]) + "?old=1&new=2")

    other = client_for(make_user(cast.school, Role.GOVERNOR, name="Gita Chair", email="chair@example.org"))
    approve = reverse("policies:approve", args=[draft.document_id, draft.number])
    assert other.post(approve, REVIEW).status_code == 400
    assert _status(draft) == Status.AWAITING_APPROVAL


def test_a_first_version_asks_only_for_its_text_and_the_headteacher_is_not_asked(cast, client_for):
    from .helpers import make_policy

    first = make_policy(cast.school, cast.headteacher, title="Governors' code", owner=Owner.GOVERNING_BODY)
    actions.submit_for_approval(first)
    governor = client_for(cast.governor)
    approve = reverse("policies:approve", args=[first.document_id, first.number])
    assert governor.get(approve).content.decode().count("Not opened yet") == 1
    governor.get(first.get_absolute_url())
    assert governor.post(approve, REVIEW).status_code == 302
    assert _status(first) == Status.APPROVED

    own = make_policy(cast.school, cast.headteacher, title="Staff online conduct")
    actions.submit_for_approval(own)
    head = client_for(cast.headteacher)
    url = reverse("policies:approve", args=[own.document_id, own.number])
    assert "Before you approve" not in head.get(url).content.decode()
    assert head.post(url, REVIEW).status_code == 302
    assert _status(own) == Status.APPROVED
