"""Reviewing a subject access request: every gathered item is a review row; the DPO releases,
redacts (names, fields; the files of a redacted item deliberately) or withholds with a reason;
nothing is released while an item is undecided."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AccessLog
from dataprotection import sar_actions as actions
from dataprotection.models import RequestStatus, SarDecision, SarItem, SarRelease
from dataprotection.sar import REDACTED, redact_text, redacted_fields
from tests.dataprotection.test_destruction import FIRST, LAST, POST_WORDS, closed_case  # noqa: F401


@pytest.fixture
def gathered(cast, dpo, closed_case):  # noqa: F811
    _, child, _ = closed_case
    sar = actions.register_request(
        school=cast.school,
        by=dpo,
        requester_name="Jo Parent",
        requester_email="jo.parent@example.org",
        relationship="parent",
        received_on=date.today(),
        pupil=child,
        identity_note="Passport seen",
    )
    actions.gather_items(sar=sar, by=dpo)
    sar.refresh_from_db()
    return sar


def item_of(sar, kind: str) -> SarItem:
    return SarItem.objects.filter(request=sar, kind=kind).order_by("position")[0]


def test_redaction_takes_out_each_name_and_each_part_of_it():
    text = "Sam Other posted it; SAM OTHER again. Sam said so. Other people saw it; Samuel did not."
    assert redact_text(text, ["Sam Other"]) == (
        f"{REDACTED} posted it; {REDACTED} again. {REDACTED} said so. {REDACTED} people saw it; Samuel did not."
    )
    assert redacted_fields({"A": "Sam wrote", "B": "secret"}, names=["Sam Other"], fields=["B"]) == {
        "A": f"{REDACTED} wrote",
        "B": REDACTED,
    }


def test_gathering_stores_one_review_row_per_item(cast, dpo, gathered, closed_case):  # noqa: F811
    incident, child, _ = closed_case
    items = list(SarItem.objects.filter(request=gathered))
    kinds = {item.kind for item in items}
    assert {"Pupil record", "Incident", "Evidence", "Letter", "Complaint", "Access log"} <= kinds
    assert all(item.decision == SarDecision.PENDING for item in items)
    assert gathered.status == RequestStatus.IN_REVIEW
    case = item_of(gathered, "Incident")
    assert POST_WORDS in case.text["What the post says"] and "Sam Other" in case.other_people
    assert item_of(gathered, "Evidence").files and item_of(gathered, "Evidence").notes
    with pytest.raises(ValidationError):
        actions.gather_items(sar=gathered, by=dpo)  # once


def test_the_request_page_lists_the_items_to_decide(cast, dpo, gathered, client_for, django_assert_max_num_queries):
    client = client_for(dpo)
    client.get(gathered.get_absolute_url())
    with django_assert_max_num_queries(25):
        page = client.get(gathered.get_absolute_url()).content.decode()
    assert "Items to review" in page and "Not decided yet" in page
    assert "not decided yet. The answer can be released once every item is decided." in page


def test_reviewing_an_item_shows_it_and_logs_who_read_it(cast, dpo, gathered, client_for):
    case = item_of(gathered, "Incident")
    page = client_for(dpo).get(case.get_absolute_url()).content.decode()
    assert POST_WORDS in page and "Sam Other" in page
    entry = AccessLog.objects.filter(action="subject access review").get()
    assert entry.user == dpo and entry.object_type == "incidents.incident" and entry.object_id == str(case.record_id)


def test_redacting_needs_a_choice_of_names_or_parts(cast, dpo, gathered, client_for):
    case = item_of(gathered, "Incident")
    client = client_for(dpo)
    response = client.post(case.get_absolute_url(), {"decision": "redact"})
    assert response.status_code == 400 and "Choose the names or the parts to redact." in response.content.decode()
    response = client.post(case.get_absolute_url(), {"decision": "redact", "redact_names": ["Sam Other"]})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.decision == SarDecision.REDACT and case.redact_names == ["Sam Other"] and case.decided_by == dpo
    assert case.history.filter(decision=SarDecision.REDACT).exists()


def test_a_redacted_item_with_files_needs_a_deliberate_choice_for_them(cast, dpo, gathered, client_for):
    evidence = item_of(gathered, "Evidence")
    client = client_for(dpo)
    response = client.post(evidence.get_absolute_url(), {"decision": "redact", "redact_fields": ["Description"]})
    assert response.status_code == 400
    assert "Choose whether its files are left out or released as they are." in response.content.decode()
    with pytest.raises(ValidationError, match="cannot redact inside a file"):
        actions.decide_item(item=evidence, by=dpo, decision="redact", redact_fields=["Description"])
    actions.decide_item(item=evidence, by=dpo, decision="redact", redact_fields=["Description"], file_choice="withhold")
    evidence.refresh_from_db()
    assert evidence.file_choice == "withhold"


def test_withholding_needs_a_reason(cast, dpo, gathered, client_for):
    letter = item_of(gathered, "Letter")
    response = client_for(dpo).post(letter.get_absolute_url(), {"decision": "withhold"})
    assert response.status_code == 400 and "Say why it is withheld." in response.content.decode()
    assert SarItem.objects.get(pk=letter.pk).decision == SarDecision.PENDING


def test_a_name_the_item_does_not_hold_cannot_be_chosen(cast, dpo, gathered):
    case = item_of(gathered, "Incident")
    with pytest.raises(ValidationError):
        actions.decide_item(item=case, by=dpo, decision="redact", redact_names=["Someone Invented"])


def test_release_is_refused_while_any_item_is_undecided(cast, dpo, gathered, client_for):
    items = list(SarItem.objects.filter(request=gathered).order_by("position"))
    for item in items[:-1]:
        actions.decide_item(item=item, by=dpo, decision="release")
    response = client_for(dpo).post(reverse("dataprotection:sar_release", args=[gathered.pk]))
    assert response.status_code == 400
    assert "1 item is not decided yet." in response.content.decode()
    assert not SarRelease.objects.exists()
    gathered.refresh_from_db()
    assert gathered.status == RequestStatus.IN_REVIEW


def test_release_is_refused_before_the_identity_check(cast, dpo, gathered):
    type(gathered).objects.filter(pk=gathered.pk).update(identity_checked_at=None, identity_checked_by=None)
    gathered.refresh_from_db()
    SarItem.objects.filter(request=gathered).update(decision=SarDecision.RELEASE)
    with pytest.raises(ValidationError, match="identity"):
        actions.release(sar=gathered, by=dpo)
    actions.record_identity_check(sar=gathered, note="Birth certificate seen", by=dpo)
    actions.release(sar=gathered, by=dpo)
    assert SarRelease.objects.filter(request=gathered).exists()


def test_many_items_of_one_kind_without_files_can_be_released_at_once(cast, dpo, gathered, client_for):
    pending_logs = SarItem.objects.filter(request=gathered, kind="Access log", decision=SarDecision.PENDING)
    assert pending_logs.exists()
    response = client_for(dpo).post(
        reverse("dataprotection:sar_release_kind", args=[gathered.pk]), {"kind": "Access log"}
    )
    assert response.status_code == 302
    assert not pending_logs.exists()
    assert SarItem.objects.filter(request=gathered, kind="Evidence", decision=SarDecision.PENDING).exists()


def test_items_stop_changing_once_released(cast, dpo, gathered):
    SarItem.objects.filter(request=gathered).update(decision=SarDecision.RELEASE)
    actions.release(sar=gathered, by=dpo)
    with pytest.raises(ValidationError, match="released already"):
        actions.decide_item(item=item_of(gathered, "Incident"), by=dpo, decision="withhold", withhold_reason="x")


def test_another_schools_dpo_gets_404_for_an_item(cast, other_dpo, gathered, client_for):
    case = item_of(gathered, "Incident")
    client = client_for(other_dpo)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.post(case.get_absolute_url(), {"decision": "release"}).status_code == 404
    assert SarItem.objects.get(pk=case.pk).decision == SarDecision.PENDING


@pytest.mark.parametrize("role", ["office", "staff", "governor", "parent"])
def test_other_roles_get_404_for_an_item(cast, gathered, client_for, role):
    case = item_of(gathered, "Incident")
    assert client_for(getattr(cast, role)).get(case.get_absolute_url()).status_code == 404
