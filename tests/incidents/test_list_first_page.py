"""The incident list as most visits open it (no filter, first page) is read by its own prepared
query (`incidents.access.newest_cases_for`): it must list exactly what the filtered path lists."""

from __future__ import annotations

import pytest
from django.urls import reverse

LIST = reverse("incidents:list")


def refs(response) -> list[str]:
    return [incident.reference for incident in response.context["page"]]


@pytest.fixture
def small_pages(monkeypatch):
    from incidents.views import cases

    monkeypatch.setattr(cases, "PAGE_SIZE", 3)


def test_the_first_page_is_the_same_opened_plain_or_through_the_filters(cast, client_for, file_report, small_pages):
    made = [file_report() for _ in range(4)]
    client = client_for(cast.headteacher)
    plain, filtered = client.get(LIST), client.get(LIST, {"page": 1, "status": ""})
    newest_first = [incident.reference for incident in reversed(made)]
    assert refs(plain) == refs(filtered) == newest_first[:3]
    assert plain.context["page"].has_next and filtered.context["page"].has_next
    assert refs(client.get(LIST, {"page": 2})) == newest_first[3:]
    # The page reads the rows afresh: a case reported since shows at once, and the oldest moves on.
    newest = file_report()
    assert refs(client.get(LIST)) == [newest.reference, *newest_first[:2]]


def test_a_school_with_no_more_cases_than_a_page_has_no_next_page(cast, client_for, file_report, small_pages):
    file_report(), file_report()
    page = client_for(cast.headteacher).get(LIST).context["page"]
    assert len(page) == 2 and not page.has_next


def test_another_schools_cases_never_show(cast, client_for, file_report):
    ours = file_report()
    theirs = file_report(reporter=cast.other_school_parent, school=cast.other_school)
    body = client_for(cast.headteacher).get(LIST).content.decode()
    assert ours.reference in body and theirs.reference not in body
    body = client_for(cast.other_headteacher).get(LIST).content.decode()
    assert theirs.reference in body and ours.reference not in body


def test_a_case_page_read_for_one_school_is_never_served_to_another(cast, client_for, file_report):
    ours = file_report()
    theirs = file_report(reporter=cast.other_school_parent, school=cast.other_school)
    ours_client = client_for(cast.headteacher)
    assert ours_client.get(ours.get_absolute_url()).status_code == 200  # compiled for this school
    assert ours_client.get(theirs.get_absolute_url()).status_code == 404
    theirs_client = client_for(cast.other_headteacher)
    assert theirs_client.get(theirs.get_absolute_url()).status_code == 200
    assert theirs_client.get(ours.get_absolute_url()).status_code == 404


def test_natures_are_the_same_for_a_page_of_cases_and_for_more_than_are_prepared(cast, file_report):
    from incidents.access import attach_nature_codes
    from incidents.models import Incident, Nature
    from schoolsocial.lib.prepared import IDS_PREPARED_AT_MOST as PREPARED_IDS_AT_MOST

    made = [file_report(natures=[Nature.COMPLAINT, Nature.THREAT]) for _ in range(3)]
    few = list(Incident.objects.filter(pk__in=[i.pk for i in made]))
    attach_nature_codes(few)
    assert [sorted(i.known_nature_codes) for i in few] == [sorted([Nature.COMPLAINT, Nature.THREAT])] * 3
    many = [Incident(pk=n) for n in range(10**6, 10**6 + PREPARED_IDS_AT_MOST)] + few  # past the prepared counts
    attach_nature_codes(many)
    assert [sorted(i.known_nature_codes) for i in many[-3:]] == [sorted([Nature.COMPLAINT, Nature.THREAT])] * 3
    assert all(i.known_nature_codes == [] for i in many[:-3])
