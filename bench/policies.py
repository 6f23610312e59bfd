"""Benchmark: the daily policy review reminder sweep over 10,000 policy versions and 5,000 staff.

    .venv/bin/python bench/policies.py [--versions 10000] [--staff 5000] [--schools 50]

Builds a throwaway SQLite database (or uses BENCH_DATABASE_URL) with N policy versions (half
current, half superseded) whose review dates are spread from two months overdue to a year ahead,
then times the sweep: a first run (every due policy enters a window), a second run the same day
(must send nothing) and the next day. It also runs a smaller data set with the same schools to show
the query count does not grow with the number of policies (it depends only on the number of
(school, owner) emails, three queries each; on SQLite the reminder insert is also split into
batches of 249 rows by SQLite's parameter limit, so it grows by one query per 249 new reminders
in a day; on PostgreSQL it is one statement). Target: under 2 s. Emails are queued, as with a real broker; their
delivery is the workers' job, not the sweep's.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import boot  # noqa: E402

WORKDIR = boot("policies")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Role, School, User  # noqa: E402
from notifications.models import Notification  # noqa: E402
from policies.actions import run_review_sweep  # noqa: E402
from policies.models import Owner, PolicyDocument, PolicyReminder, PolicyVersion, Status  # noqa: E402

BODY = "# Policy\n\nA short policy text for the benchmark.\n"


def build(schools: int, versions: int, staff: int) -> None:
    PolicyReminder.objects.all().delete()
    Notification.objects.all().delete()
    PolicyVersion.objects.all().delete()
    PolicyDocument.objects.all().delete()
    school_rows = list(School.objects.order_by("pk"))
    if len(school_rows) < schools:
        School.objects.bulk_create(
            [
                School(
                    short_code=f"B{chr(65 + n // 26)}{chr(65 + n % 26)}",
                    name=f"Bench School {n}",
                    address="1 Road",
                    headteacher_name="Head",
                )
                for n in range(len(school_rows), schools)
            ]
        )
        school_rows = list(School.objects.order_by("pk"))
    if not User.objects.exists():
        users = [User(email=f"staff{n}@bench.example", full_name=f"Staff {n}") for n in range(staff)]
        users += [User(email=f"head{n}@bench.example", full_name=f"Head {n}") for n in range(schools)]
        users += [User(email=f"gov{n}@bench.example", full_name=f"Governor {n}") for n in range(schools)]
        User.objects.bulk_create(users, batch_size=2000)
        by_email = dict(User.objects.values_list("email", "pk"))
        memberships = [
            Membership(user_id=by_email[f"staff{n}@bench.example"], school=school_rows[n % schools], role=Role.STAFF)
            for n in range(staff)
        ]
        memberships += [
            Membership(user_id=by_email[f"head{n}@bench.example"], school=school_rows[n], role=Role.HEADTEACHER)
            for n in range(schools)
        ]
        memberships += [
            Membership(user_id=by_email[f"gov{n}@bench.example"], school=school_rows[n], role=Role.GOVERNOR)
            for n in range(schools)
        ]
        Membership.objects.bulk_create(memberships, batch_size=2000)
    head_ids = dict(Membership.objects.filter(role=Role.HEADTEACHER).values_list("school_id", "user_id"))

    documents = versions // 2
    PolicyDocument.objects.bulk_create(
        [
            PolicyDocument(
                school=school_rows[n % schools],
                title=f"Policy {n}",
                slug=f"policy-{n}",
                owner=Owner.GOVERNING_BODY if n % 3 == 0 else Owner.HEADTEACHER,
            )
            for n in range(documents)
        ],
        batch_size=2000,
    )
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    for n, (pk, school_id) in enumerate(PolicyDocument.objects.values_list("pk", "school_id")):
        common = {
            "document_id": pk,
            "body_markdown": BODY,
            "body_html": "<p>x</p>",
            "change_summary": "x",
            "approved_by_id": head_ids[school_id],
            "approved_at": now,
        }
        rows.append(PolicyVersion(number=1, status=Status.SUPERSEDED, review_date=today - timedelta(days=30), **common))
        rows.append(
            PolicyVersion(
                number=2, status=Status.APPROVED, review_date=today + timedelta(days=(n * 7) % 425 - 60), **common
            )
        )
    PolicyVersion.objects.bulk_create(rows, batch_size=2000)  # bulk_create skips save(): fine for a benchmark


def timed(label: str, today) -> None:
    # Count the sweep's own work; the emails' delivery is queued for the workers.
    with mock.patch("notifications.outbox.enqueue_on_commit"), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = run_review_sweep(today)
        elapsed = time.perf_counter() - started
    print(
        f"  {label:<28} {elapsed:6.2f} s  {len(queries):4d} queries  "
        f"({result.considered} due-soon versions checked, {result.reminders} reminders, {result.emails} emails)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=10_000)
    parser.add_argument("--staff", type=int, default=5_000)
    parser.add_argument("--schools", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    # Compile the email templates once, as a long-running worker would have.
    from django.template.loader import get_template

    for suffix in ("subject.txt", "body.txt", "body.html"):
        get_template(f"emails/policy-review-reminder-{suffix}")
    for versions in (args.versions // 5, args.versions):
        build(args.schools, versions, args.staff)
        print(f"{versions} policy versions, {args.staff} staff, {args.schools} schools ({connection.vendor}):")
        timed("first sweep", today)
        timed("second sweep, same day", today)
        timed("next day", today + timedelta(days=1))


if __name__ == "__main__":
    main()
