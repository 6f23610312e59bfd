from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from policies import actions
from policies.models import (
    ALLOWED_TRANSITIONS,
    POLICY_WORKFLOW,
    ImmutableVersion,
    InvalidTransition,
    MissingChangeSummary,
    Owner,
    PolicyVersion,
    Status,
    add_months,
)

from .helpers import approved_policy, make_policy


def test_a_new_policy_starts_as_draft_version_one(cast):
    version = make_policy(cast.school, cast.headteacher)
    assert version.status == Status.DRAFT
    assert version.number == 1
    assert version.document.slug == "social-media-policy"
    assert "<h1>Social media</h1>" in version.body_html


def test_full_lifecycle_draft_awaiting_approved_superseded(cast):
    first = approved_policy(cast.school, cast.headteacher)
    assert first.status == Status.APPROVED
    assert first.approved_by == cast.headteacher
    assert first.review_date == add_months(timezone.localdate(), 12)

    second = actions.start_draft(first.document, by=cast.headteacher)
    assert second.number == 2
    assert second.body_markdown == first.body_markdown  # editing starts from the current text
    actions.update_draft(second, body_markdown="# Social media\n\nBe kinder online.\n", change_summary="Kinder.")
    actions.submit_for_approval(second)
    actions.approve(second, by=cast.headteacher, review_date=date.today() + timedelta(days=200))

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.SUPERSEDED and first.superseded_at is not None
    assert second.status == Status.APPROVED
    assert PolicyVersion.objects.filter(document=first.document, status=Status.APPROVED).count() == 1


def test_transitions_are_plain_data_and_enforced_by_save(cast):
    assert ALLOWED_TRANSITIONS[Status.DRAFT] == {Status.AWAITING_APPROVAL}
    version = make_policy(cast.school, cast.headteacher)
    version.status = Status.APPROVED  # skipping approval, straight from draft
    with pytest.raises(InvalidTransition):
        version.save()
    version.refresh_from_db()
    with pytest.raises(InvalidTransition):
        POLICY_WORKFLOW.move(version, Status.SUPERSEDED)


def test_a_new_version_cannot_be_created_approved(cast):
    version = make_policy(cast.school, cast.headteacher)
    with pytest.raises(InvalidTransition):
        PolicyVersion.objects.create(
            document=version.document, body_markdown="x", change_summary="x", status=Status.APPROVED
        )


def test_approved_version_content_is_immutable_in_the_model(cast):
    version = approved_policy(cast.school, cast.headteacher)
    version.body_markdown = "Something else entirely."
    with pytest.raises(ImmutableVersion):
        version.save()
    version.refresh_from_db()
    version.review_date = version.review_date + timedelta(days=1)
    with pytest.raises(ImmutableVersion):
        version.save()
    with pytest.raises(ImmutableVersion):
        version.delete()


def test_superseded_version_is_immutable_and_cannot_come_back(cast):
    first = approved_policy(cast.school, cast.headteacher)
    second = actions.start_draft(first.document, by=cast.headteacher, change_summary="Again")
    actions.submit_for_approval(second)
    actions.approve(second, by=cast.headteacher)
    first.refresh_from_db()
    first.change_summary = "Rewritten history"
    with pytest.raises(ImmutableVersion):
        first.save()
    first.refresh_from_db()
    first.status = Status.APPROVED
    with pytest.raises(InvalidTransition):
        first.save()


def test_a_draft_can_be_edited_and_sent_back(cast):
    version = make_policy(cast.school, cast.headteacher)
    actions.submit_for_approval(version)
    actions.return_to_draft(version, by=cast.headteacher)
    version.refresh_from_db()
    assert version.status == Status.DRAFT
    actions.update_draft(version, body_markdown="New text", change_summary="Changed")
    version.refresh_from_db()
    assert version.body_html == "<p>New text</p>"


