"""The single invitation form finds children by name, with and without its script."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation, Pupil, SchoolClass
from tests.factories import make_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_rubys(cast):
    badgers = SchoolClass.objects.create(school=cast.school, name="Badgers", year_group="Year 2")
    older = make_pupil(cast.school, badgers, first="Ruby", last="Stone")
    Pupil.objects.filter(pk=older.pk).update(date_of_birth=date(2017, 3, 2))
    younger = make_pupil(cast.school, cast.school_class, first="Ruby", last="Stone")
    left = make_pupil(cast.school, cast.school_class, first="Ruby", last="Gone")
    Pupil.objects.filter(pk=left.pk).update(is_on_roll=False)
    make_pupil(cast.other_school, None, first="Ruby", last="Elsewhere")
    return older, younger


def test_search_shows_class_and_date_of_birth_to_tell_two_children_apart(cast, two_rubys, client_for):
    page = client_for(cast.office).get(reverse("accounts:pupil_search"), {"q": "ruby st"}).content.decode()
    assert "Badgers · born 02/03/2017" in page
    assert "Otters · born 17/05/2018" in page
    assert "Gone" not in page and "Elsewhere" not in page  # off roll; another school
    assert "<html" not in page  # a fragment for the form's script


def test_search_needs_two_letters_and_leaves_out_the_children_already_chosen(cast, two_rubys, client_for):
    client = client_for(cast.office)
    assert "Ruby" not in client.get(reverse("accounts:pupil_search"), {"q": "r"}).content.decode()
    older, younger = two_rubys
    page = client.get(reverse("accounts:pupil_search"), {"q": "ruby", "chosen": [older.pk]}).content.decode()
    assert f'value="{younger.pk}"' in page and f'value="{older.pk}"' not in page


def test_search_says_when_nobody_matches(cast, client_for):
    page = client_for(cast.office).get(reverse("accounts:pupil_search"), {"q": "Zebedee"}).content.decode()
    assert "No child on the roll is called “Zebedee”" in page


@pytest.mark.parametrize("role", ["staff", "governor", "parent"])
def test_search_is_for_the_headteacher_dsl_and_office_only(cast, client_for, role):
    response = client_for(getattr(cast, role)).get(reverse("accounts:pupil_search"), {"q": "Mia"})
    assert response.status_code == 404


def test_another_schools_office_finds_none_of_this_schools_children(cast, client_for):
    page = client_for(cast.other_office).get(reverse("accounts:pupil_search"), {"q": "Mia"}).content.decode()
    assert "Mia Parent" not in page and "found" not in page


def test_the_form_lists_no_pupil_until_a_name_is_typed(cast, two_rubys, client_for):
    page = client_for(cast.office).get(reverse("accounts:invitation_create")).content.decode()
    assert "Ruby" not in page and "Mia" not in page
    assert "js/pupil-search.js" in page


def test_without_the_script_the_office_searches_ticks_and_sends(
    cast, two_rubys, client_for, django_capture_on_commit_callbacks
):
    older, younger = two_rubys
    client = client_for(cast.office)
    typed = {"full_name": "Kate Stone", "email": "kate@example.org", "relationship": "mother"}
    found = client.post(reverse("accounts:invitation_create"), {**typed, "find": "stone", "action": "search"})
    page = found.content.decode()
    assert found.status_code == 200
    assert "Badgers · born 02/03/2017" in page and 'value="Kate Stone"' in page
    assert "Find the child" not in page  # a search is not a failed send
    # Tick the younger Ruby, then search again for a sibling: the tick is kept.
    again = client.post(
        reverse("accounts:invitation_create"),
        {**typed, "pupils": [younger.pk], "find": "mia", "action": "search"},
    ).content.decode()
    assert f'value="{younger.pk}" id="pupil-{younger.pk}" checked' in again
    assert "Mia Parent" in again
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("accounts:invitation_create"),
            {**typed, "pupils": [younger.pk, cast.child.pk], "action": "send"},
        )
    assert sent.status_code == 302
    invitation = Invitation.objects.get()
    assert set(invitation.pupils.all()) == {younger, cast.child}
    assert mail.outbox[0].to == ["kate@example.org"]


def test_sending_without_a_child_says_what_to_do_and_keeps_what_was_typed(cast, client_for):
    response = client_for(cast.office).post(
        reverse("accounts:invitation_create"),
        {"full_name": "Kate Stone", "email": "kate@example.org", "relationship": "mother", "action": "send"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Find the child (or children) to link" in page and 'value="kate@example.org"' in page
    assert not Invitation.objects.exists()
