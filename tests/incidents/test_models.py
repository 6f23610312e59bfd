"""Invariants held by the models themselves: transitions, references, immutable evidence."""

import itertools
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from incidents import actions
from incidents.models import ALLOWED_TRANSITIONS, Evidence, Incident, InvalidTransition, Platform, Status


def test_common_platforms_are_filled_in_by_the_migration(db):
    names = set(Platform.objects.values_list("name", flat=True))
    assert {
        "Facebook",
        "Instagram",
        "WhatsApp",
        "Snapchat",
        "TikTok",
        "X (Twitter)",
        "YouTube",
        "Discord",
        "Roblox",
        "Other",
    } <= names
    assert any("chat group" in name for name in names)
    assert Platform.objects.get(name="TikTok").minimum_age == 13
    assert Platform.objects.get(name="Facebook").report_url.startswith("https://")


def test_every_status_has_a_transition_entry():
    assert set(ALLOWED_TRANSITIONS) == set(Status)
    assert ALLOWED_TRANSITIONS[Status.CLOSED] == frozenset()


@pytest.mark.parametrize("current,new", list(itertools.product(Status, Status)))
def test_the_model_refuses_transitions_the_map_does_not_allow(file_report, current, new):
    if current == new:
        return
    incident = file_report()
    Incident.objects.filter(pk=incident.pk).update(status=current)
    incident = Incident.objects.get(pk=incident.pk)
    incident.status = new
    if new in ALLOWED_TRANSITIONS[current]:
        incident.save()
        assert Incident.objects.get(pk=incident.pk).status == new
    else:
        with pytest.raises(InvalidTransition):
            incident.save()
        assert Incident.objects.get(pk=incident.pk).status == current


def test_references_count_per_school_and_year(cast, file_report):
    first, second = file_report(), file_report()
    elsewhere = file_report(reporter=cast.other_school_parent, school=cast.other_school)
    year = first.created_at.year
    assert first.reference == f"NBP-{year}-0001"
    assert second.reference == f"NBP-{year}-0002"
    assert elsewhere.reference == f"HVP-{year}-0001"


def test_a_new_year_starts_again_at_one(cast):
    from django.db import transaction

    with transaction.atomic():
        assert actions.next_reference(cast.school, 2031) == (1, "NBP-2031-0001")
        assert actions.next_reference(cast.school, 2031) == (2, "NBP-2031-0002")
        assert actions.next_reference(cast.school, 2032) == (1, "NBP-2032-0001")


def test_incidents_and_evidence_cannot_be_deleted(file_report):
    incident = file_report(files=1)
    with pytest.raises(ValidationError):
        incident.delete()
    with pytest.raises(ValidationError):
        incident.evidence.get().delete()
    # Nor in bulk, which would go round the model's own delete().
    with pytest.raises(ValidationError):
        Evidence.objects.filter(incident=incident).delete()
    with pytest.raises(ValidationError):
        incident.evidence.all().delete()
    assert incident.evidence.count() == 1


def test_evidence_cannot_be_overwritten(file_report):
    evidence = file_report(files=1).evidence.get()
    file_sha = evidence.sha256
    evidence.sha256 = "0" * 64
    with pytest.raises(ValidationError):
        evidence.save()
    evidence = Evidence.objects.get(pk=evidence.pk)
    evidence.description = "Screenshot from the parents' group"
    evidence.save()  # describing it is fine
    for change in ({"sha256": "0" * 64}, {"file": "evidence/other.png"}, {"size": 1}, {"uploaded_by_id": 1}):
        with pytest.raises(ValidationError):
            Evidence.objects.filter(pk=evidence.pk).update(**change)
    assert Evidence.objects.filter(pk=evidence.pk).update(description="Described in bulk") == 1
    assert Evidence.objects.get(pk=evidence.pk).sha256 == file_sha


def test_overdue_flag(file_report):
    incident = file_report()
    incident.next_due_on = date(2020, 1, 1)
    assert incident.is_overdue
    incident.next_due_on = None
    assert not incident.is_overdue


def test_every_change_is_in_the_audit_history(cast, file_report):
    incident = file_report()
    actions.change_status(incident=incident, by=cast.headteacher, status=Status.NO_ACTION, reason="Not about us.")
    assert [h.status for h in incident.history.order_by("history_date")] == [Status.REPORTED, Status.NO_ACTION]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_reports_never_share_a_reference(cast):
    """Eight threads take numbers at once. SQLite's in-memory test database cannot be shared
    between threads, so this runs on PostgreSQL (make test)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves several connections (PostgreSQL)")

    def take(_):
        try:
            with transaction.atomic():
                return actions.next_reference(cast.school, 2030)[1]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        references = list(pool.map(take, range(40)))
    assert len(set(references)) == 40
    assert sorted(references)[-1] == "NBP-2030-0040"
