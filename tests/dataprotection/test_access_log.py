"""The access log, searched by the DPO: "who opened this child's records this term"."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from schoolsocial.lib.terms import term_for

ACCESS_LOG = reverse("dataprotection:access_log")


def opened(user, obj, school, *, days_ago=0, action="view"):
    return AccessLog.objects.create(
        user=user,
        school=school,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj),
        at=timezone.now() - timedelta(days=days_ago),
    )


def shown(response) -> list[tuple[str, str]]:
    return [(row["entry"].user.full_name, row["entry"].object_repr) for row in response.context["rows"]]


def test_who_opened_this_childs_records_this_term(cast, dpo, client_for, file_report):
    # A case about Mia: the office opens her record, the headteacher her case, the DSL the case too.
    case = file_report(content="Someone posted Mia's photo", targeted="Mia Parent, Otters class")
    opened(cast.office, cast.child, cast.school)
    opened(cast.headteacher, case, cast.school)
    opened(cast.dsl, case, cast.school, action="view-timeline")
    # Not Mia's: another child's record, and another school's case.
    opened(cast.office, cast.other_child, cast.school)
    theirs = file_report(reporter=cast.other_school_parent, school=cast.other_school, targeted="Mia Parent")
    opened(cast.other_headteacher, theirs, cast.other_school)
    # Mia's, but last year: outside this term.
    _, term_start, _ = term_for(timezone.localdate())
    opened(cast.office, cast.child, cast.school, days_ago=(timezone.localdate() - term_start).days + 30)

    client = client_for(dpo)
    response = client.get(ACCESS_LOG, {"pupil": cast.child.pk, "since": term_start.isoformat()})
    assert response.status_code == 200
    assert sorted(shown(response)) == sorted(
        [
            ("Carol Office", "Mia Parent"),
            ("Aisha Head", case.reference),
            ("Tom Safeguard", case.reference),
        ]
    )
    assert "3 times a record was opened, among Mia Parent" in response.content.decode()
    # The DPO's search is itself logged against the child.
    assert AccessLog.objects.filter(user=dpo, action="search-access-log", object_id=str(cast.child.pk)).exists()

    everything = client.get(ACCESS_LOG, {"pupil": cast.child.pk, "since": ""})
    assert len(shown(everything)) == 5  # last year's opening, and the DPO's own first search
    assert ("Dee Protection", "Mia Parent") in shown(everything)


def test_the_page_opens_on_this_term(cast, dpo, client_for):
    _, term_start, _ = term_for(timezone.localdate())
    opened(cast.office, cast.child, cast.school)
    opened(cast.office, cast.child, cast.school, days_ago=(timezone.localdate() - term_start).days + 2)
    response = client_for(dpo).get(ACCESS_LOG)
    assert response.context["form"]["since"].value() == term_start
    assert len(response.context["rows"]) == 1


def test_search_by_person_and_by_record(cast, dpo, client_for, file_report):
    case = file_report()
    opened(cast.headteacher, case, cast.school)
    opened(cast.office, cast.child, cast.school)
    client = client_for(dpo)
    assert shown(client.get(ACCESS_LOG, {"person": "carol"})) == [("Carol Office", "Mia Parent")]
    assert shown(client.get(ACCESS_LOG, {"person": "head@example"})) == [("Aisha Head", case.reference)]
    by_record = client.get(ACCESS_LOG, {"record_type": "incidents.incident", "record": case.pk})
    assert shown(by_record) == [("Aisha Head", case.reference)]


def test_another_schools_dpo_sees_none_of_it(cast, dpo, other_dpo, client_for):
    opened(cast.office, cast.child, cast.school)
    client = client_for(other_dpo)
    assert shown(client.get(ACCESS_LOG, {"since": ""})) == []
    # Our pupil is not a choice for them: the search is refused, not answered.
    response = client.get(ACCESS_LOG, {"pupil": cast.child.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["pupil"]
    assert shown(response) == []


def test_bad_input_gets_a_message_not_an_error(cast, dpo, client_for):
    client = client_for(dpo)
    response = client.get(ACCESS_LOG, {"since": "2026-05-01", "until": "2026-04-01", "record": "abc", "person": "Jo"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "The end date is before the start date." in text
    assert "Type the record&#x27;s number" in text
    assert 'value="Jo"' in text  # what was typed is kept
    assert client.get(ACCESS_LOG, {"since": "not a date", "page": "x"}).status_code == 200


@pytest.mark.django_db
def test_paginated_with_a_fixed_number_of_queries(cast, dpo, client_for, django_assert_max_num_queries):
    for _ in range(120):
        opened(cast.office, cast.child, cast.school)
    client = client_for(dpo)
    with django_assert_max_num_queries(20):
        response = client.get(ACCESS_LOG, {"pupil": cast.child.pk})
    assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.num_pages == 3
    with django_assert_max_num_queries(20):
        assert len(client.get(ACCESS_LOG, {"pupil": cast.child.pk, "page": 3}).context["rows"]) == 21
