"""One incident can concern several pupils, each in a part (posted it, the poster's child, in the
post, targeted): linked at triage with and without the page's script, listed on the incident, on
each pupil's page, never a pupil of another school, never for a role that may not see the case."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import SchoolClass
from incidents import actions
from incidents.models import EntryKind, Incident, IncidentPupil, PupilRole
from tests.factories import make_pupil

pytestmark = pytest.mark.django_db


def triage_data(cast, **extra) -> dict:
    return {
        "severity": "high",
        "natures": ["cyberbullying"],
        "poster_kind": "parent",
        "owner": cast.headteacher.pk,
        **extra,
    }


def links_of(incident: Incident) -> dict[str, str]:
    return {link.pupil.full_name: link.role for link in IncidentPupil.objects.filter(incident=incident)}


@pytest.fixture
def targeted(cast):
    badgers = SchoolClass.objects.create(school=cast.school, name="Badgers", year_group="Year 4")
    return make_pupil(cast.school, badgers, first="Noor", last="Haddad")


def test_triage_links_three_pupils_each_in_their_part_and_each_shows_on_the_case_and_their_page(
    cast, client_for, file_report, targeted
):
    incident = file_report()
    client = client_for(cast.headteacher)
    pupils = {cast.other_child.pk: "poster_child", cast.child.pk: "in_post", targeted.pk: "targeted"}
    response = client.post(
        reverse("incidents:triage", args=[incident.pk]),
        triage_data(
            cast,
            poster_parent=cast.other_parent.pk,
            pupils=list(pupils),
            **{f"pupil_role_{pk}": role for pk, role in pupils.items()},
        ),
    )
    assert response.status_code == 302
    assert links_of(incident) == {"Alex Other": "poster_child", "Mia Parent": "in_post", "Noor Haddad": "targeted"}
    # The timeline says what changed without naming a child.
    summary = incident.timeline.get(kind=EntryKind.TRIAGED).summary
    assert "linked a pupil as the child targeted" in summary and "Noor" not in summary

    page = client.get(incident.get_absolute_url()).content.decode()
    linked = page.split('aria-label="Pupils this case concerns"')[1].split("</ul>")[0]
    assert linked.index("Alex Other") < linked.index("Mia Parent")  # the poster's side first
    assert "Badgers · the child targeted" in linked and "Otters · a child in the post" in linked
    assert f'href="{targeted.get_absolute_url()}"' in linked

    for pupil, part in ((targeted, "The child targeted"), (cast.child, "A child in the post")):
        record = client.get(reverse("accounts:pupil_detail", args=[pupil.pk])).content.decode()
        assert f'href="{incident.get_absolute_url()}">{incident.reference}</a>' in record
        assert f"{part} · Facebook" in record


def test_unticking_a_pupil_takes_them_off_and_a_part_can_change(cast, client_for, file_report, targeted):
    incident = file_report()
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="high",
        natures=["cyberbullying"],
        poster_kind="parent",
        owner=cast.headteacher,
        pupil_links=[(cast.child, "in_post"), (targeted, "in_post")],
    )
    client = client_for(cast.headteacher)
    form = client.get(reverse("incidents:triage", args=[incident.pk])).content.decode()
    assert f'value="{targeted.pk}" id="pupil-{targeted.pk}" checked' in form
    assert '<option value="in_post" selected>A child in the post</option>' in form
    client.post(
        reverse("incidents:triage", args=[incident.pk]),
        triage_data(cast, pupils=[targeted.pk], **{f"pupil_role_{targeted.pk}": "targeted"}),
        follow=True,
    )
    assert links_of(incident) == {"Noor Haddad": "targeted"}
    record = client.get(reverse("accounts:pupil_detail", args=[cast.child.pk])).content.decode()
    assert incident.reference not in record and "No incident is linked to this child." in record


def test_a_pupil_needs_a_part_and_the_part_must_agree_with_who_posted(cast, client_for, file_report):
    incident = file_report()
    client = client_for(cast.headteacher)
    url = reverse("incidents:triage", args=[incident.pk])
    no_part = client.post(url, triage_data(cast, pupils=[cast.child.pk]))
    assert no_part.status_code == 400
    assert "Choose the part Mia Parent plays in this case." in no_part.content.decode()
    # What was ticked is still ticked, so nothing has to be found again.
    assert f'value="{cast.child.pk}" id="pupil-{cast.child.pk}" checked' in no_part.content.decode()
    wrong = client.post(url, triage_data(cast, pupils=[cast.child.pk], **{f"pupil_role_{cast.child.pk}": "poster"}))
    assert wrong.status_code == 400
    assert "You linked Mia Parent as “the pupil who posted”, but “Who posted it” is not “A pupil”." in (
        wrong.content.decode().replace("&#x27;", "'")
    )
    assert not IncidentPupil.objects.exists()


def test_a_pupil_of_another_school_cannot_be_linked_by_the_page_or_the_action(cast, client_for, file_report):
    incident = file_report()
    kai = cast.other_school_child
    response = client_for(cast.headteacher).post(
        reverse("incidents:triage", args=[incident.pk]),
        triage_data(cast, pupils=[cast.child.pk, kai.pk], **{f"pupil_role_{kai.pk}": "targeted"}),
    )
    assert response.status_code == 400 and "not on your school&#x27;s roll" in response.content.decode()
    assert "Kai" not in response.content.decode()
    with pytest.raises(actions.ActionError, match="another school"):
        actions.triage(
            incident=incident,
            by=cast.headteacher,
            severity="high",
            natures=["cyberbullying"],
            poster_kind="parent",
            owner=cast.headteacher,
            pupil_links=[(cast.child, "in_post"), (kai, "targeted")],
        )
    incident.refresh_from_db()
    assert not IncidentPupil.objects.exists() and incident.status == "reported"  # nothing half-done


def test_without_the_script_the_search_button_finds_pupils_and_keeps_everything_typed(
    cast, client_for, file_report, targeted
):
    incident = file_report()
    response = client_for(cast.headteacher).post(
        reverse("incidents:triage", args=[incident.pk]),
        {
            **triage_data(cast, severity=""),  # not judged yet: a search is not a save
            "pupils": [cast.child.pk],
            f"pupil_role_{cast.child.pk}": "in_post",
            "find_pupil": "noor",
            "action": "search_pupils",
            "note": "Spoke to Noor's mum",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "This field is required" not in page
    assert f'value="{cast.child.pk}" id="pupil-{cast.child.pk}" checked' in page  # still ticked
    assert '<option value="in_post" selected>A child in the post</option>' in page
    results = page.split('id="pupil-results"')[1]
    assert "Noor Haddad <span" in results and "Badgers" in results
    assert f'name="pupil_role_{targeted.pk}"' in results
    assert "Spoke to Noor&#x27;s mum" in page
    assert not IncidentPupil.objects.exists()


def test_pupil_search_fragment_offers_the_parts_and_escapes_names(cast, client_for):
    make_pupil(cast.school, cast.school_class, first="<b>Zed</b>", last="Quill")
    page = client_for(cast.dsl).get(reverse("incidents:pupil_search"), {"q": "quill"}).content.decode()
    assert "&lt;b&gt;Zed&lt;/b&gt; Quill" in page and "<b>Zed" not in page
    for value, label in PupilRole.choices:
        assert f'<option value="{value}">{label}</option>'.replace("'", "&#x27;") in page
    assert "<html" not in page
    # The children already ticked on the form are not offered again.
    zed = page.split('name="pupils" value="')[1].split('"')[0]
    again = (
        client_for(cast.dsl).get(reverse("incidents:pupil_search"), {"q": "quill", "chosen": [zed]}).content.decode()
    )
    assert f'value="{zed}"' not in again


@pytest.mark.parametrize("role", ["staff", "governor", "parent", "office"])
def test_the_pupil_search_for_triage_is_for_those_who_triage_only(cast, client_for, role):
    response = client_for(getattr(cast, role)).get(reverse("incidents:pupil_search"), {"q": "Mia"})
    assert response.status_code == 404


def test_another_schools_headteacher_finds_none_of_this_schools_pupils(cast, client_for):
    page = client_for(cast.other_headteacher).get(reverse("incidents:pupil_search"), {"q": "Parent"}).content.decode()
    assert "Mia" not in page and "No child on the roll" in page
    page = client_for(cast.other_headteacher).get(reverse("incidents:pupil_search"), {"q": "Kai"}).content.decode()
    assert "Kai Elsewhere" in page


def test_the_links_are_only_for_those_who_may_see_the_case(cast, client_for, file_report, targeted):
    incident = file_report()
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="high",
        natures=["cyberbullying"],
        poster_kind="parent",
        owner=cast.headteacher,
        pupil_links=[(targeted, "targeted")],
    )
    # The parent who reported it follows their report, and sees no pupil linked to it.
    status = client_for(cast.parent).get(reverse("incidents:report_status", args=[incident.pk])).content.decode()
    assert "Noor" not in status
    for who in ("office", "staff", "governor"):
        client = client_for(getattr(cast, who))
        assert client.get(incident.get_absolute_url()).status_code == 404, who
        record = client.get(reverse("accounts:pupil_detail", args=[targeted.pk]))
        assert incident.reference not in record.content.decode(), who
    # Another school's headteacher: the case and the child are not there at all.
    other = client_for(cast.other_headteacher)
    assert other.get(incident.get_absolute_url()).status_code == 404
    assert other.get(reverse("accounts:pupil_detail", args=[targeted.pk])).status_code == 404
    assert other.get(reverse("incidents:triage", args=[incident.pk])).status_code == 404


def test_the_pupil_page_lists_incidents_without_a_query_per_incident(
    cast, client_for, targeted, django_assert_max_num_queries
):
    from django.utils import timezone

    from tests.complaints.conftest import make_incident

    for part in ("targeted", "in_post", "poster_child", "targeted", "in_post"):
        make_incident(cast.school, cast.staff, created=timezone.now(), pupils=[(targeted, part)])
    client = client_for(cast.dsl)
    url = reverse("accounts:pupil_detail", args=[targeted.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as captured:
        page = client.get(url).content.decode()
    assert page.count("The child targeted · Facebook") == 2
    few = len(captured.captured_queries)
    for _ in range(5):
        make_incident(cast.school, cast.staff, created=timezone.now(), pupils=[(targeted, "targeted")])
    with django_assert_max_num_queries(few):
        client.get(url)
