"""The daily sweep lists what reached its date; it never destroys anything."""

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import AccessLog
from dataprotection import actions
from dataprotection.models import ReviewItem, ReviewStatus
from dataprotection.tasks import retention_sweep
from incidents.models import Incident, IncidentPupil
from tests.agreements.conftest import CONTENT, sign


def published(cast, introduction: str):
    from agreements import actions as agreement_actions

    draft = agreement_actions.start_draft(
        school=cast.school, by=cast.headteacher, **{**CONTENT, "introduction": introduction}
    )
    return agreement_actions.publish(draft, by=cast.headteacher)


def listed(school) -> dict[str, str]:
    return dict(ReviewItem.objects.filter(school=school).values_list("object_key", "status"))


def test_closed_cases_past_their_period_are_listed_and_kept(cast, old_case, file_report):
    due = old_case(years=7)
    recent = old_case(years=2)
    still_open = file_report()
    assert actions.sweep_school(cast.school) == 1
    item = ReviewItem.objects.get(school=cast.school)
    assert (item.record_type, item.object_key, item.reference) == ("incident", str(due.pk), due.reference)
    assert item.rule == "Other incidents: 6 years after the case is closed"
    assert item.due_on <= timezone.localdate()
    # Nothing was destroyed.
    assert set(Incident.objects.values_list("pk", flat=True)) >= {due.pk, recent.pk, still_open.pk}
    # Running again adds nothing.
    assert actions.sweep_school(cast.school) == 0
    assert ReviewItem.objects.count() == 1


def test_safeguarding_cases_wait_until_the_child_is_25(cast, old_case):
    # Mia was born in 2018: a safeguarding case about her closed 7 years ago is not due until 2043.
    about_mia = old_case(years=7, safeguarding_concern=True, pupils_identifiable=True)
    IncidentPupil.objects.create(incident=about_mia, pupil=cast.child, role="targeted")
    # No pupil linked: 25 years from closure, so one closed 26 years ago is due.
    ancient = old_case(years=26, safeguarding_concern=True)
    actions.sweep_school(cast.school)
    assert listed(cast.school) == {str(ancient.pk): ReviewStatus.DUE}
    item = ReviewItem.objects.get()
    assert item.record_type == "safeguarding_incident"


def test_a_schools_own_period_is_used(cast, old_case):
    case = old_case(years=4)
    actions.sweep_school(cast.school)
    assert not listed(cast.school)
    actions.change_retention(
        school=cast.school, record_type="incident", years=3, reason="Trust policy", by=cast.headteacher
    )
    actions.sweep_school(cast.school)
    assert listed(cast.school) == {str(case.pk): ReviewStatus.DUE}
    assert ReviewItem.objects.get().rule == "Other incidents: 3 years after the case is closed"


def test_another_schools_records_stay_off_our_list(cast, old_case):
    theirs = old_case(years=8, reporter=cast.other_school_parent, school=cast.other_school)
    actions.sweep_school(cast.school)
    assert not listed(cast.school)
    actions.sweep_school(cast.other_school)
    assert listed(cast.other_school) == {str(theirs.pk): ReviewStatus.DUE}


def test_kept_for_longer_comes_back_when_its_date_comes(cast, old_case):
    case = old_case(years=7)
    actions.sweep_school(cast.school)
    item = ReviewItem.objects.get()
    until = timezone.localdate() + timedelta(days=30)
    actions.keep_for_longer(item=item, until=until, reason="Parent's claim pending", by=cast.headteacher)
    actions.sweep_school(cast.school)
    assert listed(cast.school) == {str(case.pk): ReviewStatus.KEPT}
    actions.sweep_school(cast.school, today=until)
    item.refresh_from_db()
    assert item.status == ReviewStatus.DUE and item.due_on == until
    assert item.history.count() >= 2  # the decision is in the history


