"""Benchmark the incident list, its search and the incident page at 1,000 and 100,000 incidents.

    .venv/bin/python bench/incidents.py [--sizes 1000 100000] [--runs 30]

Uses its own SQLite file (var/bench-incidents.sqlite3, rebuilt each run) unless DATABASE_URL is set.
Seeds rows with bulk_create (each incident with a few sentences of post text, a step, a nature, a
timeline entry and an evidence row), prints one JSON line per page and size on stdout:
{"measure": ..., "size": ..., "value": median ms, "unit": "ms", "queries": queries per request},
and the ratios and EXPLAIN findings on stderr. EXPLAIN checks that no query of the list or the
page scans a whole table (the platform directory, a lookup table of a dozen rows, is read whole
on purpose) and, on PostgreSQL, that the word searches use the GIN index.
Search is timed for a common word ("group", in about a third of the posts), a rare word
("trampoline", one post in 5,000) and a reference.
Targets: the 100,000 figure within 1.5x of the 1,000 figure; the list under 50 ms median on SQLite;
search under 30 ms at 100,000.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from _common import signed_in_client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_DB = ROOT / "var" / "bench-incidents.sqlite3"


def setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH_DB}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsocial.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", quiet=True, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def grow_to(school, size: int) -> None:
    from accounts.models import Role
    from demo import incidents as demo
    from incidents.models import Evidence, Incident

    people = demo._people(school)
    before = Incident.objects.filter(school=school).count()
    started = time.perf_counter()
    demo._bulk(school, people, size)
    new = Incident.objects.filter(school=school, evidence__isnull=True).only("pk")
    batch = []
    for incident_id in new.values_list("pk", flat=True).iterator(chunk_size=5000):
        batch.append(
            Evidence(
                school=school,
                incident_id=incident_id,
                uploaded_by=people[Role.PARENT],
                file=f"evidence/bench/{incident_id}.png",
                original_name="screenshot.png",
                content_type="image/png",
                size=123456,
                sha256="0" * 64,
                width=1170,
                height=2532,
            )
        )
        if len(batch) >= 5000:
            Evidence.objects.bulk_create(batch)
            batch = []
    Evidence.objects.bulk_create(batch)
    note(f"  seeded {size - before:,} incidents in {time.perf_counter() - started:.1f} s")


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def queries_of(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def search_plans(client, url: str) -> list[str]:
    """PostgreSQL: the plans of the page's search queries that do not use the GIN index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        return []
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    missing = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if "search_vector" not in query["sql"] or not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + query["sql"])
            plan = " | ".join(row[0] for row in cursor.fetchall())
            if "incidents_incident_search" not in plan:
                missing.append(plan)
    return missing


def median_ms(client, url: str, runs: int) -> float:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def explain(client, url: str) -> list[str]:
    """Run the page once, EXPLAIN each SELECT, and return the plans that scan a whole table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    problems = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "incidents_" not in sql:
                continue
            if connection.vendor == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
                scans = [
                    p
                    for p in plan.split(" | ")
                    if p.startswith("SCAN")
                    and "USING" not in p
                    and "VIRTUAL TABLE" not in p  # the FTS5 index answering a search
                    and "incidents_" in p
                    and "incidents_platform" not in p
                ]
            else:
                cursor.execute("EXPLAIN " + sql)
                plan = " | ".join(row[0] for row in cursor.fetchall())
                scans = [
                    p for p in plan.split(" | ") if "Seq Scan on incidents_" in p and "incidents_platform" not in p
                ]
            if scans:
                problems.append(f"{sql[:160]}...\n      plan: {plan}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup()
    from django.urls import reverse

    from accounts.models import Membership, Role, School
    from incidents.models import Incident

    school = School.objects.get(short_code="NBP")
    head = Membership.objects.get(school=school, role=Role.HEADTEACHER).user
    client = signed_in_client(head)
    vendor = "postgresql" if "postgres" in os.environ["DATABASE_URL"] else "sqlite"
    results: dict[int, dict[str, float]] = {}
    for size in sorted(args.sizes):
        note(f"{size:,} incidents on {vendor}")
        grow_to(school, size)
        if vendor == "postgresql":  # fresh statistics, as autovacuum keeps them in production
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        ordered = Incident.objects.filter(school=school).order_by("pk")
        middle = ordered.values_list("pk", flat=True)[size // 2]
        reference = ordered.values_list("reference", flat=True)[size // 3]
        pages = {
            "list": reverse("incidents:list"),
            "list, filtered": reverse("incidents:list") + "?status=in_progress&nature=threat",
            "list, overdue": reverse("incidents:list") + "?overdue=on",
            "search, common word": reverse("incidents:list") + "?q=group",
            "search, rare word": reverse("incidents:list") + "?q=trampoline",
            "search, reference": reverse("incidents:list") + f"?q={reference}",
            "detail": reverse("incidents:detail", args=[middle]),
        }
        results[size] = {}
        for label, url in pages.items():
            value = median_ms(client, url, args.runs)
            results[size][label] = value
            line = {"measure": f"incidents {label}", "size": size, "value": round(value, 1), "unit": "ms"}
            print(json.dumps({**line, "queries": queries_of(client, url), "database": vendor}), flush=True)
            for problem in explain(client, url):
                note(f"  WARNING full scan on {label}: {problem}")
            for plan in search_plans(client, url) if size >= 10_000 else []:  # a small school reads it whole
                note(f"  WARNING {label} does not use the GIN index: {plan}")
    if len(results) >= 2:
        small, large = min(results), max(results)
        note(f"ratio {large:,} / {small:,}:")
        for label in results[small]:
            ratio = results[large][label] / results[small][label]
            note(f"  {label:<20} {ratio:4.2f}x  {'ok' if ratio <= 1.5 else 'OVER 1.5x'}")
    largest = results[max(results)]
    note(
        f"list median at {max(results):,}: {largest['list']:.1f} ms ({'ok' if largest['list'] < 50 else 'over 50 ms'})"
    )
    for label in ("search, common word", "search, rare word", "search, reference"):
        verdict = "ok" if largest[label] < 30 else "over the 30 ms target"
        note(f"{label} at {max(results):,}: {largest[label]:.1f} ms ({verdict})")


if __name__ == "__main__":
    main()
