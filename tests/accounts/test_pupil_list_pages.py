"""The pupil list comes a page at a time at the same number of queries however big the school."""

import pytest
from django.urls import reverse

from tests.factories import make_class, make_pupil

LIST = reverse("accounts:pupil_list")


@pytest.mark.parametrize("pupils", [3, 60])
def test_the_pupil_list_is_paged_at_a_fixed_number_of_queries(cast, client_for, pupils, django_assert_max_num_queries):
    school_class = make_class(cast.school, "Wrens")
    for n in range(pupils):
        make_pupil(cast.school, school_class, first=f"Child{n}", last="Wren")
    client = client_for(cast.office)
    for params in ({}, {"q": "wren"}, {"class": school_class.pk, "page": 2}):
        with django_assert_max_num_queries(12):
            assert client.get(LIST, params).status_code == 200
    assert len(client.get(LIST, {"q": "wren"}).context["page"]) == min(pupils, 50)
