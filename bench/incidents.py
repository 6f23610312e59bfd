"""Benchmark the incident list, its search and the incident page at 1,000 and 100,000 incidents.

    .venv/bin/python bench/incidents.py [--sizes 1000 100000] [--runs 30]

Uses its own SQLite file (var/bench-incidents.sqlite3, rebuilt each run) unless DATABASE_URL is set.
Seeds rows with bulk_create (each incident with a few sentences of post text, a step, a nature, a
timeline entry and an evidence row), times the pages of each size in turn (one request of each
per round, so a slow phase of the VM falls on all of them), prints one JSON line per page and
size on stdout:
{"measure": ..., "size": ..., "value": median ms, "unit": "ms", "queries": queries per request},
and the ratios and EXPLAIN findings on stderr. The EXPLAIN check runs every SELECT of each page
again: on PostgreSQL under EXPLAIN (ANALYZE, FORMAT JSON), failing any query that reads more than
READ_BUDGET rows of any one incident table per row it returns (a page and one at least), so a plan
that walks the whole school through an index fails like a table scan; on SQLite (no row counts)
any SCAN of an incident table without an index, or a sort of every matching row, fails. `--plans`
prints every query's rows read and returned; `--strict` exits 1 on a failure.
Search is timed for a common word ("group", in about a third of the posts), a rare word
("trampoline", the same twenty posts at every size: one in 5,000 at 100,000, so both sizes show
the same page) and a reference.
Targets: the 100,000 figure within 1.5x of the 1,000 figure; the list under 50 ms median on SQLite;
search under 30 ms at 100,000.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from _common import captured_queries, emit, rows_read_postgresql, signed_in_client, sqlite_plan

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_DB = ROOT / "var" / "bench-incidents.sqlite3"
PAGE_SIZE = 25  # incidents.views.cases.PAGE_SIZE
CHECK_ROWS_FROM = 10_000  # PostgreSQL reads a small table whole, rightly: rows read are checked from here
READ_BUDGET = 10  # rows a query may read per row it returns (filters that match one row in ten pass)
COMMON_WORD = "group"  # in about a third of the posts
RARE_WORD = "trampoline"  # twenty posts at any size (demo/incidents.py post_text)


def setup(reuse: bool = False) -> None:
    if not os.environ.get("DATABASE_URL"):
        for suffix in () if reuse else ("", "-wal", "-shm"):
            Path(f"{BENCH_DB}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsocial.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import School

    if not (reuse and School.objects.filter(short_code="NBP").exists()):
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
    # Seeding leaves this process with far more live objects than a server worker holds, and the
    # garbage collector's passes over them were timed as the pages' own cost: put them aside.
    gc.collect()
    gc.freeze()


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def median_ms(client, pages: dict[str, str], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall-clock and CPU milliseconds of this process per request for each page (on SQLite
    the CPU time includes the database's work, and it suffers less than the wall clock on a shared
    machine). The pages are timed in turn, one request each per round, so that a slow phase of the
    VM (its speed drifts by a third within minutes) falls on every page alike, not on one."""
    for url in pages.values():
        for _ in range(3):
            assert client.get(url).status_code == 200, url
    times: dict[str, list[float]] = {label: [] for label in pages}
    cpu: dict[str, list[float]] = {label: [] for label in pages}
    for _ in range(runs):
        for label, url in pages.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times[label].append((time.perf_counter() - started) * 1000)
            cpu[label].append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, url
    return {label: (statistics.median(times[label]), statistics.median(cpu[label])) for label in pages}


