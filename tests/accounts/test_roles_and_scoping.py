import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_each_role_lands_on_its_own_page(cast, client_for):
    expected = {
        cast.headteacher: "What needs you today",
        cast.dsl: "Safeguarding overview",
        cast.staff: "Seen something online about the school?",
        cast.governor: "Governors' workspace",
        cast.office: "School office",
        cast.parent: "Your children at Northbrook Primary School",
    }
    for user, text in expected.items():
        response = client_for(user).get(reverse("accounts:home"))
        assert response.status_code == 200, user
        assert text in response.content.decode(), user


def test_parent_home_lists_only_their_own_children(cast, client_for):
    page = client_for(cast.parent).get(reverse("accounts:home")).content.decode()
    assert cast.child.full_name in page
    assert cast.other_child.full_name not in page


def test_office_of_another_school_gets_404_for_a_pupil(cast, client_for):
    url = reverse("accounts:pupil_detail", args=[cast.child.pk])
    assert client_for(cast.other_office).get(url).status_code == 404
    assert client_for(cast.office).get(url).status_code == 200


@pytest.mark.parametrize("role", ["staff", "governor", "parent", "dsl"])
def test_pupil_records_are_404_for_roles_that_do_not_manage_them(cast, client_for, role):
    client = client_for(getattr(cast, role))
    assert client.get(reverse("accounts:pupil_list")).status_code == 404
    assert client.get(reverse("accounts:pupil_detail", args=[cast.child.pk])).status_code == 404
