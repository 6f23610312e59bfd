"""Benchmark: gathering a subject access request, and the retention sweep, at 100,000 incidents.

    .venv/bin/python bench/data_protection.py [--small 1000] [--large 100000]

Builds a throwaway SQLite database (or BENCH_DATABASE_URL) with one school whose incidents are all
closed, spread over the last ten years (so the older ones have reached their retention date), and
one pupil with a handful of cases about them. Prints JSON lines: the time and query count to
gather everything about that pupil at each size (target under 2 s, the same query count at both
sizes), the time to register a request about the pupil and store its review rows (the same
targets), and the time of the retention sweep over the large school's closed incidents, first run
(it lists every due case) and second run (nothing new), target under 5 s each.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import boot, emit  # noqa: E402

WORKDIR = boot("data-protection")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Membership, Pupil, Role, School, User  # noqa: E402
from dataprotection import actions, sar_actions  # noqa: E402
from dataprotection.gather import gather  # noqa: E402
from dataprotection.models import ReviewItem  # noqa: E402
from incidents.models import Incident, IncidentNature, IncidentPupil, Nature, Platform, Status, seconds_between  # noqa: E402

BATCH = 5000


def note(**row) -> None:
    """What is not a figure (how long building took, whether the targets were met): on stderr."""
    print(json.dumps(row), file=sys.stderr, flush=True)


def build(school: School, reporter: User, pupil: Pupil, count: int, start: int) -> None:
    rng = random.Random(start + count)
    platforms = list(Platform.objects.all())
    now = timezone.now()
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        with transaction.atomic():
            rows = []
            for offset in range(size):
                number = start + made + offset
                created = now - timedelta(minutes=rng.randint(60 * 24 * 30, 10 * 365 * 24 * 60))
                about_pupil = number % 5000 == 0
                rows.append(
                    Incident(
                        school=school,
                        reference=f"DPB-{number:07d}",
                        year=created.year,
                        number=number,
                        reporter=reporter,
                        reporter_role=Role.STAFF,
                        platform=rng.choice(platforms),
                        seen_at=created,
                        content="Benchmark post.",
                        targeted=pupil.full_name if about_pupil else "A class teacher",
                        poster_kind="unknown",
                        status=Status.CLOSED,
                        safeguarding_concern=rng.random() < 0.05,
                        created_at=created,
                        resolved_at=created + timedelta(days=rng.randint(1, 25)),
                    )
                )
            for row in rows:
                row.seconds_to_resolve = seconds_between(row.created_at, row.resolved_at)
            created_rows = Incident.objects.bulk_create(rows)
            IncidentPupil.objects.bulk_create(
                IncidentPupil(incident=i, pupil=pupil, role="in_post") for i in created_rows if i.number % 5000 == 0
            )
            IncidentNature.objects.bulk_create(
                IncidentNature.for_incident(i, rng.choice(list(Nature))) for i in created_rows
            )
        made += size


def time_gather(school: School, pupil: Pupil, size: int) -> dict:
    gather(school, pupil=pupil)  # warm
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        items = gather(school, pupil=pupil)
    seconds = time.perf_counter() - started
    row = {"seconds": seconds, "queries": len(queries)}
    emit("sar_gather_pupil", size, seconds * 1000, "ms", len(queries), items=len(items))
    return row


def time_review_rows(school: School, by: User, pupil: Pupil, size: int) -> dict:
    """Registering a request and storing its review rows (what the DPO's "Gather" button does)."""
    sar = sar_actions.register_request(
        school=school,
        by=by,
        requester_name="Bench Parent",
        requester_email="",
        relationship="parent",
        received_on=timezone.localdate(),
        pupil=pupil,
        identity_note="Bench",
    )
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        stored = sar_actions.gather_items(sar=sar, by=by)
    seconds = time.perf_counter() - started
    row = {"seconds": seconds, "queries": len(queries)}
    emit("sar_review_rows", size, seconds * 1000, "ms", len(queries), items=stored)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    school = School.objects.create(short_code="DPB", name="Bench Primary", address="1 Road", headteacher_name="H")
    staff = User.objects.create_user(email="staff@bench.example", password=None, full_name="Bench Staff")
    Membership.objects.create(user=staff, school=school, role=Role.STAFF)
    pupil = Pupil.objects.create(
        school=school, first_name="Rowan", last_name="Benchmark", date_of_birth=date(2016, 4, 1)
    )

    results, reviews = {}, {}
    built = 0
    for size in (args.small, args.large):
        started = time.perf_counter()
        build(school, staff, pupil, size - built, built)
        built = size
        note(built=size, seconds=round(time.perf_counter() - started, 1))
        results[size] = time_gather(school, pupil, size)
        reviews[size] = time_review_rows(school, staff, pupil, size)

    sweeps = []
    for run in (1, 2):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            listed = actions.sweep_school(school)
        seconds = time.perf_counter() - started
        sweeps.append(seconds)
        emit(
            "retention_sweep_first" if run == 1 else "retention_sweep_again",
            args.large,
            seconds * 1000,
            "ms",
            len(queries),
            listed=listed,
            on_review_list=ReviewItem.objects.filter(school=school).count(),
        )
    small, large = results[args.small], results[args.large]
    # The review rows are written 500 to an INSERT: the query count follows the pupil's items (a
    # few dozen here, one INSERT at both sizes), never the size of the school.
    same_review_queries = reviews[args.small]["queries"] == reviews[args.large]["queries"]
    ok = (
        large["seconds"] < 2
        and small["queries"] == large["queries"]
        and max(sweeps) < 5
        and reviews[args.large]["seconds"] < 2
        and same_review_queries
    )
    note(
        targets="data_protection",
        gather_under_2s=large["seconds"] < 2,
        same_query_count=small["queries"] == large["queries"],
        review_rows_under_2s=reviews[args.large]["seconds"] < 2,
        review_rows_same_query_count=same_review_queries,
        sweep_under_5s=max(sweeps) < 5,
        ok=ok,
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
