"""A class's agreement coverage comes a page at a time, searchable by the child's name, at the
same number of queries however big the class."""

import pytest
from django.urls import reverse

from accounts.models import Role
from agreements.queries import CLASS_PAGE_SIZE
from tests.factories import make_class, make_pupil, make_user

from .test_coverage import add_families


def url(school_class) -> str:
    return reverse("agreements:class_coverage", args=[school_class.pk])


@pytest.mark.parametrize("families", [3, CLASS_PAGE_SIZE + 10])
def test_the_class_page_is_paged_at_a_fixed_number_of_queries(
    cast, client_for, version, families, django_assert_max_num_queries
):
    add_families(cast, version, families, class_name="Herons")
    school_class = make_class(cast.school, "Herons")
    client = client_for(cast.office)
    with django_assert_max_num_queries(12):
        first = client.get(url(school_class))
    assert len(first.context["page"]) == min(families, CLASS_PAGE_SIZE)
    if families > CLASS_PAGE_SIZE:
        assert "page=2" in first.content.decode()
        with django_assert_max_num_queries(12):
            second = client.get(url(school_class), {"page": 2})
        assert len(second.context["page"]) == families - CLASS_PAGE_SIZE
        assert not {p.pk for p in first.context["page"]} & {p.pk for p in second.context["page"]}


def test_a_child_is_found_by_name_in_the_class(cast, client_for, version):
    school_class = make_class(cast.school, "Kestrels")
    make_pupil(cast.school, school_class, first="Ruby", last="Stone", parent=make_user(cast.school, Role.PARENT))
    make_pupil(cast.school, school_class, first="Omar", last="Hill", parent=make_user(cast.school, Role.PARENT))
    page = client_for(cast.office).get(url(school_class), {"q": "ruby st"})
    assert [p.full_name for p in page.context["page"]] == ["Ruby Stone"]
    assert (
        "No child in this class has that name"
        in client_for(cast.office).get(url(school_class), {"q": "zzz"}).content.decode()
    )


def test_another_schools_class_is_404(cast, client_for, version):
    theirs = make_class(cast.other_school, "Foxes 2")
    assert client_for(cast.office).get(url(theirs)).status_code == 404
