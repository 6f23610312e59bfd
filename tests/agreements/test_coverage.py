"""Coverage per school and per class, the CSV export, and constant query counts."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import ParentLink, Role
from agreements.models import Signature
from tests.factories import make_class, make_pupil, make_user

from .conftest import sign

pytestmark = pytest.mark.django_db


def add_families(cast, version, count, class_name="Otters", signed_every=2):
    school_class = make_class(cast.school, class_name)
    for n in range(count):
        parent = make_user(cast.school, Role.PARENT, name=f"Parent {class_name} {n}")
        pupil = make_pupil(cast.school, school_class, first=f"Kid{n}", parent=parent)
        if n % signed_every == 0:
            sign(cast, version, parent=parent, pupil=pupil)


def test_school_coverage_counts_signed_and_not_signed(cast, client_for, version):
    sign(cast, version)
    response = client_for(cast.headteacher).get(reverse("agreements:coverage"))
    assert response.status_code == 200
    rows = {row.name: row for row in response.context["rows"]}
    assert (rows["Otters"].signed, rows["Otters"].not_signed) == (1, 1)
    assert response.context["total"].percent == 50
    waiting = response.context["waiting"]
    assert [row.parent for row in waiting] == [cast.other_parent]
    assert waiting[0].asked_since == version.published_at
    assert cast.other_school_child.full_name not in response.content.decode()


def test_class_page_shows_who_signed_and_since_when_others_were_asked(cast, client_for, version):
    sign(cast, version)
    page = client_for(cast.office).get(reverse("agreements:class_coverage", args=[cast.school_class.pk]))
    text = page.content.decode()
    assert "Jo Parent" in text and "Sam Other" in text
    assert "Signed" in text and "Not signed" in text
    assert "Record paper form" in text


def test_withdrawn_signatures_count_as_not_signed(cast, client_for, version):
    from agreements import actions

    signature = sign(cast, version)
    actions.withdraw(
        signature=signature, parent=cast.parent, reason="", request_details=actions.RequestDetails(None, "")
    )
    response = client_for(cast.headteacher).get(reverse("agreements:coverage"))
    assert response.context["total"].signed == 0


def test_coverage_pages_are_for_headteacher_and_office_of_the_school(cast, client_for, version):
    for user in (cast.parent, cast.staff, cast.dsl, cast.governor):
        assert client_for(user).get(reverse("agreements:coverage")).status_code == 404, user
    url = reverse("agreements:class_coverage", args=[cast.school_class.pk])
    assert client_for(cast.other_headteacher).get(url).status_code == 404


def test_csv_export_lists_every_family_and_defuses_formulas(cast, client_for, version):
    sign(cast, version)
    cast.other_parent.full_name = '=HYPERLINK("http://evil")'
    cast.other_parent.save()
    response = client_for(cast.office).get(reverse("agreements:coverage_csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Class", "Child", "Parent or carer"]
    by_parent = {row[2]: row for row in rows[1:]}
    assert by_parent["Jo Parent"][5] == "Signed"
    assert by_parent['\'=HYPERLINK("http://evil")'][5] == "Not signed"
    assert len(rows) == 3  # other school's family not included


def test_csv_export_can_be_limited_to_a_class(cast, client_for, version):
    add_families(cast, version, 3, class_name="Badgers")
    badgers = cast.school.classes.get(name="Badgers")
    response = client_for(cast.office).get(reverse("agreements:coverage_csv") + f"?class={badgers.pk}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 4 and {row[0] for row in rows[1:]} == {"Badgers"}


@pytest.mark.parametrize("families", [5, 40])
def test_coverage_page_query_count_is_constant(cast, client_for, version, families, django_assert_max_num_queries):
    add_families(cast, version, families)
    add_families(cast, version, families, class_name="Badgers")
    client = client_for(cast.headteacher)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("agreements:coverage")).status_code == 200


@pytest.mark.parametrize("families", [5, 40])
def test_class_page_query_count_is_constant(cast, client_for, version, families, django_assert_max_num_queries):
    add_families(cast, version, families)
    client = client_for(cast.office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("agreements:class_coverage", args=[cast.school_class.pk]))
    assert len(response.context["page"]) == min(families + 2, 50)


@pytest.mark.parametrize("families", [5, 40])
def test_parent_page_query_count_is_constant(cast, client_for, version, families, django_assert_max_num_queries):
    school_class = make_class(cast.school, "Otters")
    for n in range(families // 5):
        pupil = make_pupil(cast.school, school_class, first=f"Sib{n}", parent=cast.parent)
        sign(cast, version, pupil=pupil)
    client = client_for(cast.parent)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("agreements:parent_home")).status_code == 200


def test_home_panels(cast, client_for, version):
    assert (
        "Please sign the home-school agreement"
        in client_for(cast.parent).get(reverse("dashboard:home")).content.decode()
    )
    assert "still to sign" in client_for(cast.headteacher).get(reverse("dashboard:home")).content.decode()
    sign(cast, version)
    assert "Please sign the home-school" not in client_for(cast.parent).get(reverse("dashboard:home")).content.decode()


def test_pupils_with_no_parent_are_counted(cast, client_for, version):
    make_pupil(cast.school, cast.school_class, first="Lone")
    response = client_for(cast.headteacher).get(reverse("agreements:coverage"))
    assert response.context["total"].pupils_without_parent == 1
    assert ParentLink.objects.count() >= 2 and Signature.objects.count() == 0


def _count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_coverage_and_class_pages_use_the_same_number_of_queries_at_two_sizes(cast, client_for, version):
    client = client_for(cast.headteacher)
    urls = [reverse("agreements:coverage"), reverse("agreements:class_coverage", args=[cast.school_class.pk])]
    add_families(cast, version, 3)
    small = [_count_queries(client, url) for url in urls]
    add_families(cast, version, 60, class_name="Otters")
    add_families(cast, version, 30, class_name="Kestrels")
    large = [_count_queries(client, url) for url in urls]
    assert small == large, (small, large)
