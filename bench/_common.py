"""What every benchmark script needs: a throwaway database and a signed-in client.

Import `boot` before anything from Django, call it, then import the project's modules.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def boot(name: str) -> str:
    """Point Django at a fresh SQLite file in a temporary folder (or BENCH_DATABASE_URL; or, when
    DATABASE_URL names a PostgreSQL server, a fresh database of this bench's own on it), keep
    email in memory and tasks in-process, and set Django up. Returns the temporary folder."""
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp(prefix=f"bench-{name}-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsocial.settings")
    server = os.environ.get("DATABASE_URL", "")
    if "BENCH_DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    elif server.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = fresh_postgresql_database(server, name)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["PRIVATE_MEDIA_ROOT"] = workdir
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    logging.getLogger("celery").setLevel(logging.WARNING)
    return workdir


def fresh_postgresql_database(server_url: str, name: str) -> str:
    """Drop and create `<database>_bench_<name>` on the server of `server_url`; returns its URL."""
    import re
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(server_url)
    database = re.sub(r"\W", "_", f"{parts.path.lstrip('/') or 'schoolsocial'}_bench_{name}")[:63]
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')
    return urlunsplit(parts._replace(path="/" + database))


def signed_in_client(user):
    """A test client signed in as `user`, second factor passed."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user, backend="accounts.backends.PasswordBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


# --- Shared by the benches: one JSON line per figure, query counts, and plans that read too much ---


def median_ms(request, runs: int, warm: int = 3) -> float:
    """Median milliseconds of `runs` calls of `request` (after `warm` calls to fill the caches)."""
    import statistics
    import time

    for _ in range(warm):
        request()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        request()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def emit(measure: str, size: int, value: float, unit: str, queries: int | None, **extra) -> None:
    """Print one figure as a JSON line on stdout (the load average beside it: the machine is shared)."""
    import json

    line = {"measure": measure, "size": size, "value": round(value, 2), "unit": unit, "queries": queries}
    line.update(extra)
    line.setdefault("load", round(os.getloadavg()[0], 2))
    print(json.dumps(line), flush=True)


def captured_queries(client, url: str) -> list[dict]:
    """The SQL one GET of `url` runs (the response must be a 200): each query's text with its
    values written in ("sql", for reading and for PostgreSQL, which receives them so), and as the
    database was sent it ("raw" and "params": SQLite plans with bound parameters, and may plan
    differently than for the same query with its values written in)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sent: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        sent.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(record):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = list(captured.captured_queries)
    for query, (raw, params) in zip(queries, sent, strict=False):
        query["raw"], query["params"] = raw, params
    return queries


def rows_read_postgresql(sql: str, tables: tuple[str, ...]) -> tuple[int, int, str]:
    """Run `sql` under EXPLAIN (ANALYZE, FORMAT JSON) and return (rows read from the tables whose
    names start with one of `tables`, rows the query returned, a one-line plan summary).

    Rows read are counted at every scan node on those tables: the rows it passed up plus the rows
    its filter or recheck threw away, times its loops, so a plan that walks a whole school through
    an index and filters it down shows its true cost. The figure is the most read from any one
    table: a join that reads a case's nature row and then the case itself has read one case, not
    two (summed, a normalised schema would pay for each table a case is split over)."""
    import json

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    read_from: dict[str, int] = {}
    summary: list[str] = []

    def walk(node: dict) -> None:
        relation = node.get("Relation Name", "")
        if relation and relation.startswith(tables):
            loops = node.get("Actual Loops", 1)
            rows = (
                node.get("Actual Rows", 0)
                + node.get("Rows Removed by Filter", 0)
                + node.get("Rows Removed by Index Recheck", 0)
            ) * loops
            read_from[relation] = read_from.get(relation, 0) + int(rows)
            summary.append(f"{node['Node Type']} on {relation} ({node.get('Index Name', '-')}): {int(rows)} read")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return max(read_from.values(), default=0), int(plan.get("Actual Rows", 0)), "; ".join(summary)


def sqlite_plan(sql: str, params: tuple = ()) -> list[str]:
    """The lines of SQLite's EXPLAIN QUERY PLAN for `sql`, with `params` bound as the page binds
    them (a partial index that a written-in value matches may not be used with a bound one)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params or None)
        return [str(row[-1]) for row in cursor.fetchall()]
