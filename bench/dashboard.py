"""Benchmark: the headteacher's dashboard at 1,000 and 100,000 incidents.

    .venv/bin/python bench/dashboard.py [--small 1000] [--large 100000] [--runs 30]

Builds a throwaway SQLite database (or uses BENCH_DATABASE_URL) with one school whose incidents
are spread over the last 12 months (natures, platforms, escalation steps, a third resolved, the
moment in resolved_at and in their audit history), a few complaints, then times GET / as the
headteacher: the median of `--runs` requests (figures cached), the cold request (the figures just
invalidated, as after any new report, so computed afresh: the median of `--cold-runs`) and the
SQL query count. Targets: median under 100 ms at 100,000 incidents, within 1.5x of the 1,000
figure; cold request under 1 s at 100,000 incidents; the same query count at both sizes.
"""

from __future__ import annotations

import argparse
import random
import statistics as stats
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import boot, signed_in_client  # noqa: E402

WORKDIR = boot("dashboard")

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from accounts.models import Membership, Role, School, User  # noqa: E402
from complaints import actions as complaint_actions  # noqa: E402
from incidents import statistics  # noqa: E402
from incidents.models import (  # noqa: E402
    EscalationStep,
    Incident,
    IncidentNature,
    Nature,
    Platform,
    Status,
    StepKind,
    seconds_between,
)

BATCH = 5000


def build(school: School, head: User, reporter: User, count: int, start_number: int) -> None:
    """Add `count` incidents to the school, spread over the last 12 months."""
    rng = random.Random(count)
    platforms = list(Platform.objects.all())
    natures, steps = list(Nature), [StepKind.PLATFORM_REPORT, StepKind.REMOVAL_REQUEST, StepKind.POLICE_REFERRAL]
    statuses = [Status.REPORTED, Status.TRIAGED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED]
    history_model = Incident.history.model
    fields = [f.attname for f in Incident._meta.concrete_fields]
    now = timezone.now()
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        with transaction.atomic():
            rows = []
            for offset in range(size):
                number = start_number + made + offset
                created = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
                status = rng.choice(statuses)
                finished = status in (Status.RESOLVED, Status.CLOSED)
                rows.append(
                    Incident(
                        school=school,
                        reference=f"BEN-B-{number:06d}",
                        year=created.year,
                        number=number,
                        reporter=reporter,
                        reporter_role=Role.STAFF,
                        platform=rng.choice(platforms),
                        seen_at=created,
                        content="Benchmark post.",
                        poster_kind="unknown",
                        status=status,
                        safeguarding_concern=rng.random() < 0.05,
                        created_at=created,
                        resolved_at=created + timedelta(hours=rng.randint(2, 24 * 40)) if finished else None,
                        next_due_on=(now + timedelta(days=rng.randint(-5, 20))).date() if number % 3 == 0 else None,
                    )
                )
            for row in rows:  # bulk_create skips save(), which keeps this beside resolved_at
                row.seconds_to_resolve = seconds_between(row.created_at, row.resolved_at)
            created_rows = Incident.objects.bulk_create(rows)
            IncidentNature.objects.bulk_create(
                IncidentNature(incident=i, nature=n)
                for i in created_rows
                for n in {rng.choice(natures), rng.choice(natures)}
            )
            EscalationStep.objects.bulk_create(
                EscalationStep(incident=i, kind=rng.choice(steps), created_by=head) for i in created_rows[::2]
            )
            history_model.objects.bulk_create(
                history_model(
                    **{name: getattr(i, name) for name in fields},
                    history_date=i.resolved_at,
                    history_type="~",
                )
                for i in created_rows
                if i.resolved_at is not None
            )
        made += size
    statistics.invalidate(school.pk)  # bulk_create sends no signals


def measure(client: Client, school: School, runs: int, cold_runs: int) -> dict:
    url = reverse("dashboard:home")
    cache.clear()
    client.get(url)  # sessions, memberships and other caches warm, as for a headteacher signed in
    colds = []
    for _ in range(cold_runs):
        statistics.invalidate(school.pk)  # what every new or changed incident does
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as cold_queries:
            response = client.get(url)
        colds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        timings.append(time.perf_counter() - started)
    return {
        "median_ms": stats.median(timings) * 1000,
        "cold_ms": stats.median(colds) * 1000,
        "cold_max_ms": max(colds) * 1000,
        "queries": len(queries.captured_queries),
        "cold_queries": len(cold_queries.captured_queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=3, help="cache-miss requests timed at each size")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    school = School.objects.create(short_code="BEN", name="Benchmark Primary", address="1 Road", headteacher_name="H")
    head = User.objects.create_user(email="head@bench.example", password=None, full_name="Bench Head")
    staff = User.objects.create_user(email="staff@bench.example", password=None, full_name="Bench Staff")
    parent = User.objects.create_user(email="parent@bench.example", password=None, full_name="Bench Parent")
    Membership.objects.create(user=head, school=school, role=Role.HEADTEACHER)
    Membership.objects.create(user=staff, school=school, role=Role.STAFF)
    Membership.objects.create(user=parent, school=school, role=Role.PARENT)
    TOTPDevice.objects.create(user=head, name="bench", confirmed=True)
    for n in range(20):
        complaint_actions.raise_complaint(
            school=school, parent=parent, subject=f"Concern {n}", details="Details", desired_outcome="An answer"
        )

    client = signed_in_client(head)

    results = {}
    built = 0
    for size in (args.small, args.large):
        started = time.perf_counter()
        build(school, head, staff, size - built, built)
        built = size
        print(f"built {size:,} incidents in {time.perf_counter() - started:.1f} s", flush=True)
        results[size] = measure(client, school, args.runs, args.cold_runs)
        r = results[size]
        print(
            f"{size:>7,} incidents: cached median {r['median_ms']:.1f} ms over {args.runs} requests, "
            f"{r['queries']} queries\n"
            f"{'':>18} cold (figures invalidated) median {r['cold_ms']:.0f} ms over {args.cold_runs} requests "
            f"(slowest {r['cold_max_ms']:.0f} ms), {r['cold_queries']} queries",
            flush=True,
        )
    small, large = results[args.small], results[args.large]
    ratio = large["median_ms"] / small["median_ms"]
    print(f"ratio large/small median: {ratio:.2f} (target <= 1.5); target median < 100 ms at {args.large:,}")
    print(f"cold at {args.large:,}: {large['cold_ms']:.0f} ms (target < 1000 ms)")
    ok = (
        large["median_ms"] < 100
        and ratio <= 1.5
        and large["cold_ms"] < 1000
        and small["queries"] == large["queries"]
        and small["cold_queries"] == large["cold_queries"]
    )
    print("OK" if ok else "MISSED TARGET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
