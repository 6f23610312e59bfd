"""Restricted cases (an allegation about a member of staff) in subject access and destruction.

A request by the person the allegation is about finds the case (it is their data too), but
nothing from it is released until the DPO decides: each item is marked and starts withheld, and
"release the rest as they are" leaves it alone. Destroying a restricted case works like any other
and leaves only the destruction log."""

from __future__ import annotations

from django.utils import timezone

from dataprotection import actions, destruction, sar_actions
from dataprotection.gather import RESTRICTED_NOTE
from dataprotection.models import DestructionLog, ReviewItem, SarDecision, SarItem
from incidents import restriction
from incidents.models import Incident

from .conftest import closed_years_ago

WORDS = "grabbed my son by the arm"


def restricted(cast, file_report, **fields):
    incident = file_report(reporter=cast.parent, content=f"Mr Safeguard {WORDS} at pick-up.", files=1, **fields)
    return restriction.restrict(
        incident=incident,
        by=cast.headteacher,
        allegation_about=cast.dsl,
        handlers=[cast.headteacher],
        meets_harm_threshold=True,
        reason="An allegation about the DSL.",
    )


def test_a_request_by_the_person_concerned_finds_the_case_but_withholds_it(cast, file_report, dpo):
    incident = restricted(cast, file_report)
    sar = sar_actions.register_request(
        school=cast.school,
        by=dpo,
        requester_name=cast.dsl.full_name,
        requester_email=cast.dsl.email,
        relationship="self",
        received_on=timezone.localdate(),
        person=cast.dsl,
        identity_note="Known to the office",
    )
    sar_actions.gather_items(sar=sar, by=dpo)
    from_case = SarItem.objects.filter(request=sar, record_type__in=["incidents.incident", "incidents.evidence"])
    assert {item.record_id for item in from_case if item.record_type == "incidents.incident"} == {incident.pk}
    for item in from_case:
        assert item.decision == SarDecision.WITHHOLD and "restricted case" in item.withhold_reason
        assert item.notes[0] == RESTRICTED_NOTE
    # Releasing everything undecided "as it is" does not release the restricted case.
    for kind in {item.kind for item in from_case}:
        sar_actions.release_undecided_without_files(sar=sar, kind=kind, by=dpo)
    assert set(from_case.values_list("decision", flat=True)) == {SarDecision.WITHHOLD}


def test_a_restricted_case_is_destroyed_and_logged_like_any_other(cast, file_report, dpo):
    incident = closed_years_ago(restricted(cast, file_report), 7)
    actions.sweep_school(cast.school)
    item = ReviewItem.objects.get(object_key=str(incident.pk))
    log = destruction.destroy_item(item=item, by=dpo)
    assert log.reference == incident.reference and DestructionLog.objects.filter(pk=log.pk).exists()
    assert not Incident.objects.filter(pk=incident.pk).exists()
    assert not Incident.handlers.through.objects.filter(incident_id=incident.pk).exists()
    assert not Incident.history.model.objects.filter(id=incident.pk).exists()
