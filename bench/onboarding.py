"""Benchmark: a secondary school moves in from its MIS export, then re-imports it each term.

    .venv/bin/python bench/onboarding.py [--pupils 1500] [--contacts 3000]

Builds a throwaway SQLite database (or uses BENCH_DATABASE_URL), writes a SIMS-style pupils file
and contacts file, and runs the import the portal runs (preview task, then apply task) three times:
the first import, the same files again, and the files with 5% of the pupils changed (a new class,
a corrected surname) and 5% of the contacts with a new phone number. Prints one JSON line per
measure: {"measure": ..., "value": ..., "unit": ...}. Targets: the first import under 10 s; the
unchanged re-import's query count the same at any size.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import boot  # noqa: E402

WORKDIR = boot("onboarding")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Membership, Role, School, User  # noqa: E402
from accounts.roll import actions  # noqa: E402
from accounts.roll.models import RollImport  # noqa: E402

PUPIL_HEADINGS = ["UPN", "Adno", "Legal Forename", "Preferred Forename", "Legal Surname", "DOB", "Year", "Reg"]
CONTACT_HEADINGS = [
    "Pupil UPN",
    "Contact Title",
    "Contact Forename",
    "Contact Surname",
    "Relationship",
    "Parental Responsibility",
    "Priority",
    "Contact Email",
    "Contact Mobile",
    "Address Line 1",
    "Town",
    "Postcode",
]
FORMS = "ABCDEFGHIJ"


def emit(measure: str, value: float, unit: str) -> None:
    print(json.dumps({"measure": measure, "value": round(value, 3), "unit": unit}), flush=True)


def to_csv(headings: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def files(pupils: int, contacts: int, changed_share: float = 0.0) -> tuple[bytes, bytes]:
    every = int(1 / changed_share) if changed_share else 0
    pupil_rows = []
    for n in range(pupils):
        year = 7 + n % 5
        surname = f"Surname{n}"
        form = f"{year}{FORMS[n % len(FORMS)]}"
        if every and n % every == 0:
            surname, form = f"Surname{n}-Changed", f"{year}Z"
        pupil_rows.append(
            [
                f"B{n:012d}",
                str(10000 + n),
                f"First{n}",
                "",
                surname,
                f"{1 + n % 28:02d}/0{1 + n % 9}/{2010 + year - 7}",
                f"Y{year}",
                form,
            ]
        )
    contact_rows = []
    for n in range(contacts):
        pupil = n % pupils
        phone = f"07700 9{n:05d}"
        if every and n % every == 0:
            phone = f"07800 9{n:05d}"
        contact_rows.append(
            [f"B{pupil:012d}", "Mrs" if n % 2 else "Mr", f"Carer{n}", f"Surname{pupil}", "Mother" if n % 2 else "Father",
             "Yes", str(1 + n // pupils), f"carer{n}@bench.example", phone, f"{n} High Street", "Townley", "TL1 1AA"]
        )  # fmt: skip
    return to_csv(PUPIL_HEADINGS, pupil_rows), to_csv(CONTACT_HEADINGS, contact_rows)


def run(label: str, school: School, office: User, pupils: bytes, contacts: bytes) -> RollImport:
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        roll_import = actions.start_import(
            school=school,
            by=office,
            pupils_name="pupils.csv",
            pupils_text=actions.read_upload(pupils),
            contacts_name="contacts.csv",
            contacts_text=actions.read_upload(contacts),
        )
        previewed = time.perf_counter()
        roll_import.refresh_from_db()
        assert roll_import.status == RollImport.Status.PREVIEWED, roll_import.status
        actions.confirm(roll_import, office)
        roll_import.refresh_from_db()
        assert roll_import.status == RollImport.Status.APPLIED, (roll_import.status, roll_import.error)
        finished = time.perf_counter()
    emit(f"{label}: upload and preview", previewed - started, "s")
    emit(f"{label}: whole import", finished - started, "s")
    emit(f"{label}: queries", len(queries), "queries")
    return roll_import


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=1500)
    parser.add_argument("--contacts", type=int, default=3000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    school = School.objects.create(short_code="BEN", name="Benchmark Academy", address="1 Road", headteacher_name="H")
    office = User.objects.create_user(email="office@bench.example", password=None, full_name="Bench Office")
    Membership.objects.create(user=office, school=school, role=Role.OFFICE)

    pupils, contacts = files(args.pupils, args.contacts)
    first = run(f"first import ({args.pupils} pupils, {args.contacts} contacts)", school, office, pupils, contacts)
    emit("first import: pupils written", first.result["written"]["pupils"], "rows")
    again = run("same files again", school, office, pupils, contacts)
    assert again.result["written"] == {"classes": 0, "pupils": 0, "contacts": 0, "links": 0, "accounts": 0}
    changed_pupils, changed_contacts = files(args.pupils, args.contacts, changed_share=0.05)
    later = run("5% changed", school, office, changed_pupils, changed_contacts)
    emit("5% changed: pupils written", later.result["written"]["pupils"], "rows")
    emit("5% changed: contacts written", later.result["written"]["contacts"], "rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