def check_plans(client, url: str, size: int) -> tuple[list[str], list[str]]:
    """Run the page once and look at the plan of each SELECT on the incident tables.

    PostgreSQL: EXPLAIN (ANALYZE, FORMAT JSON) counts the rows each query reads from the incident
    tables (rows passed up plus rows its filters threw away); a query fails when it reads more than
    READ_BUDGET rows per row it returns (at least a page and one, as the pager asks for one more), so
    walking a whole school through its index and filtering it down fails as a table scan would. (Not
    below CHECK_ROWS_FROM incidents: there a table of a thousand rows is rightly read whole.)
    SQLite: no row counts, so the plan must not SCAN an incident table without an index, nor sort
    every matching row (TEMP B-TREE FOR ORDER BY) outside a search bounded by RANK_AT_MOST.
    Returns (evidence lines, failures)."""
    from django.db import connection

    evidence, failures = [], []
    for query in captured_queries(client, url):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "incidents_" not in sql:
            continue
        if connection.vendor == "postgresql":
            read, returned, summary = rows_read_postgresql(sql, ("incidents_",))
            if "incidents_platform" in summary and "incidents_incident" not in summary:
                continue  # the platform directory: a dozen rows, read whole on purpose
            allowed = READ_BUDGET * max(returned, PAGE_SIZE + 1)
            line = f"{read:>6} read {returned:>4} returned  {summary}"
            evidence.append(line)
            if read > allowed and size >= CHECK_ROWS_FROM:
                failures.append(f"reads {read} rows for {returned} ({sql[:140]}...)\n      {summary}")
        else:
            plan = sqlite_plan(query.get("raw", sql), query.get("params", ()))
            evidence.append(" | ".join(plan))
            scans = [
                p
                for p in plan
                if p.startswith("SCAN")
                and "USING" not in p
                and "VIRTUAL TABLE" not in p  # the FTS5 index answering a search
                and "incidents_" in p
                and "incidents_platform" not in p
            ]
            if not any("incidents_" in p and "incidents_platform" not in p for p in plan):
                continue  # the platform directory: a dozen rows, read whole on purpose
            sorts = [p for p in plan if p == "USE TEMP B-TREE FOR ORDER BY" and "search_rank" not in sql]
            if scans or sorts:
                failures.append(f"{sql[:140]}...\n      plan: {' | '.join(plan)}")
    return evidence, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--plans", action="store_true", help="print every query's plan (rows read on PostgreSQL)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a plan reads more rows than the page shows")
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run and top it up")
    args = parser.parse_args()
    setup(args.reuse)
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Membership, Role, School
    from incidents.models import Incident, Platform

    school = School.objects.get(short_code="NBP")
    head = Membership.objects.get(school=school, role=Role.HEADTEACHER).user
    client = signed_in_client(head)
    vendor = "postgresql" if "postgres" in os.environ["DATABASE_URL"] else "sqlite"
    results: dict[int, dict[str, float]] = {}
    failed = 0
    for size in sorted(args.sizes):
        note(f"{size:,} incidents on {vendor}, load average {os.getloadavg()[0]:.2f}")
        grow_to(school, size)
        if vendor == "postgresql":  # fresh statistics, as autovacuum keeps them in production
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        ordered = Incident.objects.filter(school=school).order_by("pk")
        middle = ordered.values_list("pk", flat=True)[size // 2]
        reference = ordered.values_list("reference", flat=True)[size // 3]
        platform = Platform.objects.shared().order_by("pk").first()
        a_week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        listed = reverse("incidents:list")
        pages = {
            "list": listed,
            "list, open": listed + "?status=open",
            "list, filtered": listed + "?status=in_progress&nature=threat",
            "list, platform": listed + f"?platform={platform.pk}",
            "list, dates": listed + f"?date_from={a_week_ago}&date_to={yesterday}",
            "list, overdue": listed + "?overdue=on",
            "search, common word": listed + f"?q={COMMON_WORD}",
            "search, rare word": listed + f"?q={RARE_WORD}",
            "search, reference": listed + f"?q={reference}",
            # What a headteacher types for "this year's cases": matches nearly every row of the school.
            "search, part of a reference": listed + f"?q={reference.rsplit('-', 1)[0]}",
            "detail": reverse("incidents:detail", args=[middle]),
        }
        results[size] = {}
        timed = median_ms(client, pages, args.runs)
        for label, url in pages.items():
            value, cpu = timed[label]
            results[size][label] = value
            queries = len(captured_queries(client, url))
            emit(f"incidents {label}", size, value, "ms", queries, database=vendor, cpu_ms=round(cpu, 1))
            evidence, failures = check_plans(client, url, size)
            if args.plans:
                for line in evidence:
                    note(f"  plan of {label}: {line}")
            for failure in failures:
                failed += 1
                note(f"  FAIL {label} reads more rows than the page shows: {failure}")
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
    for label in ("search, common word", "search, rare word", "search, reference", "search, part of a reference"):
        verdict = "ok" if largest[label] < 30 else "over the 30 ms target"
        note(f"{label} at {max(results):,}: {largest[label]:.1f} ms ({verdict})")
    note(f"EXPLAIN check: {failed} plan(s) read more rows than the page shows")
    if failed and args.strict:
        sys.exit(1)


if __name__ == "__main__":
    main()
