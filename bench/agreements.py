"""Benchmark: agreement coverage pages and the reminder sweep over 50,000 parents.

    .venv/bin/python bench/agreements.py [--parents 50000]

Builds a throwaway SQLite database (a fresh one of its own on PostgreSQL when DATABASE_URL names a
server, or BENCH_DATABASE_URL as it is), one school with N families of
which 60% have signed, then times:
- the coverage page, a page of its waiting list and a class page (median of 9 after one to warm
  up), and the CSV export (time and SQL queries; the export streams, so
  the time to its first line is printed too, and its query count stays the same at any size);
- the daily reminder sweep on the day everyone unsigned is due their 7-day reminder (target < 3 s).
  The sweep queues the emails in chunks of 500 for the workers, which record each decision with
  its email, as with a real broker; the time to send one chunk is printed separately.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import boot, emit, median_ms, signed_in_client  # noqa: E402

WORKDIR = boot("agreements")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from accounts.models import Membership, ParentLink, Pupil, Role, School, SchoolClass, User  # noqa: E402
from agreements import actions, tasks  # noqa: E402
from agreements.models import AgreementReminder, AgreementVersion, ReminderStage, Signature  # noqa: E402

CLASSES = 70
SIGNED_SHARE = 0.6


def build(parents: int) -> tuple[School, User, AgreementVersion]:
    school = School.objects.create(short_code="BEN", name="Benchmark Primary", address="1 Road", headteacher_name="H")
    head = User.objects.create_user(email="head@bench.example", password=None, full_name="Bench Head")
    Membership.objects.create(user=head, school=school, role=Role.HEADTEACHER)
    TOTPDevice.objects.create(user=head, name="bench", confirmed=True)
    classes = SchoolClass.objects.bulk_create(SchoolClass(school=school, name=f"Class {n:02d}") for n in range(CLASSES))
    users = User.objects.bulk_create(
        (User(email=f"p{n}@bench.example", full_name=f"Parent {n}", password="!") for n in range(parents)),
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
            for n in range(parents)
        ),
        batch_size=2000,
    )
    ParentLink.objects.bulk_create(
        (ParentLink(parent=u, pupil=p) for u, p in zip(users, pupils, strict=True)), batch_size=2000
    )
    ParentLink.objects.update(created_at=timezone.now() - timedelta(days=60))
    draft = actions.start_draft(
        school=school,
        by=head,
        introduction="Benchmark agreement.",
        channels="Website",
        will_commitments="Be kind",
        will_not_commitments="Be unkind",
    )
    version = actions.publish(draft, by=head, ask_parents=False)
    AgreementVersion.objects.filter(pk=version.pk).update(published_at=timezone.now() - timedelta(days=10))
    version.refresh_from_db()
    text = version.signed_text()
    signed_count = int(parents * SIGNED_SHARE)
    signatures = []
    for user, pupil in zip(users[:signed_count], pupils[:signed_count], strict=True):
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
        signatures.append(signature)
    Signature.objects.bulk_create(signatures, batch_size=2000)
    # Everyone was asked when the version was published, ten days ago.
    AgreementReminder.objects.bulk_create(
        (AgreementReminder(version=version, parent=u, stage=ReminderStage.ASK) for u in users), batch_size=2000
    )
    return school, head, version


FAMILIES = 0  # set by main: the size every figure is printed with


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def timed(label: str, func):
    """Run `func` once; print a JSON line (stdout) and a readable line (stderr) of its time."""
    connection.queries_log.clear()  # the log keeps 9,000 entries; start each count from empty
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - started
    emit(f"agreements {label}", FAMILIES, elapsed * 1000, "ms", len(queries), database=connection.vendor)
    note(f"{label:<48} {elapsed * 1000:8.0f} ms  {len(queries):4d} queries")
    return result, elapsed


def median_of(label: str, func, runs: int = 9) -> float:
    """A page: asked once to warm up, then the median of `runs` requests (one JSON line)."""
    value = median_ms(func, runs, warm=1)
    with CaptureQueriesContext(connection) as queries:
        func()
    emit(f"agreements {label}", FAMILIES, value, "ms", len(queries), database=connection.vendor)
    note(f"{label:<48} {value:8.0f} ms  {len(queries):4d} queries (median of {runs})")
    return value


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parents", type=int, default=50_000)
    args = parser.parse_args()
    global FAMILIES
    FAMILIES = args.parents
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    school, head, version = build(args.parents)
    note(f"built {args.parents} families in {time.perf_counter() - started:.1f} s ({connection.vendor})")
    if connection.vendor == "postgresql":
        # A live database has planner statistics; one bulk-loaded a second ago has none until
        # autovacuum gets to it, and its plans for the coverage page are then minutes, not seconds.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    client = signed_in_client(head)
    first_class = SchoolClass.objects.filter(school=school).order_by("name").first()

    def get(url: str):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        if getattr(response, "streaming", False):
            return sum(1 for _ in response.streaming_content)
        return len(response.content)

    median_of("coverage page (school, 70 classes)", lambda: get(reverse("agreements:coverage")))
    median_of("coverage page, page 100 of the waiting list", lambda: get(reverse("agreements:coverage") + "?page=100"))
    median_of("class page (~700 families)", lambda: get(reverse("agreements:class_coverage", args=[first_class.pk])))
    first_line: list[float] = []

    def export() -> int:
        started = time.perf_counter()
        response = client.get(reverse("agreements:coverage_csv"))
        assert response.status_code == 200 and response.streaming, response.status_code
        lines = 0
        for chunk in response.streaming_content:
            if not lines:
                first_line.append(time.perf_counter() - started)
            lines += chunk.count(b"\n")
        return lines

    lines, _ = timed(f"CSV export (whole school, {args.parents} families)", export)
    note(f"  -> {lines - 1} rows; first line after {first_line[0] * 1000:.0f} ms (the file streams)")

    queued: list[tuple] = []
    tasks.send_agreement_emails.delay = lambda *a: queued.append(a)  # a broker: workers send later
    due, elapsed = timed("reminder sweep (day 10: 7-day reminders due)", tasks.sweep_unsigned_agreements)
    note(f"  -> {due} parents to remind, {len(queued)} chunks queued; target < 3 s: {'OK' if elapsed < 3 else 'SLOW'}")
    del tasks.send_agreement_emails.delay
    if queued:
        version_id, stage, chunk = queued[0]
        sent, _ = timed(
            f"worker: send one chunk ({len(chunk)} emails)",
            lambda: tasks.send_agreement_emails(version_id, stage, chunk),
        )
        note(f"  -> {sent} emails recorded")
        # The other workers record their decisions as they send (sending itself is not timed here).
        for _, stage, chunk in queued[1:]:
            AgreementReminder.objects.bulk_create(
                [AgreementReminder(version=version, parent_id=pid, stage=stage) for pid in chunk], batch_size=2000
            )
    tasks.send_agreement_emails.delay = lambda *a: queued.append(a)
    again, _ = timed("reminder sweep again, after the workers ran", tasks.sweep_unsigned_agreements)
    assert again == 0, again
    del tasks.send_agreement_emails.delay
    decided = AgreementReminder.objects.filter(stage=ReminderStage.DAY_7).count()
    note(f"7-day reminder decisions recorded: {decided}")
    return 0 if elapsed < 3 else 1


if __name__ == "__main__":
    sys.exit(main())
