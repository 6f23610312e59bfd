"""The coverage spreadsheet: exact content, a constant number of queries, safe cells, who may export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, ParentLink, Role
from agreements import actions
from agreements.models import AgreementVersion
from schoolsocial.lib.spreadsheet import csv_safe
from tests.factories import make_class, make_pupil, make_user

from .conftest import DETAILS, sign

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def in_school_year(version, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the version's own school year (signing is open only during it)."""
    start = int(version.academic_year[:4])
    return datetime(start if month >= 9 else start + 1, month, day, hour, minute, tzinfo=LONDON)


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def days_since(moment: datetime) -> str:
    return str((timezone.now() - moment).days)


@pytest.fixture
def kestrels(cast, version):
    """A hand-made class: one family signed, one never asked before the version, one withdrew,
    one linked after the version was published."""
    AgreementVersion.objects.filter(pk=version.pk).update(published_at=in_school_year(version, 9, 1, 9))
    version.refresh_from_db()
    school_class = make_class(cast.school, "Kestrels")
    families = {}
    for first, last, parent_name, relationship in [
        ("Ada", "Brook", "Ben Brook", "father"),
        ("Cal", "Dune", "Dee Dune", "mother"),
        ("Eve", "Fox", "Fay Fox", "carer"),
        ("Gus", "Hart", "=SUM(A1:A9)", "guardian"),
    ]:
        parent = make_user(cast.school, Role.PARENT, name=parent_name, email=f"{last.lower()}@example.org")
        pupil = make_pupil(cast.school, school_class, first=first, last=last)
        link = ParentLink.objects.create(parent=parent, pupil=pupil, relationship=relationship)
        families[last] = (parent, pupil, link)
    before = in_school_year(version, 9, 1, 9) - timedelta(days=12)
    linked = {"Brook": before, "Dune": before, "Fox": before, "Hart": in_school_year(version, 9, 10, 12)}
    for last, moment in linked.items():
        ParentLink.objects.filter(pk=families[last][2].pk).update(created_at=moment)

    def sign_at(moment: datetime, **kwargs):
        with time_machine.travel(moment, tick=False):
            return sign(cast, version, **kwargs)

    parent, pupil, _ = families["Brook"]
    sign_at(in_school_year(version, 9, 3, 18, 30), parent=parent, pupil=pupil)
    parent, pupil, _ = families["Fox"]
    signature = sign_at(in_school_year(version, 9, 4, 8, 5), parent=parent, pupil=pupil)
    with time_machine.travel(in_school_year(version, 9, 5, 10), tick=False):
        actions.withdraw(signature=signature, parent=parent, reason="Changed my mind", request_details=DETAILS)
    return school_class


