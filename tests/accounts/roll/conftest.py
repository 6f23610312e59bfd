"""MIS exports as the office would upload them."""

from __future__ import annotations

import csv
import io

import pytest

SIMS_PUPIL_HEADINGS = ["UPN", "Adno", "Legal Forename", "Preferred Forename", "Legal Surname", "DOB", "Year", "Reg"]
SIMS_CONTACT_HEADINGS = [
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


def csv_bytes(headings: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def pupil_row(upn, first, last, dob="17/05/2018", year="Year 2", reg="Otters", adno="", preferred=""):
    return [upn, adno, first, preferred, last, dob, year, reg]


def contact_row(upn, title, first, last, email, relationship="Mother", pr="Yes", priority="1", phone="07700 900123"):
    return [upn, title, first, last, relationship, pr, priority, email, phone, "2 Mill Lane", "Townley", "TL1 2AB"]


@pytest.fixture
def sims_pupils():
    return [
        pupil_row("A100000000001", "Leo", "Da Silva", reg="Otters", year="Y2"),
        pupil_row("A100000000002", "Zoë", "O'Brien", reg="Badgers", year="3"),
        pupil_row("A100000000003", "Siân", "Ng-Évora", reg="Badgers", year="Year 3", preferred="Sia"),
    ]


@pytest.fixture
def sims_contacts():
    return [
        contact_row("A100000000001", "Mr", "Michael", "Da Silva", "m.dasilva@example.org", relationship="Father"),
        contact_row("A100000000002", "Ms", "Aoife", "O'Brien", "aoife@example.org"),
        contact_row("A100000000003", "Dr", "Rosa", "Évora", "rosa@example.org", pr="No"),
    ]


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    """`run_import(school, by, pupils_bytes, contacts_bytes=None, confirm=True)` -> the RollImport,
    through the same steps as the portal (upload, preview task, confirm, apply task)."""
    from accounts.roll import actions

    def _run(school, by, pupils: bytes, contacts: bytes | None = None, confirm: bool = True):
        with django_capture_on_commit_callbacks(execute=True):
            roll_import = actions.start_import(
                school=school,
                by=by,
                pupils_name="pupils.csv",
                pupils_text=actions.read_upload(pupils),
                contacts_name="contacts.csv" if contacts else "",
                contacts_text=actions.read_upload(contacts) if contacts else "",
            )
        roll_import.refresh_from_db()
        if confirm and roll_import.status == roll_import.Status.PREVIEWED:
            with django_capture_on_commit_callbacks(execute=True):
                actions.confirm(roll_import, by)
            roll_import.refresh_from_db()
        return roll_import

    return _run
