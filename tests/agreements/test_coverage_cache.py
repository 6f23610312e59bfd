"""The dashboards' agreement coverage is kept between visits, and every write that moves it shows
on the next visit: a signature, a withdrawal, a link removed, a child leaving the roll, a parent's
account switched off, a roll import, a destruction. An incident's change does not recount it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import actions as account_actions
from accounts.models import ParentLink, Role
from agreements import actions
from dataprotection import destruction
from dataprotection.models import ReviewItem
from incidents.models import IncidentNature, Nature
from tests.accounts.roll.conftest import SIMS_PUPIL_HEADINGS, csv_bytes, pupil_row, run_import  # noqa: F401 - a fixture used by name
from tests.complaints.conftest import make_incident
from tests.factories import make_pupil, make_user
from tests.incidents.conftest import ensure_platforms

from .conftest import DETAILS, sign

pytestmark = pytest.mark.django_db


def shown(client) -> tuple[int, int]:
    """(percent signed, families still to sign) as the headteacher's dashboard says them."""
    text = client.get(reverse("dashboard:home")).content.decode()
    found = re.search(r"<strong>(\d+)%</strong> of parents and carers have signed .*?; (\d+) still to sign", text)
    assert found, "no coverage sentence on the dashboard"
    return int(found[1]), int(found[2])


def coverage_counted(queries) -> bool:
    return any("accounts_parentlink" in q["sql"] and "agreements_signature" in q["sql"] for q in queries)


def test_each_signature_and_withdrawal_shows_on_the_next_visit(cast, client_for, version):
    head = client_for(cast.headteacher)
    assert shown(head) == (0, 2)
    signature = sign(cast, version)
    assert shown(head) == (50, 1)
    sign(cast, version, parent=cast.other_parent, pupil=cast.other_child)
    assert shown(head) == (100, 0)
    actions.withdraw(signature=signature, parent=cast.parent, reason="", request_details=DETAILS)
    assert shown(head) == (50, 1)


def test_a_visit_with_nothing_changed_reads_the_kept_figures(cast, client_for, version):
    head = client_for(cast.headteacher)
    sign(cast, version)
    shown(head)
    ensure_platforms()
    incident = make_incident(cast.school, cast.staff, created=timezone.now())
    IncidentNature.objects.create(incident=incident, nature=Nature.THREAT)  # moves the incident figures
    with CaptureQueriesContext(connection) as queries:
        assert shown(head) == (50, 1)
    assert not coverage_counted(queries.captured_queries)
    sign(cast, version, parent=cast.other_parent, pupil=cast.other_child)
    with CaptureQueriesContext(connection) as queries:
        assert shown(head) == (100, 0)
    assert coverage_counted(queries.captured_queries)


def test_a_removed_link_a_leaver_and_a_switched_off_account_leave_the_count(cast, client_for, version):
    head = client_for(cast.headteacher)
    sign(cast, version)
    assert shown(head) == (50, 1)
    newcomer = make_user(cast.school, Role.PARENT, name="Nia Newcomer")
    make_pupil(cast.school, cast.school_class, first="Ivy", parent=newcomer)
    assert shown(head) == (33, 2)
    newcomer.is_active = False
    newcomer.save(update_fields=["is_active"])
    assert shown(head) == (50, 1)
    account_actions.unlink_parent(ParentLink.objects.get(parent=cast.other_parent, pupil=cast.other_child))
    assert shown(head) == (100, 0)
    cast.child.is_on_roll = False
    cast.child.save()
    assert shown(head)[1] == 0 and "0 still to sign" in head.get(reverse("dashboard:home")).content.decode()


def test_signing_in_does_not_drop_the_kept_figures(cast, client_for, version):
    head = client_for(cast.headteacher)
    shown(head)
    cast.parent.last_login = timezone.now()
    cast.parent.save(update_fields=["last_login"])
    with CaptureQueriesContext(connection) as queries:
        shown(head)
    assert not coverage_counted(queries.captured_queries)


def test_a_roll_import_moves_the_count(cast, client_for, version, run_import):  # noqa: F811
    head = client_for(cast.headteacher)
    assert shown(head) == (0, 2)
    newcomer = pupil_row("A100000000009", "Remy", "Newfile", reg="Otters")
    roll_import = run_import(cast.school, cast.office, csv_bytes(SIMS_PUPIL_HEADINGS, [newcomer]))
    assert roll_import.status == roll_import.Status.APPLIED, roll_import.result
    # Neither of the cast's children is in the file: both leave the roll.
    assert shown(head) == (0, 0)


def test_destroying_a_signature_takes_it_out_of_the_count(cast, client_for, version):
    head = client_for(cast.headteacher)
    signature = sign(cast, version)
    assert shown(head) == (50, 1)
    item = ReviewItem.objects.create(
        school=cast.school,
        record_type="signature",
        object_key=str(signature.pk),
        reference=f"Signature {signature.pk}",
        due_on=timezone.localdate(),
        rule="Test rule",
    )
    destruction.destroy_item(item=item, by=cast.headteacher)
    assert shown(head) == (0, 2)


def test_another_schools_signature_does_not_touch_this_schools_figures(cast, client_for, version):
    head = client_for(cast.headteacher)
    shown(head)
    other = actions.publish(
        actions.start_draft(school=cast.other_school, by=cast.other_headteacher, introduction="Be kind online."),
        by=cast.other_headteacher,
    )
    sign(cast, other, parent=cast.other_school_parent, pupil=cast.other_school_child)
    with CaptureQueriesContext(connection) as queries:
        assert shown(head) == (0, 2)
    assert not coverage_counted(queries.captured_queries)
