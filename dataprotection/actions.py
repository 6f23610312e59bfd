"""The writes of the data-protection app: each one atomic, each one in the history."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import School, User

from .models import PrivacyNotice, RetentionSetting, ReviewItem, ReviewStatus
from .retention import MAX_YEARS, MIN_YEARS, RULES
from .schedule import years_for
from .sweep import COLUMNS, due_log_months, due_record_rows, insert_review_rows


@transaction.atomic
def save_privacy_notice(*, school: School, body: str, by: User) -> PrivacyNotice:
    notice, created = PrivacyNotice.objects.select_for_update().get_or_create(
        school=school, defaults={"body": body, "updated_by": by}
    )
    if not created and notice.body != body:
        notice.body = body
        notice.updated_by = by
        notice.updated_at = timezone.now()
        notice.save()
    return notice


# --- Retention --------------------------------------------------------------------------------


@transaction.atomic
def change_retention(*, school: School, record_type: str, years: int, reason: str, by: User) -> RetentionSetting:
    """The school's own period for one kind of record (the change is in the history)."""
    if record_type not in RULES:
        raise ValidationError("There is no such kind of record.")
    if not MIN_YEARS <= years <= MAX_YEARS:
        raise ValidationError(f"Choose between {MIN_YEARS} and {MAX_YEARS} years.")
    setting, created = RetentionSetting.objects.select_for_update().get_or_create(
        school=school, record_type=record_type, defaults={"years": years, "reason": reason, "changed_by": by}
    )
    if not created and (setting.years, setting.reason) != (years, reason):
        setting.years, setting.reason, setting.changed_by = years, reason, by
        setting.changed_at = timezone.now()
        setting.save()
    return setting


def rule_text(record_type: str, years: int) -> str:
    rule = RULES[record_type]
    return f"{rule.label}: {rule.period_label(years)}"


@transaction.atomic
def sweep_school(school: School, today: date | None = None) -> int:
    """Put on the review list every record of `school` that reached its date; destroy nothing.

    Items already listed (due, kept or on hold) are left as they are; a "kept" item whose date
    has come is due again. Returns how many items were added or became due again. A handful of
    statements whatever the school's size: one INSERT ... SELECT per kind of record (sweep.py).
    """
    today = today or timezone.localdate()
    years = years_for(school)
    rules = {record_type: rule_text(record_type, years[record_type]) for record_type in RULES}
    added = sum(insert_review_rows(rows) for rows in due_record_rows(school, today, years, rules))
    listed_months = set(
        ReviewItem.objects.filter(school=school, record_type__in=["access_log", "email"]).values_list(
            "record_type", "object_key"
        )
    )
    months = [
        (due.record_type, due.object_key, due.reference[:80], due.due_on, rules[due.record_type])
        for due in due_log_months(school, today, years)
        if (due.record_type, due.object_key) not in listed_months
    ]
    _insert_review_items(school, months)
    # Few rows (each a person's earlier decision), saved one by one so the history shows the change.
    again = 0
    for item in ReviewItem.objects.filter(school=school, status=ReviewStatus.KEPT, keep_until__lte=today):
        item.status, item.due_on = ReviewStatus.DUE, item.keep_until
        item.save(update_fields=["status", "due_on"])
        again += 1
    return added + len(months) + again


def _insert_review_items(school: School, rows: list[tuple]) -> None:
    """The log months (a few dozen rows at most), straight to the table. The list itself is not
    history; each decision on an item is. A row another sweep added meanwhile is skipped (the
    unique constraint), never doubled."""
    if not rows:
        return
    ops = connection.ops
    table = connection.ops.quote_name(ReviewItem._meta.db_table)
    now = ops.adapt_datetimefield_value(timezone.now())
    names = ", ".join(ops.quote_name(c) for c in COLUMNS)
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    # Only quoted table and column names are put into the text; every value is a parameter.
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"  # noqa: S608
    values = [
        (school.pk, kind, key, reference, ops.adapt_datefield_value(due_on), rule, ReviewStatus.DUE, "", now)
        for kind, key, reference, due_on, rule in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def sweep_all(today: date | None = None) -> dict[str, int]:
    return {school.short_code: sweep_school(school, today) for school in School.objects.order_by("pk")}


def _decided(item: ReviewItem, by: User, status: str, reason: str, keep_until: date | None = None) -> ReviewItem:
    item.status, item.reason, item.keep_until = status, reason, keep_until
    item.decided_by, item.decided_at = by, timezone.now()
    item.save()
    return item


@transaction.atomic
def keep_for_longer(*, item: ReviewItem, until: date, reason: str, by: User) -> ReviewItem:
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if until <= timezone.localdate():
        raise ValidationError("Choose a date after today.")
    if not reason.strip():
        raise ValidationError("Say why the record is kept for longer.")
    return _decided(item, by, ReviewStatus.KEPT, reason.strip(), until)


@transaction.atomic
def place_hold(*, item: ReviewItem, reason: str, by: User) -> ReviewItem:
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if not reason.strip():
        raise ValidationError("Say what the legal hold is for, for example the claim or inquiry.")
    return _decided(item, by, ReviewStatus.HOLD, reason.strip())


@transaction.atomic
def lift_hold(*, item: ReviewItem, reason: str, by: User) -> ReviewItem:
    """The record is due for review again (today), and later sweeps see it as usual."""
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ReviewStatus.HOLD:
        raise ValidationError("This record is not on legal hold.")
    item.due_on = timezone.localdate()
    return _decided(item, by, ReviewStatus.DUE, reason.strip() or "Legal hold lifted.")
