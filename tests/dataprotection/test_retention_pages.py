"""The schedule page and the review decisions: headteacher and DPO only, their own school only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dataprotection import actions
from dataprotection.models import DestructionLog, RetentionSetting, ReviewItem, ReviewStatus
from incidents.models import Incident

SCHEDULE = reverse("dataprotection:schedule")
REVIEW = reverse("dataprotection:review_list")


def decide_url(item):
    return reverse("dataprotection:review_decide", args=[item.pk])


@pytest.fixture
def due_item(cast, old_case):
    case = old_case(years=7)
    actions.sweep_school(cast.school)
    return ReviewItem.objects.get(object_key=str(case.pk))


def test_schedule_shows_each_period_and_its_reason(cast, client_for):
    text = client_for(cast.headteacher).get(SCHEDULE).content.decode()
    assert "25 years after the child&#x27;s date of birth" in text
    assert "6 years after the case is closed" in text
    assert "legal claim" in text  # the reason is on the page
    assert "Access log" in text and "Email records" in text


def test_changing_a_period_keeps_the_reason_and_the_history(cast, dpo, client_for):
    client = client_for(dpo)
    response = client.post(
        SCHEDULE, {"rule": "complaint", "complaint-years": "8", "complaint-reason": "Trust policy 2026"}
    )
    assert response.status_code == 302
    setting = RetentionSetting.objects.get(school=cast.school, record_type="complaint")
    assert (setting.years, setting.reason, setting.changed_by) == (8, "Trust policy 2026", dpo)
    client_for(cast.headteacher).post(
        SCHEDULE, {"rule": "complaint", "complaint-years": "7", "complaint-reason": "Back to advice"}
    )
    assert [row.years for row in setting.history.order_by("history_date")] == [8, 7]
    text = client_for(cast.headteacher).get(SCHEDULE).content.decode()
    assert "7 years after the case is closed" in text and "your school's own period" in text
    assert not RetentionSetting.objects.filter(school=cast.other_school).exists()


def test_a_bad_period_is_explained_and_what_was_typed_stays(cast, client_for):
    response = client_for(cast.headteacher).post(
        SCHEDULE, {"rule": "incident", "incident-years": "0", "incident-reason": "Because I typed this"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "greater than or equal to 1" in text and "Because I typed this" in text
    assert not RetentionSetting.objects.exists()
    assert client_for(cast.headteacher).post(SCHEDULE, {"rule": "nonsense"}).status_code == 302


def test_a_reason_is_needed_only_to_depart_from_the_recommended_period(cast, client_for):
    client = client_for(cast.headteacher)
    response = client.post(SCHEDULE, {"rule": "complaint", "complaint-years": "9", "complaint-reason": ""})
    assert response.status_code == 400
    assert "other than the recommended 6" in response.content.decode()
    assert not RetentionSetting.objects.exists()

    # Saving the recommended period as it is asks for nothing and writes nothing.
    response = client.post(SCHEDULE, {"rule": "complaint", "complaint-years": "6", "complaint-reason": ""}, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert not RetentionSetting.objects.exists()

    client.post(SCHEDULE, {"rule": "complaint", "complaint-years": "9", "complaint-reason": "Trust policy"})
    # Going back to the recommended period needs no reason.
    response = client.post(SCHEDULE, {"rule": "complaint", "complaint-years": "6", "complaint-reason": ""})
    assert response.status_code == 302
    setting = RetentionSetting.objects.get(school=cast.school, record_type="complaint")
    assert (setting.years, setting.reason) == (6, "")


@pytest.mark.parametrize("role", ["dsl", "staff", "governor", "office", "parent"])
def test_other_roles_get_404(cast, role, client_for, due_item):
    client = client_for(getattr(cast, role))
    for url in (SCHEDULE, REVIEW, decide_url(due_item), reverse("dataprotection:destruction_log")):
        assert client.get(url).status_code == 404
    assert client.post(decide_url(due_item), {"decision": "destroy", "confirm": "on"}).status_code == 404
    assert Incident.objects.filter(pk=due_item.object_key).exists()


def test_another_schools_dpo_cannot_see_or_decide(cast, other_dpo, client_for, due_item):
    client = client_for(other_dpo)
    assert due_item.reference not in client.get(REVIEW).content.decode()
    assert client.get(decide_url(due_item)).status_code == 404
    assert client.post(decide_url(due_item), {"decision": "destroy", "confirm": "on"}).status_code == 404
    assert Incident.objects.filter(pk=due_item.object_key).exists()


def test_keep_for_longer_needs_a_date_and_a_reason(cast, client_for, due_item):
    client = client_for(cast.headteacher)
    assert due_item.reference in client.get(REVIEW).content.decode()
    response = client.post(decide_url(due_item), {"decision": "keep", "reason": ""})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose the date until which it is kept." in text and "Say why it is kept." in text
    until = timezone.localdate() + timedelta(days=365)
    response = client.post(
        decide_url(due_item), {"decision": "keep", "keep_until": until.isoformat(), "reason": "Ongoing claim"}
    )
    assert response.status_code == 302
    due_item.refresh_from_db()
    assert (due_item.status, due_item.keep_until, due_item.decided_by) == (ReviewStatus.KEPT, until, cast.headteacher)
    assert due_item.reference in client.get(REVIEW, {"status": "kept"}).content.decode()


def test_hold_then_lift(cast, dpo, client_for, due_item):
    client = client_for(dpo)
    assert client.post(decide_url(due_item), {"decision": "hold", "reason": "Police inquiry"}).status_code == 302
    due_item.refresh_from_db()
    assert due_item.status == ReviewStatus.HOLD
    page = client.get(decide_url(due_item)).content.decode()
    assert "is on legal hold" in page and "Police inquiry" in page
    # A held record cannot be destroyed, whatever is posted.
    client.post(decide_url(due_item), {"decision": "destroy", "confirm": "on"})
    assert Incident.objects.filter(pk=due_item.object_key).exists()
    assert client.post(decide_url(due_item), {"reason": ""}).status_code == 400
    assert client.post(decide_url(due_item), {"reason": "Inquiry closed"}).status_code == 302
    due_item.refresh_from_db()
    assert due_item.status == ReviewStatus.DUE


def test_destroy_needs_the_confirmation_tick(cast, client_for, due_item):
    client = client_for(cast.headteacher)
    response = client.post(decide_url(due_item), {"decision": "destroy"})
    assert response.status_code == 400
    assert "Tick to confirm" in response.content.decode()
    assert Incident.objects.filter(pk=due_item.object_key).exists()
    assert client.post(decide_url(due_item), {"decision": "destroy", "confirm": "on"}).status_code == 302
    assert not Incident.objects.filter(pk=due_item.object_key).exists()
    entry = DestructionLog.objects.get()
    assert (entry.reference, entry.authorised_by_name) == (due_item.reference, "Aisha Head")
    log = client.get(reverse("dataprotection:destruction_log")).content.decode()
    assert due_item.reference in log and "Other incidents: 6 years after the case is closed" in log


def test_home_page_shows_what_waits_for_a_decision(cast, dpo, client_for, due_item):
    assert (
        "Records due for retention review"
        in client_for(cast.headteacher).get(reverse("dashboard:home")).content.decode()
    )
    assert "Records due for retention review" in client_for(dpo).get(reverse("dashboard:home")).content.decode()


def test_review_list_query_count_is_fixed(cast, dpo, client_for, old_case, django_assert_max_num_queries):
    for _ in range(55):
        old_case(years=7)
    actions.sweep_school(cast.school)
    client = client_for(dpo)
    with django_assert_max_num_queries(12):
        response = client.get(REVIEW)
    assert len(response.context["page"]) == 50