def test_a_legal_hold_stops_every_later_sweep_until_lifted(cast, old_case, dpo):
    case = old_case(years=7)
    actions.sweep_school(cast.school)
    item = ReviewItem.objects.get()
    actions.place_hold(item=item, reason="Solicitor's letter of 3 March", by=dpo)
    far_future = timezone.localdate() + timedelta(days=3650)
    actions.sweep_school(cast.school, today=far_future)
    assert listed(cast.school) == {str(case.pk): ReviewStatus.HOLD}
    actions.lift_hold(item=item, reason="Claim settled", by=dpo)
    assert listed(cast.school) == {str(case.pk): ReviewStatus.DUE}


def test_logs_are_listed_a_month_at_a_time(cast):
    old = timezone.now() - timedelta(days=365 * 3)
    for _ in range(3):
        AccessLog.objects.create(
            user=cast.office, school=cast.school, object_type="accounts.pupil", object_id="1", object_repr="x", at=old
        )
    AccessLog.objects.create(
        user=cast.office, school=cast.school, object_type="accounts.pupil", object_id="1", object_repr="x"
    )
    actions.sweep_school(cast.school)
    item = ReviewItem.objects.get(record_type="access_log")
    local = timezone.localtime(old)
    assert item.object_key == f"{local:%Y-%m}"
    assert item.reference == f"Access log, {local:%B %Y}"


def test_signatures_are_listed_once_a_newer_one_replaced_them(cast):
    first = sign(cast, published(cast, "We ask every family to be kind online."))
    second = sign(cast, published(cast, "We ask every family to be kind online, and to come to us first."))
    actions.sweep_school(cast.school)
    assert not ReviewItem.objects.filter(record_type="signature").exists()
    actions.sweep_school(cast.school, today=timezone.localdate() + timedelta(days=366 * 2 + 1))
    items = ReviewItem.objects.filter(record_type="signature")
    assert [item.object_key for item in items] == [str(first.pk)]
    assert second.pk != first.pk


def test_the_beat_runs_the_sweep_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["retention-review-sweep"]
    assert entry["task"] == "dataprotection.tasks.retention_sweep"
    assert retention_sweep.name == entry["task"]


def test_the_task_sweeps_every_school(cast, old_case):
    old_case(years=7)
    old_case(years=9, reporter=cast.other_school_parent, school=cast.other_school)
    assert retention_sweep.delay().get() == {"NBP": 1, "HVP": 1}
    assert date.today()  # the task returns plain counts per school


def test_the_database_computes_the_same_review_date_as_the_rule(cast, old_case):
    """The sweep computes review dates in SQL: they must be retention.py's, 29 February and the
    local (Europe/London) day of closure included."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dataprotection.retention import RULES

    leap = old_case(years=7)
    # Closed at 00:30 on 29 February 2020, London time.
    closed = datetime(2020, 2, 29, 0, 30, tzinfo=ZoneInfo("Europe/London"))
    Incident.objects.filter(pk=leap.pk).update(resolved_at=closed)
    summer = old_case(years=7)
    # 00:30 on 1 July 2019 in London is 23:30 on 30 June in UTC: the local day is 1 July.
    Incident.objects.filter(pk=summer.pk).update(
        resolved_at=datetime(2019, 7, 1, 0, 30, tzinfo=ZoneInfo("Europe/London"))
    )
    assert actions.sweep_school(cast.school, today=date(2026, 2, 27)) == 1  # only the summer case
    assert ReviewItem.objects.get(object_key=str(summer.pk)).due_on == date(2025, 7, 1)
    assert actions.sweep_school(cast.school, today=date(2026, 2, 28)) == 1
    item = ReviewItem.objects.get(object_key=str(leap.pk))
    assert item.due_on == RULES["incident"].review_on({"closed_on": date(2020, 2, 29)}, 6) == date(2026, 2, 28)


def test_the_sweep_is_a_few_statements_whatever_the_number_of_cases(cast, old_case, django_assert_max_num_queries):
    for _ in range(12):
        old_case(years=7)
    with django_assert_max_num_queries(12):  # one INSERT ... SELECT per kind, the log months, the kept items
        assert actions.sweep_school(cast.school) == 12
