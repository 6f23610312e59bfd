"""The office looks after pupils, classes and parent links; clear errors, 404 across schools."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ParentLink, Pupil, Role, SchoolClass
from tests.factories import make_class, make_pupil, make_user

pytestmark = pytest.mark.django_db


def pupil_data(**overrides) -> dict:
    data = {"first_name": "Ruby", "last_name": "Stone", "school_class": "", "date_of_birth": "2019-03-02"}
    data.update(overrides)
    return data


def test_office_adds_a_pupil_to_a_class(cast, client_for):
    client = client_for(cast.office)
    response = client.post(
        reverse("accounts:pupil_create"), pupil_data(school_class=cast.school_class.pk, is_on_roll="on")
    )
    pupil = Pupil.objects.get(first_name="Ruby")
    assert response.url == pupil.get_absolute_url()
    assert pupil.school == cast.school
    assert pupil.school_class == cast.school_class
    assert "Saved Ruby Stone" in client.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the pupil&#x27;s date of birth."),
        ("31/02/2019", "Type the date of birth as day/month/year"),
        ((timezone.localdate() + timedelta(days=3)).isoformat(), "The date of birth is in the future"),
        ("1970-01-01", "older than 21"),
    ],
)
def test_a_wrong_date_of_birth_is_explained_and_nothing_typed_is_lost(cast, client_for, typed, message):
    response = client_for(cast.office).post(reverse("accounts:pupil_create"), pupil_data(date_of_birth=typed))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'value="Ruby"' in page and 'value="Stone"' in page
    assert not Pupil.objects.filter(first_name="Ruby").exists()


def test_a_failed_edit_keeps_the_pupils_name_in_the_heading(cast, client_for):
    url = reverse("accounts:pupil_edit", args=[cast.child.pk])
    page = client_for(cast.office).post(url, pupil_data(first_name="", date_of_birth="2018-05-17")).content.decode()
    assert '<h1 class="h3">Edit Mia Parent</h1>' in page
    assert "Type the pupil&#x27;s first name." in page


def test_a_pupil_cannot_be_put_in_another_schools_class(cast, client_for):
    foxes = SchoolClass.objects.get(school=cast.other_school, name="Foxes")
    response = client_for(cast.office).post(reverse("accounts:pupil_create"), pupil_data(school_class=foxes.pk))
    assert "Select a valid choice" in response.content.decode()


def test_office_adds_a_class_with_its_teacher(cast, client_for):
    client = client_for(cast.office)
    response = client.post(
        reverse("accounts:class_create"), {"name": " Kingfishers ", "year_group": "Year 2", "teacher": cast.staff.pk}
    )
    assert response.url == reverse("accounts:class_list")
    created = SchoolClass.objects.get(name="Kingfishers")
    assert (created.school, created.teacher) == (cast.school, cast.staff)
    page = client.get(response.url).content.decode()
    assert "Kingfishers" in page and "Priya Teacher" in page


def test_a_class_name_used_already_is_explained(cast, client_for):
    response = client_for(cast.office).post(reverse("accounts:class_create"), {"name": "otters", "year_group": "Y1"})
    assert "There is already a class called otters" in response.content.decode()
    assert 'value="Y1"' in response.content.decode()
    assert SchoolClass.objects.filter(school=cast.school).count() == 1


def test_the_same_class_name_is_fine_in_another_school(cast, client_for):
    client_for(cast.other_office).post(reverse("accounts:class_create"), {"name": "Otters"})
    assert SchoolClass.objects.filter(school=cast.other_school, name="Otters").exists()


def test_only_the_schools_own_staff_can_be_class_teacher(cast, client_for):
    outsider = make_user(cast.other_school, Role.STAFF, name="Olive Outsider")
    client = client_for(cast.office)
    form_page = client.get(reverse("accounts:class_create")).content.decode()
    assert "Priya Teacher" in form_page
    assert "Olive Outsider" not in form_page
    assert "Jo Parent" not in form_page
    response = client.post(reverse("accounts:class_create"), {"name": "Wrens", "teacher": outsider.pk})
    assert "Select a valid choice" in response.content.decode()


def test_office_renames_a_class(cast, client_for):
    url = reverse("accounts:class_edit", args=[cast.school_class.pk])
    client_for(cast.office).post(url, {"name": "Sea Otters", "year_group": "Year 1"})
    cast.school_class.refresh_from_db()
    assert cast.school_class.name == "Sea Otters"


def test_a_change_of_class_teacher_is_kept_in_the_history_with_who_made_it(cast, client_for):
    url = reverse("accounts:class_edit", args=[cast.school_class.pk])
    client_for(cast.office).post(url, {"name": cast.school_class.name, "teacher": cast.staff.pk})
    latest = cast.school_class.history.latest()
    assert (latest.teacher_id, latest.history_user) == (cast.staff.pk, cast.office)
    assert latest.prev_record is not None and latest.prev_record.teacher_id != cast.staff.pk


@pytest.mark.parametrize("role", ["office", "headteacher"])
def test_an_empty_class_is_deleted_after_confirming_and_kept_in_the_history(cast, client_for, role):
    wrens = make_class(cast.school, "Wrens")
    client = client_for(getattr(cast, role))
    assert "Delete this class" in client.get(reverse("accounts:class_edit", args=[wrens.pk])).content.decode()
    url = reverse("accounts:class_delete", args=[wrens.pk])
    assert "Delete the class Wrens?" in client.get(url).content.decode()
    assert SchoolClass.objects.filter(pk=wrens.pk).exists()  # Asking changes nothing.
    response = client.post(url)
    assert response.url == reverse("accounts:class_list")
    assert not SchoolClass.objects.filter(pk=wrens.pk).exists()
    assert SchoolClass.history.filter(id=wrens.pk, history_type="-", history_user=getattr(cast, role)).exists()


def test_a_class_with_pupils_is_not_deleted_and_the_page_says_how_many_to_move(cast, client_for):
    left = make_pupil(cast.school, cast.school_class, first="Ada", last="Gone")
    left.is_on_roll = False
    left.save()
    client = client_for(cast.office)
    url = reverse("accounts:class_delete", args=[cast.school_class.pk])
    page = client.get(url).content.decode()
    assert "Otters cannot be deleted yet" in page
    assert "3 pupils are still in Otters (1 of them no longer on roll)" in page
    assert f"?class={cast.school_class.pk}" in page
    assert "<form" not in page.split("<main", 1)[-1]
    # Posting anyway (an old tab, or a pupil added meanwhile) deletes nothing and says why.
    response = client.post(url)
    assert response.status_code == 200
    assert "3 pupils are still in Otters" in response.content.decode()
    assert SchoolClass.objects.filter(pk=cast.school_class.pk).exists()
    assert Pupil.objects.filter(school_class=cast.school_class).count() == 3


def test_office_removes_a_parent_link_after_confirming(cast, client_for):
    client = client_for(cast.office)
    link = ParentLink.objects.get(parent=cast.parent, pupil=cast.child)
    url = reverse("accounts:parent_link_remove", args=[cast.child.pk, link.pk])
    assert "Remove Jo Parent from Mia Parent?" in client.get(url).content.decode()
    response = client.post(url)
    assert response.url == cast.child.get_absolute_url()
    assert not ParentLink.objects.filter(pk=link.pk).exists()
    assert ParentLink.history.filter(id=link.pk, history_type="-", history_user=cast.office).exists()
    # The parent no longer sees the child.
    assert cast.child.full_name not in client_for(cast.parent).get(reverse("dashboard:home")).content.decode()


def test_a_link_of_another_pupil_cannot_be_removed_through_this_pupil(cast, client_for):
    other_link = ParentLink.objects.get(pupil=cast.other_child)
    url = reverse("accounts:parent_link_remove", args=[cast.child.pk, other_link.pk])
    assert client_for(cast.office).post(url).status_code == 404
    assert ParentLink.objects.filter(pk=other_link.pk).exists()


@pytest.mark.parametrize("intruder", ["other_office", "other_headteacher", "staff", "dsl", "governor", "parent"])
def test_every_records_page_with_an_id_is_404_for_other_schools_and_other_roles(cast, client_for, intruder):
    link = ParentLink.objects.get(parent=cast.parent, pupil=cast.child)
    client = client_for(getattr(cast, intruder))
    urls = [
        reverse("accounts:pupil_detail", args=[cast.child.pk]),
        reverse("accounts:pupil_edit", args=[cast.child.pk]),
        reverse("accounts:class_edit", args=[cast.school_class.pk]),
        reverse("accounts:class_delete", args=[cast.school_class.pk]),
        reverse("accounts:parent_link_remove", args=[cast.child.pk, link.pk]),
    ]
    if intruder == "dsl":
        # The DSL reads a pupil's page (and their cases there), and changes nothing on it.
        assert client.get(urls[0]).status_code == 200
        urls = urls[1:]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Taken", "first_name": "X"}).status_code == 404, url
    assert ParentLink.objects.filter(pk=link.pk).exists()
    cast.school_class.refresh_from_db()
    assert cast.school_class.name == "Otters"


@pytest.mark.parametrize("role", ["staff", "dsl", "governor", "parent"])
def test_class_pages_are_404_for_roles_that_do_not_manage_records(cast, client_for, role):
    client = client_for(getattr(cast, role))
    assert client.get(reverse("accounts:class_list")).status_code == 404
    assert client.get(reverse("accounts:class_create")).status_code == 404


def test_class_list_query_count_stays_flat(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.office)
    for size in (3, 30):
        for n in range(size):
            school_class = make_class(cast.school, f"Class {size}-{n}")
            school_class.teacher = make_user(cast.school, Role.STAFF)
            school_class.save()
            make_pupil(cast.school, school_class)
        with django_assert_max_num_queries(10):
            page = client.get(reverse("accounts:class_list")).content.decode()
        assert f"Class {size}-0" in page


def test_pupil_page_query_count_stays_flat(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.office)
    for size in (1, 6):
        for _ in range(size):
            ParentLink.objects.create(parent=make_user(cast.school, Role.PARENT), pupil=cast.child)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("accounts:pupil_detail", args=[cast.child.pk])).status_code == 200


@pytest.mark.parametrize("typed", ["mia", "Mia Parent", "parent mi", "  MIA  "])
def test_pupil_search_finds_a_child_by_any_part_of_their_name(cast, client_for, typed):
    page = client_for(cast.office).get(reverse("accounts:pupil_list"), {"q": typed}).content.decode()
    assert cast.child.get_absolute_url() in page
    assert cast.other_child.get_absolute_url() not in page


def test_pupil_search_and_class_filter_together(cast, client_for):
    make_pupil(cast.school, make_class(cast.school, "Kingfishers"), first="Mia", last="Brook")
    page = (
        client_for(cast.office)
        .get(reverse("accounts:pupil_list"), {"q": "mia", "class": cast.school_class.pk})
        .content.decode()
    )
    assert "Parent, Mia" in page
    assert "Brook, Mia" not in page