def test_export_of_a_class_is_exact(cast, client_for, version, kestrels):
    year = version.academic_year[:4]
    published = in_school_year(version, 9, 1, 9)
    response = client_for(cast.office).get(reverse("agreements:coverage_csv") + f"?class={kestrels.pk}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="agreement-coverage-NBP-')
    assert response["Cache-Control"] == "private, no-store"
    rows = rows_of(response)
    assert rows == [
        [
            "Class",
            "Child",
            "Parent or carer",
            "Email",
            "Relationship",
            "Status",
            "Signed (UK time)",
            "How",
            "Asked since",
            "Days waiting",
        ],
        ["Kestrels", "Ada Brook", "Ben Brook", "brook@example.org", "Father", "Signed", f"03/09/{year} 18:30", "Online"]
        + [f"01/09/{year}", ""],
        ["Kestrels", "Cal Dune", "Dee Dune", "dune@example.org", "Mother", "Not signed", "", ""]
        + [f"01/09/{year}", days_since(published)],
        ["Kestrels", "Eve Fox", "Fay Fox", "fox@example.org", "Carer", "Withdrawn", "", ""]
        + [f"01/09/{year}", days_since(published)],
        ["Kestrels", "Gus Hart", "'=SUM(A1:A9)", "hart@example.org", "Legal guardian", "Not signed", "", ""]
        + [f"10/09/{year}", days_since(in_school_year(version, 9, 10, 12))],
    ]


def test_whole_school_export_lists_every_family_of_this_school_only(cast, client_for, kestrels):
    rows = rows_of(client_for(cast.headteacher).get(reverse("agreements:coverage_csv")))
    assert [row[1] for row in rows[1:]] == ["Ada Brook", "Cal Dune", "Eve Fox", "Gus Hart", "Alex Other", "Mia Parent"]
    assert cast.other_school_child.full_name not in {row[1] for row in rows}


def test_export_is_written_in_the_access_log(cast, client_for, kestrels):
    client_for(cast.office).get(reverse("agreements:coverage_csv"))
    entry = AccessLog.objects.get(action="export-agreement-coverage")
    assert (entry.user, entry.school_id) == (cast.office, cast.school.pk)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(start):
    assert csv_safe(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"
    assert csv_safe("Jo Parent") == "Jo Parent"
    assert csv_safe(None) == ""


def test_formula_in_every_free_text_column_is_neutralised(cast, client_for, version):
    school_class = make_class(cast.school, "@Robins")
    parent = make_user(cast.school, Role.PARENT, name="+44 Caller", email="-minus@example.org")
    make_pupil(cast.school, school_class, first="=1+1", last="Hyde", parent=parent)
    rows = rows_of(client_for(cast.office).get(reverse("agreements:coverage_csv") + f"?class={school_class.pk}"))
    assert rows[1][:4] == ["'@Robins", "'=1+1 Hyde", "'+44 Caller", "'-minus@example.org"]


def _export_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        rows = rows_of(client.get(url))
    return len(captured), len(rows)


def _add_families(cast, version, count: int, class_name: str) -> None:
    school_class = make_class(cast.school, class_name)
    for n in range(count):
        parent = make_user(cast.school, Role.PARENT, name=f"Parent {class_name} {n}")
        pupil = make_pupil(cast.school, school_class, first=f"Kid{n}", parent=parent)
        if n % 2 == 0:
            sign(cast, version, parent=parent, pupil=pupil)


def test_export_uses_the_same_number_of_queries_at_two_sizes(cast, client_for, version):
    client = client_for(cast.headteacher)
    url = reverse("agreements:coverage_csv")
    _add_families(cast, version, 3, "Kestrels")
    small, small_rows = _export_queries(client, url)
    _add_families(cast, version, 40, "Kestrels")
    _add_families(cast, version, 20, "Robins")
    large, large_rows = _export_queries(client, url)
    assert (small_rows, large_rows) == (1 + 2 + 3, 1 + 2 + 63)
    assert small == large, (small, large)


@pytest.mark.parametrize("families", [5, 40])
def test_export_query_count_is_pinned(cast, client_for, version, families, django_assert_max_num_queries):
    _add_families(cast, version, families, "Kestrels")
    client = client_for(cast.office)
    # Sign-in and session (6), the version, the access log, then the export's own two reads.
    with django_assert_max_num_queries(11):
        rows = rows_of(client.get(reverse("agreements:coverage_csv")))
    assert len(rows) == 1 + 2 + families


def test_only_the_headteacher_and_office_of_the_school_may_export(cast, client_for, version):
    url = reverse("agreements:coverage_csv")
    for user in (cast.parent, cast.staff, cast.dsl, cast.governor, cast.other_school_parent):
        assert client_for(user).get(url).status_code == 404, user
    assert not AccessLog.objects.filter(action="export-agreement-coverage").exists()


def test_another_schools_headteacher_exports_only_their_own_families(cast, client_for, version):
    url = reverse("agreements:coverage_csv") + f"?class={cast.school_class.pk}"
    for user in (cast.other_headteacher, cast.other_office):
        assert rows_of(client_for(user).get(url))[1:] == [], user
    rows = rows_of(client_for(cast.other_headteacher).get(reverse("agreements:coverage_csv")))
    assert [row[1] for row in rows[1:]] == [cast.other_school_child.full_name]


def test_another_schools_class_gives_an_empty_export(cast, client_for, version):
    theirs = make_class(cast.other_school, "Theirs")
    make_pupil(cast.other_school, theirs, first="Zed", parent=cast.other_school_parent)
    rows = rows_of(client_for(cast.office).get(reverse("agreements:coverage_csv") + f"?class={theirs.pk}"))
    assert rows[1:] == []
