"""The subject access request register: the one-calendar-month clock, extensions, reminders once,
and who may see it (the headteacher and the DPO of the school; everyone else 404)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from dataprotection import sar_actions as actions
from dataprotection.models import SarReminder, SubjectAccessRequest
from dataprotection.sar import due_date, extension_refusal, reminder_window
from notifications.models import Notification

REGISTER = reverse("dataprotection:sar_register")
NEW = reverse("dataprotection:sar_new")


def register(cast, by, *, received_on: date, pupil=None, identity_note="Passport seen at the office"):
    return actions.register_request(
        school=cast.school,
        by=by,
        requester_name="Jo Parent",
        requester_email="jo.parent@example.org",
        relationship="parent",
        received_on=received_on,
        pupil=pupil or cast.child,
        identity_note=identity_note,
    )


# --- The clock -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 3), date(2026, 4, 3)),  # the same day next month
        (date(2027, 1, 31), date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2028, 1, 30), date(2028, 2, 29)),
        (date(2026, 12, 15), date(2027, 1, 15)),  # over the new year
        (date(2026, 7, 20), date(2026, 8, 20)),  # the summer holiday counts
    ],
)
def test_the_answer_is_due_one_calendar_month_after_receipt(received, due):
    assert due_date(received) == due


def test_an_extension_adds_whole_months_from_receipt():
    assert due_date(date(2027, 1, 31), 1) == date(2027, 3, 31)
    assert due_date(date(2027, 1, 31), 2) == date(2027, 4, 30)
    assert due_date(date(2027, 11, 30), 2) == date(2028, 2, 29)
    with pytest.raises(ValueError):
        due_date(date(2027, 1, 31), 3)


def test_extensions_stop_at_two_months_in_all():
    assert extension_refusal(0, 2) == ""
    assert extension_refusal(1, 1) == ""
    assert "1 month left" in extension_refusal(1, 2)
    assert "full two months" in extension_refusal(2, 1)
    assert extension_refusal(0, 0)


def test_registering_sets_the_due_date_and_who_checked_identity(cast, dpo):
    with time_machine.travel("2028-02-10 10:00 +0000", tick=False):
        sar = register(cast, dpo, received_on=date(2028, 1, 31))
    assert sar.due_on == date(2028, 2, 29)
    assert sar.identity_checked_by == dpo and sar.identity_note == "Passport seen at the office"
    assert sar.subject_name == "Mia Parent" and sar.reference.startswith("SAR-2028-")


def test_a_request_cannot_be_received_in_the_future(cast, dpo):
    with time_machine.travel("2026-03-01 10:00 +0000", tick=False), pytest.raises(ValidationError):
        register(cast, dpo, received_on=date(2026, 3, 2))


def test_a_pupil_of_another_school_cannot_be_the_subject(cast, dpo):
    with pytest.raises(ValidationError):
        register(cast, dpo, received_on=date(2026, 1, 5), pupil=cast.other_school_child)


def test_extending_twice_reaches_three_months_and_no_further_and_is_in_the_history(cast, dpo):
    with time_machine.travel("2027-02-01 10:00 +0000", tick=False):
        sar = register(cast, dpo, received_on=date(2027, 1, 31))
        sar = actions.extend(sar=sar, months=1, reason="Many records across several cases", by=dpo)
        assert sar.due_on == date(2027, 3, 31)
        sar = actions.extend(sar=sar, months=1, reason="Waiting for a third party's view", by=cast.headteacher)
        assert sar.due_on == date(2027, 4, 30)
        with pytest.raises(ValidationError, match="full two months"):
            actions.extend(sar=sar, months=1, reason="More", by=dpo)
        with pytest.raises(ValidationError, match="Say why"):
            actions.extend(sar=register(cast, dpo, received_on=date(2027, 1, 31)), months=1, reason=" ", by=dpo)
    history = list(sar.history.order_by("history_date").values_list("extended_months", "extension_reason"))
    assert (1, "Many records across several cases") in history
    assert (2, "Waiting for a third party's view") in history
    assert SubjectAccessRequest.objects.get(pk=sar.pk).due_on == date(2027, 4, 30)


def test_extending_by_two_months_at_once_then_more_is_refused_on_the_page(cast, dpo, client_for):
    with time_machine.travel("2027-02-01 10:00 +0000", tick=False):
        sar = register(cast, dpo, received_on=date(2027, 1, 31))
        client = client_for(dpo)
        url = reverse("dataprotection:sar_extend", args=[sar.pk])
        assert client.post(url, {"months": "2", "reason": "Complex"}).status_code == 302
        page = client.get(sar.get_absolute_url()).content.decode()
        assert "30/04/2027" in page and "by 2 months" in page and "Complex" in page
        response = client.post(url, {"months": "1", "reason": "Again"})
    assert response.status_code == 400
    assert "full two months" in response.content.decode()
    assert SubjectAccessRequest.objects.get(pk=sar.pk).extended_months == 2


# --- The register page -------------------------------------------------------------------------


def test_the_dpo_registers_a_request_from_the_page(cast, dpo, client_for):
    with time_machine.travel("2027-01-31 09:00 +0000", tick=False):
        client = client_for(dpo)
        assert client.get(NEW).status_code == 200
        response = client.post(
            NEW,
            {
                "requester_name": "Jo Parent",
                "requester_email": "jo.parent@example.org",
                "relationship": "parent",
                "subject_kind": "pupil",
                "pupil": cast.child.pk,
                "received_on": "2027-01-31",
                "identity_note": "Driving licence seen",
            },
        )
        sar = SubjectAccessRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == sar.get_absolute_url()
        assert sar.due_on == date(2027, 2, 28) and sar.registered_by == dpo
        page = client.get(REGISTER).content.decode()
    assert sar.reference in page and "28/02/2027" in page and "28 days left" in page


def test_a_missing_subject_is_a_clear_message_and_keeps_what_was_typed(cast, dpo, client_for):
    response = client_for(dpo).post(
        NEW,
        {
            "requester_name": "Someone Careful",
            "relationship": "self",
            "subject_kind": "pupil",
            "received_on": "2026-01-05",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose the pupil the request is about." in text and "Someone Careful" in text
    assert not SubjectAccessRequest.objects.exists()


def test_the_register_shows_days_left_and_overdue(cast, dpo, client_for):
    with time_machine.travel("2026-03-01 10:00 +0000", tick=False):
        late = register(cast, dpo, received_on=date(2026, 1, 20))  # due 20/02
        soon = register(cast, dpo, received_on=date(2026, 2, 5))  # due 05/03
    with time_machine.travel("2026-03-01 10:00 +0000", tick=False):
        page = client_for(dpo).get(REGISTER).content.decode()
    assert "9 days overdue" in page and "4 days left" in page
    assert page.index(late.reference) < page.index(soon.reference)


def test_the_register_lists_a_fixed_number_of_queries(cast, dpo, client_for, django_assert_max_num_queries):
    for day in range(1, 4):
        register(cast, dpo, received_on=date(2026, 1, day))
    client = client_for(dpo)
    client.get(REGISTER)
    with django_assert_max_num_queries(12):
        client.get(REGISTER)
    for day in range(4, 20):
        register(cast, dpo, received_on=date(2026, 1, day))
    with django_assert_max_num_queries(12):
        client.get(REGISTER)


@pytest.mark.parametrize("role", ["office", "staff", "parent", "governor", "dsl"])
def test_other_roles_of_the_school_get_404(cast, dpo, client_for, role):
    sar = register(cast, dpo, received_on=date(2026, 1, 5))
    client = client_for(getattr(cast, role))
    for url in (REGISTER, NEW, sar.get_absolute_url(), reverse("dataprotection:sar_download", args=[sar.pk])):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("dataprotection:sar_extend", args=[sar.pk]), {"months": "1", "reason": "x"}).status_code
        == 404
    )
    assert SubjectAccessRequest.objects.get(pk=sar.pk).extended_months == 0


def test_the_dpo_and_headteacher_of_another_school_get_404(cast, dpo, other_dpo, client_for):
    sar = register(cast, dpo, received_on=date(2026, 1, 5))
    for user in (other_dpo, cast.other_headteacher):
        client = client_for(user)
        assert client.get(REGISTER).status_code == 200  # their own (empty) register
        assert sar.reference not in client.get(REGISTER).content.decode()
        assert client.get(sar.get_absolute_url()).status_code == 404
        assert client.post(reverse("dataprotection:sar_gather", args=[sar.pk])).status_code == 404
    assert client_for(cast.headteacher).get(sar.get_absolute_url()).status_code == 200


# --- Reminders -----------------------------------------------------------------------------------


def test_the_reminder_windows():
    due = date(2026, 3, 20)
    assert reminder_window(due, date(2026, 3, 12)) == ""
    assert reminder_window(due, date(2026, 3, 13)) == "week"
    assert reminder_window(due, date(2026, 3, 19)) == "week"
    assert reminder_window(due, date(2026, 3, 20)) == "due"
    assert reminder_window(due, date(2026, 3, 25)) == "due"


def test_reminded_a_week_before_and_on_the_day_once_each(cast, dpo, django_capture_on_commit_callbacks):
    sar = register(cast, dpo, received_on=date(2026, 2, 20))  # due 20/03/2026
    emails = Notification.objects.filter(template="sar-deadline")
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.run_reminder_sweep(date(2026, 3, 12)).reminders == 0
        assert actions.run_reminder_sweep(date(2026, 3, 13)).reminders == 1
        assert actions.run_reminder_sweep(date(2026, 3, 13)).reminders == 0  # a second run that day
        assert actions.run_reminder_sweep(date(2026, 3, 16)).reminders == 0  # later that week
        assert actions.run_reminder_sweep(date(2026, 3, 20)).reminders == 1
        assert actions.run_reminder_sweep(date(2026, 3, 21)).reminders == 0
    assert emails.count() == 2
    week, due = emails.order_by("pk")
    assert sorted(week.to) == ["dpo@example.org", "head@example.org"]
    assert "due in 7 days" in week.subject and "is due today" in due.subject
    assert sar.reference in week.body_text and "20/03/2026" in week.body_text
    assert "Mia" not in week.body_text + week.subject  # the email names nobody
    assert SarReminder.objects.filter(request=sar).count() == 2


def test_an_extension_is_reminded_afresh_and_a_closed_request_not_at_all(cast, dpo):
    sar = register(cast, dpo, received_on=date(2026, 2, 20))
    actions.run_reminder_sweep(date(2026, 3, 20))
    with time_machine.travel("2026-03-20 10:00 +0000", tick=False):
        sar = actions.extend(sar=sar, months=1, reason="Complex", by=dpo)  # due 20/04
    assert actions.run_reminder_sweep(date(2026, 4, 14)).reminders == 1
    withdrawn = register(cast, dpo, received_on=date(2026, 2, 20))
    actions.withdraw(sar=withdrawn, reason="The parent withdrew it", by=dpo)
    assert actions.run_reminder_sweep(date(2026, 3, 20)).reminders == 0


def test_the_daily_task_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["subject-access-reminders"]
    assert entry["task"] == "dataprotection.tasks.sar_reminder_sweep"


# --- The dashboard -------------------------------------------------------------------------------


def test_the_dpo_and_headteacher_dashboards_show_open_requests(cast, dpo, client_for):
    with time_machine.travel("2026-03-01 10:00 +0000", tick=False):
        register(cast, dpo, received_on=date(2026, 1, 20))
        register(cast, dpo, received_on=date(2026, 2, 25))
        for user in (dpo, cast.headteacher):
            page = client_for(user).get(reverse("dashboard:home")).content.decode()
            assert "Subject access requests" in page and "1 overdue" in page and "20/02/2026" in page
        other = client_for(cast.other_headteacher).get(reverse("dashboard:home")).content.decode()
    assert "1 overdue" not in other


def test_days_left_counts_calendar_days(cast, dpo):
    sar = register(cast, dpo, received_on=date(2026, 1, 5))
    assert sar.days_left(date(2026, 2, 5)) == 0
    assert sar.days_left(date(2026, 2, 5) - timedelta(days=3)) == 3
