"""Shared by bench/throughput.py and bench/scale.py: a seeded database, session cookies for a signed-in
headteacher, and a bounded keep-alive load client (threads with http.client) for loopback.

Run on its own it does nothing (`make bench` runs every bench/*.py).
"""

from __future__ import annotations

import http.client
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def setup(sqlite_path: Path, fresh: bool = False) -> str:
    """Point Django at DATABASE_URL (PostgreSQL) or a fresh SQLite file and migrate (the shared
    platform directory comes with the migrations). No seed_demo: it takes minutes on a busy machine.
    `fresh` empties every table first (PostgreSQL: the bench owns that database). Returns the
    database URL, for a server started afterwards."""
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in () if os.environ.get("BENCH_REUSE") else ("", "-wal", "-shm"):  # BENCH_REUSE=1 keeps it
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsocial.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if fresh:
        import importlib

        from django.apps import apps as live_apps
        from django.db import connection

        call_command("flush", interactive=False, verbosity=0)
        # flush empties the shared platform directory too; put it back as its migration does.
        importlib.import_module("incidents.migrations.0002_common_platforms").add_platforms(live_apps, connection)
    return os.environ["DATABASE_URL"]


def make_school(code: str, name: str = ""):
    """A school with a headteacher (a confirmed TOTP device, as every staff account has) and a
    parent who reports; returns (school, headteacher)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Membership, Role, School, User

    school, _ = School.objects.get_or_create(
        short_code=code,
        defaults={"name": name or f"Bench school {code}", "address": "1 Bench Road", "headteacher_name": "A Head"},
    )
    people = {}
    for role in (Role.HEADTEACHER, Role.PARENT):
        user, _ = User.objects.get_or_create(
            email=f"{role}-{code.lower()}@bench.invalid", defaults={"full_name": f"Bench {role}"}
        )
        Membership.objects.get_or_create(user=user, school=school, role=role)
        people[role] = user
    head = people[Role.HEADTEACHER]
    TOTPDevice.objects.get_or_create(user=head, name="bench", defaults={"confirmed": True})
    return school, head


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def grow_to(school, size: int) -> None:
    """Top `school` up to `size` incidents (post text, a nature, a step, a timeline entry, evidence)."""
    from accounts.models import Role
    from demo import incidents as demo
    from incidents.models import Evidence, Incident

    people = demo._people(school)
    demo._bulk(school, people, size)
    new = Incident.objects.filter(school=school, evidence__isnull=True).only("pk")
    batch: list = []
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


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def session_cookie(user) -> str:
    """A session key for `user`, signed in with the second factor passed, made through the session
    engine (as the test client's force_login does) plus django-otp's verified-device key."""
    from _common import signed_in_client
    from django.test import Client

    client: Client = signed_in_client(user)
    key = client.session.session_key
    assert key is not None
    return key


# --- the load client ------------------------------------------------------------------------------


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def drive(host: str, port: int, path: str, cookies: list[str], seconds: float, cookie_name: str) -> Result:
    """One thread per cookie, each a keep-alive connection sending GET `path` back to back (one
    request in flight per client: the load is bounded by the number of clients) for `seconds`."""
    result = Result()
    lock = threading.Lock()
    start = threading.Barrier(len(cookies) + 1)
    stop_at = [0.0]

    def client(cookie: str) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        headers = {"Cookie": f"{cookie_name}={cookie}", "Host": host}
        mine: list[float] = []
        errors = 0
        start.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors += 1
                elif response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
                continue
            mine.append((time.perf_counter() - began) * 1000)
        connection.close()
        with lock:
            result.latencies.extend(mine)
            result.errors += errors

    threads = [threading.Thread(target=client, args=(cookie,), daemon=True) for cookie in cookies]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


if __name__ == "__main__":
    pass