def test_the_database_allows_only_one_current_version(cast):
    version = approved_policy(cast.school, cast.headteacher)
    other = PolicyVersion.objects.create(document=version.document, body_markdown="x", change_summary="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        # Bypassing save() and the workflow: the partial unique index still refuses.
        PolicyVersion.objects.filter(pk=other.pk).update(
            status=Status.APPROVED, approved_by=cast.headteacher, approved_at=timezone.now(), review_date=date.today()
        )


def test_start_draft_returns_the_open_draft_instead_of_a_second_one(cast):
    version = approved_policy(cast.school, cast.headteacher)
    draft = actions.start_draft(version.document, by=cast.headteacher)
    again = actions.start_draft(version.document, by=cast.headteacher)
    assert draft.pk == again.pk


def test_governing_body_policies_are_approved_by_governors_only(cast):
    version = make_policy(cast.school, cast.headteacher, owner=Owner.GOVERNING_BODY, title="Complaints policy")
    actions.submit_for_approval(version)
    with pytest.raises(actions.NotAllowed):
        actions.approve(version, by=cast.headteacher)
    approved = actions.approve(version, by=cast.governor)
    assert approved.status == Status.APPROVED and approved.approved_by == cast.governor


def test_headteacher_policies_cannot_be_approved_by_a_governor(cast):
    version = make_policy(cast.school, cast.headteacher)
    actions.submit_for_approval(version)
    with pytest.raises(actions.NotAllowed):
        actions.approve(version, by=cast.governor)


def test_review_date_must_be_in_the_future(cast):
    version = make_policy(cast.school, cast.headteacher)
    actions.submit_for_approval(version)
    with pytest.raises(actions.NotAllowed):
        actions.approve(version, by=cast.headteacher, review_date=timezone.localdate())


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 12) == date(2027, 11, 15)


def test_submitting_emails_the_approvers(cast, mailoutbox, django_capture_on_commit_callbacks):
    version = make_policy(cast.school, cast.headteacher, owner=Owner.GOVERNING_BODY)
    with django_capture_on_commit_callbacks(execute=True):
        actions.submit_for_approval(version)
    assert [m.to for m in mailoutbox] == [[cast.governor.email]]
    assert "waiting for approval" in mailoutbox[0].subject


def test_approval_asks_staff_to_read_it_and_acknowledgement_is_recorded_once(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = approved_policy(cast.school, cast.headteacher)
    recipients = sorted(m.to[0] for m in mailoutbox if "please read" in m.subject)
    assert recipients == sorted([cast.staff.email, cast.dsl.email])
    actions.acknowledge(version, by=cast.staff)
    actions.acknowledge(version, by=cast.staff)
    have, have_not = actions.acknowledgement_register(version)
    version.refresh_from_db()
    assert version.pdf.name.endswith(".pdf")
    assert [person for person, _ in have] == [cast.staff]
    assert have_not == [cast.dsl]


def test_acknowledgement_reminder_goes_to_those_who_have_not_read_it_once_a_day(cast):
    version = approved_policy(cast.school, cast.headteacher)
    actions.acknowledge(version, by=cast.staff)
    assert actions.remind_to_acknowledge(version, by=cast.headteacher) == 1
    assert actions.remind_to_acknowledge(version, by=cast.headteacher) == 0


def test_a_version_cannot_go_for_approval_without_a_change_summary(cast):
    first = approved_policy(cast.school, cast.headteacher)
    draft = actions.start_draft(first.document, by=cast.headteacher)  # "Start a new draft": no summary yet
    assert draft.change_summary == ""
    with pytest.raises(MissingChangeSummary, match="Say what changed"):
        actions.submit_for_approval(draft)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    actions.update_draft(draft, body_markdown=draft.body_markdown, change_summary="   ")
    draft.status = Status.AWAITING_APPROVAL  # the model refuses too, whoever calls save()
    with pytest.raises(MissingChangeSummary):
        draft.save()


def test_version_numbers_are_given_by_the_system(cast):
    first = make_policy(cast.school, cast.headteacher)
    other = make_policy(cast.school, cast.headteacher, title="Complaints policy")
    extra = PolicyVersion(document=first.document, body_markdown="x", change_summary="x", number=None)
    extra.save()
    assert (first.number, other.number, extra.number) == (1, 1, 2)
    assert "number" not in [field.name for field in PolicyVersion._meta.get_fields() if field.editable]


def test_each_new_version_is_acknowledged_afresh_and_old_ones_cannot_be(cast):
    first = approved_policy(cast.school, cast.headteacher)
    actions.acknowledge(first, by=cast.staff)
    second = actions.start_draft(first.document, by=cast.headteacher, change_summary="New section")
    actions.submit_for_approval(second)
    actions.approve(second, by=cast.headteacher)
    first.refresh_from_db()
    have, have_not = actions.acknowledgement_register(second)
    assert have == [] and cast.staff in have_not  # reading version 1 does not count for version 2
    with pytest.raises(actions.NotAllowed, match="Only the current version"):
        actions.acknowledge(first, by=cast.dsl)
