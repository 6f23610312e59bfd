"""The coverage query reads each family's latest record for the current version in one set-based
pass (joins, no subquery per family): re-signing, withdrawing and older versions must come out
exactly as the family's latest record says, with one row per family."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import actions, queries, tasks
from agreements.models import ReminderStage, SignatureKind

from .conftest import CONTENT, DETAILS, sign

pytestmark = pytest.mark.django_db


def withdraw(cast, signature, parent=None):
    return actions.withdraw(signature=signature, parent=parent or cast.parent, reason="", request_details=DETAILS)


def statuses(cast, version) -> dict:
    links = queries.with_status(queries.family_links(cast.school), version).order_by("pk")
    return {(row.parent_id, row.pupil_id): (row.latest_kind, row.latest_id) for row in links}


def test_signed_withdrawn_and_signed_again_is_one_signed_row(cast, version):
    first = sign(cast, version)
    withdraw(cast, first)
    again = sign(cast, version)
    rows = statuses(cast, version)
    assert len(rows) == 2  # one per family, however many records
    assert rows[(cast.parent.pk, cast.child.pk)] == (SignatureKind.SIGNED, again.pk)
    assert rows[(cast.other_parent.pk, cast.other_child.pk)] == (None, None)
    _, total = queries.school_coverage(cast.school, version)
    assert (total.families, total.signed, total.not_signed) == (2, 1, 1)
    assert [link.parent_id for link in queries.not_signed_links(cast.school, version)] == [cast.other_parent.pk]


def test_latest_withdrawal_counts_as_waiting_and_is_marked(cast, client_for, version):
    withdrawal = withdraw(cast, sign(cast, version))
    assert statuses(cast, version)[(cast.parent.pk, cast.child.pk)] == (SignatureKind.WITHDRAWN, withdrawal.pk)
    response = client_for(cast.headteacher).get(reverse("agreements:coverage"))
    waiting = {row.parent: row for row in response.context["waiting"]}
    assert set(waiting) == {cast.parent, cast.other_parent}
    assert waiting[cast.parent].is_withdrawn and not waiting[cast.other_parent].is_withdrawn
    assert response.context["page"].paginator.count == 2 == response.context["total"].not_signed


def test_a_signature_of_an_older_version_does_not_count_for_the_new_one(cast, version):
    sign(cast, version)
    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    new = actions.publish(draft, by=cast.headteacher, ask_parents=False)
    assert set(statuses(cast, new).values()) == {(None, None)}
    _, total = queries.school_coverage(cast.school, new)
    assert (total.families, total.signed) == (2, 0)


def test_class_page_links_to_the_latest_signature(cast, client_for, version):
    withdraw(cast, sign(cast, version))
    again = sign(cast, version)
    page = client_for(cast.office).get(reverse("agreements:class_coverage", args=[cast.school_class.pk]))
    families = [family for pupil in page.context["page"] for family in pupil.families]
    assert len(families) == 2
    signed = [family for family in families if family.is_signed]
    assert [(family.latest_id, family.latest_method) for family in signed] == [(again.pk, "online")]
    assert reverse("agreements:verify", args=[again.pk]) in page.content.decode()


def test_each_reminder_email_costs_a_fixed_few_queries(cast, version, django_capture_on_commit_callbacks):
    """Per email: the decision and its notification in one savepoint, and delivery (read, claim,
    sent), nothing more."""
    from accounts.models import Role
    from tests.factories import make_pupil, make_user

    def send(count: int, stage: str) -> int:
        parents = []
        for n in range(count):
            parent = make_user(cast.school, Role.PARENT, name=f"Parent {stage} {n}")
            make_pupil(cast.school, cast.school_class, first=f"Kid{stage}{n}", parent=parent)
            parents.append(parent.pk)
        with CaptureQueriesContext(connection) as queries_run, django_capture_on_commit_callbacks(execute=True):
            assert tasks.send_agreement_emails(version.pk, stage, parents) == count
        return len(queries_run)

    small, large = send(2, ReminderStage.DAY_7), send(7, ReminderStage.DAY_21)
    # The decision's savepoint pair and INSERT, notify's savepoint pair and INSERT, and 3 for
    # delivery: 9 per email at most, however many parents.
    # Each email: its rows, its notification and the recipient's language (emails go in Welsh or English).
    assert (large - small) / 5 <= 10
