"""Choosing the parent who posted at triage: found by name, each shown with their children and
classes (and email), so two parents of the same name are told apart; with and without the script;
only for those who triage, and only the acting school's parents."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import ParentLink, Role, SchoolClass
from incidents.models import Incident
from tests.factories import make_pupil, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_fatimas(cast):
    badgers = SchoolClass.objects.create(school=cast.school, name="Badgers", year_group="Year 4")
    first = make_user(cast.school, Role.PARENT, name="Fatima Evans", email="fatima.e@example.org")
    second = make_user(cast.school, Role.PARENT, name="Fatima Evans", email="f.evans@example.net")
    make_pupil(cast.school, cast.school_class, first="Omar", last="Evans", parent=first)
    make_pupil(cast.school, badgers, first="Lily", last="Evans", parent=second)
    elsewhere = make_user(cast.other_school, Role.PARENT, name="Fatima Evans", email="other.school@example.org")
    make_pupil(cast.other_school, None, first="Zara", last="Evans", parent=elsewhere)
    return first, second


def search(client, query: str) -> str:
    return client.get(reverse("incidents:parent_search"), {"q": query}).content.decode()


def test_two_parents_of_the_same_name_are_told_apart_by_their_children_and_classes(cast, client_for, two_fatimas):
    first, second = two_fatimas
    page = search(client_for(cast.headteacher), "fatima ev")
    rows = page.split("<li")[1:]
    assert len(rows) == 2  # not the other school's Fatima Evans
    by_value = {row.split('value="')[1].split('"')[0]: row for row in rows}
    assert "of Omar Evans (Otters)" in by_value[str(first.pk)] and "fatima.e@example.org" in by_value[str(first.pk)]
    assert "of Lily Evans (Badgers)" in by_value[str(second.pk)] and "f.evans@example.net" in by_value[str(second.pk)]
    assert "Zara" not in page and "other.school@example.org" not in page
    assert "<html" not in page  # a fragment for the form's script


def test_the_search_needs_two_letters_says_when_nobody_matches_and_escapes_names(cast, client_for):
    client = client_for(cast.dsl)
    assert "Jo Parent" not in search(client, "j")
    assert "No parent or carer at the school is called “Zebedee”" in search(client, "Zebedee")
    make_user(cast.school, Role.PARENT, name="<img src=x onerror=alert(1)> Evans")
    page = search(client, "evans")
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt; Evans" in page
    assert "&lt;script" in search(client, "<script>x")  # what was typed, escaped


@pytest.mark.parametrize("role", ["staff", "governor", "parent", "office"])
def test_the_parent_search_is_for_those_who_triage_only(cast, client_for, two_fatimas, role):
    response = client_for(getattr(cast, role)).get(reverse("incidents:parent_search"), {"q": "Fatima"})
    assert response.status_code == 404


def test_another_schools_headteacher_finds_only_their_own_parents(cast, client_for, two_fatimas):
    page = search(client_for(cast.other_headteacher), "Fatima")
    assert "other.school@example.org" in page and "of Zara Evans" in page
    assert "fatima.e@example.org" not in page and "Omar" not in page


def test_triage_without_the_script_finds_the_parent_and_saves_the_one_chosen(
    cast, client_for, file_report, two_fatimas
):
    first, second = two_fatimas
    incident = file_report()
    client = client_for(cast.headteacher)
    url = reverse("incidents:triage", args=[incident.pk])
    typed = {"severity": "high", "natures": ["cyberbullying"], "poster_kind": "parent", "owner": cast.dsl.pk}
    found = client.post(url, {**typed, "find_parent": "fatima", "action": "search_parent"}).content.decode()
    results = found.split('id="parent-results"')[1]
    assert "of Lily Evans (Badgers)" in results and "of Omar Evans (Otters)" in results
    assert f'type="radio" name="poster_parent" value="{second.pk}"' in results
    assert '<option value="high" selected>High</option>' in found  # what was chosen stays
    saved = client.post(url, {**typed, "poster_parent": second.pk, "action": "save"})
    assert saved.status_code == 302
    assert Incident.objects.get(pk=incident.pk).poster_parent == second
    # Opening the triage again shows the chosen parent with their child, ready to change.
    again = client.get(url).content.decode()
    chosen = again.split('id="chosen-parent"')[1].split("</ul>")[0]
    assert f'value="{second.pk}" id="parent-{second.pk}" checked' in chosen and "of Lily Evans (Badgers)" in chosen


def test_a_parent_of_another_school_cannot_be_chosen(cast, client_for, file_report):
    incident = file_report()
    response = client_for(cast.headteacher).post(
        reverse("incidents:triage", args=[incident.pk]),
        {
            "severity": "high",
            "natures": ["cyberbullying"],
            "poster_kind": "parent",
            "owner": cast.dsl.pk,
            "poster_parent": cast.other_school_parent.pk,
        },
    )
    assert response.status_code == 400
    assert Incident.objects.get(pk=incident.pk).poster_parent is None
    assert "Lee Elsewhere" not in response.content.decode()


def test_the_parent_search_costs_the_same_queries_for_many_parents(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.headteacher)
    for n in range(3):
        parent = make_user(cast.school, Role.PARENT, name=f"Chris Moss{n}")
        make_pupil(cast.school, cast.school_class, first=f"Kid{n}", last="Moss", parent=parent)
    search(client, "moss")
    with django_assert_max_num_queries(12) as captured:
        search(client, "moss")
    few = len(captured.captured_queries)
    for n in range(10):
        parent = make_user(cast.school, Role.PARENT, name=f"Chris Moss{n + 3}")
        make_pupil(cast.school, cast.school_class, first=f"Kid{n + 3}", last="Moss", parent=parent)
        ParentLink.objects.create(parent=parent, pupil=cast.child, relationship="carer")
    with django_assert_max_num_queries(few):
        page = search(client, "moss")
    assert page.count("<li") == 13
