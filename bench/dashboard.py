"""Benchmark: the headteacher's and the DSL's dashboards at 1,000 and 100,000 incidents.

    .venv/bin/python bench/dashboard.py [--small 1000] [--large 100000] [--families 50000] [--runs 20]

SQLite in a throwaway folder by default; PostgreSQL when DATABASE_URL (or BENCH_DATABASE_URL) is
set. One school with an agreement published to `--families` families (60% signed, so both coverage
panels have real work), incidents spread over the last 12 months with natures, platforms and steps,
a realistic share flagged (safeguarding 12%, identifiable pupils 20%, staff safety 2%) and most of
the older ones finished, so the open-flagged panels show what a busy school's would.

Times GET / as the headteacher and the DSL: right after a change (a nature added to a case
through the ordinary save, which moves the kept figures in its transaction and drops the cached
ones) and cached (the same page again). Prints JSON lines, as the other benches do:
{"measure": ..., "size": ..., "value": ..., "unit": ..., "queries": ...}, with the load average.
Targets: after a change under 60 ms at 100,000 incidents, cached under 25 ms, the same query
count at both sizes. On PostgreSQL it also prints the plan of the DSL's open-flagged query.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics as stats
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

if os.environ.get("DATABASE_URL") and not os.environ.get("BENCH_DATABASE_URL"):
    os.environ["BENCH_DATABASE_URL"] = os.environ["DATABASE_URL"]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import boot, signed_in_client  # noqa: E402

WORKDIR = boot("dashboard")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from accounts.models import Membership, ParentLink, Pupil, Role, School, SchoolClass, User  # noqa: E402
from agreements import actions as agreement_actions  # noqa: E402
from agreements.models import AgreementVersion, Signature  # noqa: E402
from incidents import figures  # noqa: E402
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
CLASSES = 70
SIGNED_SHARE = 0.6
FLAGS = {"safeguarding_concern": 0.12, "pupils_identifiable": 0.20, "staff_safety": 0.02}
TAG = uuid.uuid4().hex[:5].upper()  # a fresh school on a reused PostgreSQL database (short codes hold 6)


def emit(measure: str, size: int, value, unit: str, queries: int | None = None, **extra) -> None:
    line = {"measure": measure, "size": size, "value": value, "unit": unit, "queries": queries, **extra}
    line["load"] = [round(n, 2) for n in os.getloadavg()]
    line["db"] = connection.vendor
    print(json.dumps(line), flush=True)


def families(school: School, head: User, count: int) -> None:
    """`count` families, one child each, and the agreement published to them (60% signed)."""
    classes = SchoolClass.objects.bulk_create(SchoolClass(school=school, name=f"Class {n:02d}") for n in range(CLASSES))
    users = User.objects.bulk_create(
        (User(email=f"p{n}.{TAG}@bench.example", full_name=f"Parent {n}", password="!") for n in range(count)),
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        (Membership(user=u, school=school, role=Role.PARENT) for u in users), batch_size=2000
    )
    pupils = Pupil.objects.bulk_create(
        (
            Pupil(
                school=school,
                school_class=classes[n % CLASSES],
                first_name=f"Child{n}",
                last_name=f"Family{n}",
                date_of_birth="2018-01-01",
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    ParentLink.objects.bulk_create(
        (ParentLink(parent=u, pupil=p) for u, p in zip(users, pupils, strict=True)), batch_size=2000
    )
    draft = agreement_actions.start_draft(
        school=school,
        by=head,
        introduction="What we agree about posting online.",
        channels="Website",
        will_commitments="Speak kindly of others",
        will_not_commitments="Name children in posts",
    )
    version = agreement_actions.publish(draft, by=head, ask_parents=False)
    AgreementVersion.objects.filter(pk=version.pk).update(published_at=timezone.now() - timedelta(days=10))
    version.refresh_from_db()
    text = version.signed_text()
    rows = []
    for user, pupil in zip(users[: int(count * SIGNED_SHARE)], pupils, strict=False):
        signature = Signature(
            version=version,
            school=school,
            parent=user,
            pupil=pupil,
            academic_year=version.academic_year,
            pupil_name=f"{pupil.first_name} {pupil.last_name}",
            class_name="",
            typed_name=user.full_name,
            consents={"read": "yes"},
            text_signed=text,
            signed_at=timezone.now(),
        )
        signature.content_hash = signature.compute_hash()
        rows.append(signature)
    Signature.objects.bulk_create(rows, batch_size=2000)


def incidents(school: School, head: User, reporter: User, count: int, start_number: int) -> None:
    """Add `count` incidents spread over the last 12 months; most older than eight weeks finished."""
    rng = random.Random(count)
    platforms = list(Platform.objects.all())
    natures, steps = list(Nature), [StepKind.PLATFORM_REPORT, StepKind.REMOVAL_REQUEST, StepKind.POLICE_REFERRAL]
    now = timezone.now()
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        with transaction.atomic():
            rows = []
            for offset in range(size):
                number = start_number + made + offset
                age = timedelta(minutes=rng.randint(0, 365 * 24 * 60))
                created = now - age
                old = age > timedelta(weeks=8)
                if old and rng.random() < 0.95:
                    status = rng.choice([Status.RESOLVED, Status.CLOSED, Status.NO_ACTION])
                else:
                    status = rng.choice([Status.REPORTED, Status.TRIAGED, Status.IN_PROGRESS, Status.RESOLVED])
                finished = status in (Status.RESOLVED, Status.CLOSED, Status.NO_ACTION)
                resolved = min(created + timedelta(hours=rng.randint(2, 24 * 40)), now) if finished else None
                rows.append(
                    Incident(
                        school=school,
                        reference=f"B{TAG}-{number:06d}",
                        year=created.year,
                        number=number,
                        reporter=reporter,
                        reporter_role=Role.STAFF,
                        platform=rng.choice(platforms),
                        seen_at=created,
                        content="A post naming the school. It repeats a rumour about a class trip.",
                        poster_kind="unknown",
                        status=status,
                        created_at=created,
                        resolved_at=resolved,
                        seconds_to_resolve=seconds_between(created, resolved),
                        next_due_on=(now + timedelta(days=rng.randint(-5, 20))).date() if not finished else None,
                        **{flag: rng.random() < share for flag, share in FLAGS.items()},
                    )
                )
            made_rows = Incident.objects.bulk_create(rows)
            IncidentNature.objects.bulk_create(
                IncidentNature.for_incident(i, n) for i in made_rows for n in {rng.choice(natures), rng.choice(natures)}
            )
            EscalationStep.objects.bulk_create(
                EscalationStep(incident=i, kind=rng.choice(steps), created_by=head) for i in made_rows[::2]
            )
        made += size
    figures.rebuild_school(school.pk)  # bulk_create sends no signals


def change(school: School) -> float:
    """An ordinary change that moves the figures: a nature added to this month's latest case
    (through save(), so the kept row is recounted in its transaction). Returns its time."""
    incident = Incident.objects.filter(school=school).order_by("-created_at").first()
    assert incident is not None
    have = set(incident.natures.values_list("nature", flat=True))
    code = next(c for c in Nature.values if c not in have) if len(have) < len(Nature.values) else None
    started = time.perf_counter()
    with transaction.atomic():
        if code is None:
            IncidentNature.objects.filter(incident=incident).delete()
        else:
            IncidentNature.objects.create(incident=incident, nature=code)
    return time.perf_counter() - started


def timed_get(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed, len(queries.captured_queries)


def measure(clients: dict, school: School, size: int, runs: int) -> dict:
    url = reverse("dashboard:home")
    results = {}
    for role, client in clients.items():
        client.get(url)  # session, membership and template caches warm
        after, changes, cached = [], [], []
        after_q = cached_q = 0
        for _ in range(runs):
            changes.append(change(school))
            elapsed, after_q = timed_get(client, url)
            after.append(elapsed)
            elapsed, cached_q = timed_get(client, url)
            cached.append(elapsed)
        results[role] = (stats.median(after) * 1000, stats.median(cached) * 1000, after_q, cached_q)
        emit(f"dashboard_{role}_after_change", size, round(results[role][0], 1), "ms", after_q)
        emit(f"dashboard_{role}_cached", size, round(results[role][1], 1), "ms", cached_q)
        emit(f"figures_change_{role}", size, round(stats.median(changes) * 1000, 1), "ms")
    return results


def explain(school: School, dsl: User) -> None:
    if connection.vendor != "postgresql":
        return
    from incidents.access import cases_for

    membership = Membership.objects.get(user=dsl, school=school)
    query = cases_for(membership).open_flagged().order_by("next_due_on", "-created_at", "-pk")[:10]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_incident")
        sql, params = query.query.sql_with_params()
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]["Plan"]

    def walk(node):
        yield node
        for child in node.get("Plans", []):
            yield from walk(child)

    nodes = list(walk(plan))
    scans = [n for n in nodes if "Scan" in n["Node Type"]]
    emit(
        "explain_open_flagged",
        Incident.objects.filter(school=school).count(),
        [f"{n['Node Type']} {n.get('Index Name', n.get('Relation Name', ''))}" for n in scans],
        "plan",
        rows_read=sum(n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0) for n in scans),
        seq_scan=any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "incidents_incident" for n in scans),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    school = School.objects.create(
        short_code=f"B{TAG}", name="Benchmark Primary", address="1 Road", headteacher_name="H"
    )
    people = {}
    for role in (Role.HEADTEACHER, Role.DSL, Role.STAFF):
        user = User.objects.create_user(email=f"{role}.{TAG}@bench.example", password=None, full_name=f"Bench {role}")
        Membership.objects.create(user=user, school=school, role=role)
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        people[role] = user
    started = time.perf_counter()
    families(school, people[Role.HEADTEACHER], args.families)
    emit("build_families", args.families, round(time.perf_counter() - started, 1), "s")
    clients = {"headteacher": signed_in_client(people[Role.HEADTEACHER]), "dsl": signed_in_client(people[Role.DSL])}

    results, built = {}, 0
    for size in (args.small, args.large):
        started = time.perf_counter()
        incidents(school, people[Role.HEADTEACHER], people[Role.STAFF], size - built, built)
        built = size
        emit("build_incidents", size, round(time.perf_counter() - started, 1), "s")
        results[size] = measure(clients, school, size, args.runs)
        explain(school, people[Role.DSL])
    ok = True
    for role in clients:
        small, large = results[args.small][role], results[args.large][role]
        ok &= large[0] < 60 and large[1] < 25 and small[2] == large[2] and small[3] == large[3]
    print("OK" if ok else "MISSED TARGET", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
