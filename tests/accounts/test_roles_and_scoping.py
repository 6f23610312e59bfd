import pytest
from django.urls import reverse

from accounts.models import Membership, Role

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
        response = client_for(user).get(reverse("dashboard:home"))
        assert response.status_code == 200, user
        assert text in response.content.decode(), user


def test_parent_home_lists_only_their_own_children(cast, client_for):
    page = client_for(cast.parent).get(reverse("dashboard:home")).content.decode()
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
    # A DSL may look a pupil up (records.view_pupils) and see their cases, but not edit the records.
    expected = 200 if role == "dsl" else 404
    assert client.get(reverse("accounts:pupil_detail", args=[cast.child.pk])).status_code == expected


@pytest.fixture
def head_of_two(cast):
    """A headteacher who runs both schools of the cluster (a common federation set-up)."""
    Membership.objects.create(user=cast.headteacher, school=cast.other_school, role=Role.HEADTEACHER)
    return cast.headteacher


def membership_of(user, school) -> Membership:
    return Membership.objects.get(user=user, school=school)


def test_a_head_of_two_schools_switches_and_sees_only_the_current_schools_pupils(cast, client_for, head_of_two):
    client = client_for(head_of_two)
    assert "Acting as" in client.get(reverse("dashboard:home")).content.decode()
    client.post(reverse("accounts:switch_school"), {"membership": membership_of(head_of_two, cast.school).pk})
    first = client.get(reverse("accounts:pupil_list")).content.decode()
    assert cast.child.get_absolute_url() in first
    assert cast.other_school_child.get_absolute_url() not in first

    response = client.post(
        reverse("accounts:switch_school"), {"membership": membership_of(head_of_two, cast.other_school).pk}
    )
    assert response.url == reverse("dashboard:home")
    switched = client.get(reverse("accounts:pupil_list")).content.decode()
    assert cast.other_school_child.get_absolute_url() in switched
    assert cast.child.get_absolute_url() not in switched
    # Records of the school they are not acting for are out of reach until they switch back.
    assert client.get(reverse("accounts:pupil_detail", args=[cast.child.pk])).status_code == 404
    assert client.get(reverse("accounts:pupil_detail", args=[cast.other_school_child.pk])).status_code == 200


def test_switching_to_someone_elses_membership_changes_nothing(cast, client_for, head_of_two):
    client = client_for(head_of_two)
    client.post(reverse("accounts:switch_school"), {"membership": membership_of(head_of_two, cast.school).pk})
    client.post(
        reverse("accounts:switch_school"), {"membership": membership_of(cast.other_office, cast.other_school).pk}
    )
    page = client.get(reverse("accounts:pupil_list")).content.decode()
    assert cast.child.get_absolute_url() in page
    assert cast.other_school_child.get_absolute_url() not in page


@pytest.mark.parametrize("value", ["", "abc", "1e9", "99999999999999999999"])
def test_switching_with_nonsense_is_not_an_error(cast, client_for, head_of_two, value):
    response = client_for(head_of_two).post(reverse("accounts:switch_school"), {"membership": value})
    assert response.status_code == 302


def test_a_parent_who_is_also_a_governor_switches_between_the_two(cast, client_for):
    Membership.objects.create(user=cast.parent, school=cast.school, role=Role.GOVERNOR)
    client = client_for(cast.parent)
    # The governor's page comes first; the parent's page is one switch away.
    assert "Governors' workspace" in client.get(reverse("dashboard:home")).content.decode()
    client.post(
        reverse("accounts:switch_school"), {"membership": Membership.objects.get(user=cast.parent, role=Role.PARENT).pk}
    )
    assert "Your children at Northbrook Primary School" in client.get(reverse("dashboard:home")).content.decode()


def test_another_schools_office_cannot_edit_a_pupil(cast, client_for):
    url = reverse("accounts:pupil_edit", args=[cast.child.pk])
    client = client_for(cast.other_office)
    assert client.get(url).status_code == 404
    response = client.post(url, {"first_name": "X", "last_name": "Y", "date_of_birth": "2018-01-01"})
    assert response.status_code == 404
    cast.child.refresh_from_db()
    assert cast.child.first_name == "Mia"
