"""Pupils linked to a case in any part: a subject access request about any of them finds the case,
and destroying a pupil's record or the case takes the links and every history row of them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Pupil
from dataprotection import destruction
from dataprotection.gather import gather
from dataprotection.models import ReviewItem
from incidents import actions
from incidents.models import Incident, IncidentPupil
from tests.factories import make_pupil

pytestmark = pytest.mark.django_db


def link(cast, incident, pupil_links):
    return actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="high",
        natures=["cyberbullying"],
        poster_kind="parent",
        owner=cast.headteacher,
        poster_parent=cast.other_parent,
        pupil_links=pupil_links,
    )


def review(cast, record_type: str, pk: int, reference: str) -> ReviewItem:
    return ReviewItem.objects.create(
        school=cast.school,
        record_type=record_type,
        object_key=str(pk),
        reference=reference,
        due_on=timezone.localdate(),
        rule="Test rule",
    )


def test_a_subject_access_request_finds_the_case_for_a_pupil_linked_in_any_part(cast, file_report):
    incident = link(
        cast, file_report(targeted="the Year 4 class"), [(cast.child, "in_post"), (cast.other_child, "poster_child")]
    )
    unrelated = file_report(targeted="a teacher")
    for pupil in (cast.child, cast.other_child):
        items = gather(cast.school, pupil=pupil)
        keys = {item.key for item in items}
        assert f"incidents.incident:{incident.pk}" in keys and f"incidents.incident:{unrelated.pk}" not in keys
        case = next(item for item in items if item.key == f"incidents.incident:{incident.pk}")
        # The other child linked is someone else's data, listed for the DPO to redact.
        other = "Alex Other" if pupil == cast.child else "Mia Parent"
        assert other in case.other_people and pupil.full_name not in case.other_people
    # Another school's request about its own pupil does not reach this case.
    keys = {item.key for item in gather(cast.other_school, pupil=cast.other_school_child)}
    assert f"incidents.incident:{incident.pk}" not in keys


def test_destroying_a_pupil_takes_their_links_and_link_history_and_the_case_keeps_the_rest(cast, file_report):
    leaver = make_pupil(cast.school, cast.school_class, first="Rowan", last="Leaver")
    incident = link(cast, file_report(), [(leaver, "targeted"), (cast.child, "in_post")])
    other_case = link(cast, file_report(), [(leaver, "in_post")])
    # Unlinked from the second case before: only a history row remembers that link.
    link(cast, other_case, [(cast.other_child, "poster_child")])
    assert IncidentPupil.history.filter(pupil_id=leaver.pk).count() == 3
    Pupil.objects.filter(pk=leaver.pk).update(is_on_roll=False)
    destruction.destroy_item(item=review(cast, "pupil", leaver.pk, f"Pupil record {leaver.pk}"), by=cast.headteacher)

    assert not Pupil.objects.filter(pk=leaver.pk).exists()
    assert not IncidentPupil.objects.filter(pupil_id=leaver.pk).exists()
    assert not IncidentPupil.history.filter(pupil_id=leaver.pk).exists()
    assert [link.pupil for link in Incident.objects.get(pk=incident.pk).linked_pupils] == [cast.child]
    assert [link.pupil for link in Incident.objects.get(pk=other_case.pk).linked_pupils] == [cast.other_child]


def test_destroying_a_case_takes_its_links_and_their_history(cast, file_report):
    incident = link(cast, file_report(), [(cast.child, "targeted")])
    link(cast, incident, [(cast.other_child, "poster_child")])  # Mia's link now only in the history
    actions.change_status(incident=incident, by=cast.headteacher, status="resolved", reason="Post removed.")
    destruction.destroy_item(item=review(cast, "incident", incident.pk, incident.reference), by=cast.headteacher)
    assert not IncidentPupil.objects.exists()
    assert not IncidentPupil.history.filter(incident_id=incident.pk).exists()
    assert Pupil.objects.filter(pk__in=[cast.child.pk, cast.other_child.pk]).count() == 2
