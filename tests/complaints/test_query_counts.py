"""List pages run the same number of queries at any size."""

import pytest
from django.urls import reverse

from .conftest import raise_complaint, to_panel


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("headteacher", "complaints:list"),
        ("parent", "complaints:my_complaints"),
        ("governor", "complaints:governor_list"),
    ],
)
def test_list_pages_have_a_constant_query_count(cast, client_for, django_assert_max_num_queries, role, url_name):
    client = client_for(getattr(cast, role))

    def add(n: int) -> None:
        for _ in range(n):
            complaint = raise_complaint(cast)
            to_panel(complaint, cast.headteacher)

    def count() -> int:
        with django_assert_max_num_queries(20) as context:
            assert client.get(reverse(url_name)).status_code == 200
        return len(context.captured_queries)

    add(2)
    small = count()
    add(12)
    assert count() == small
