"""The MIS import's rules as plain data: which headings each system uses for which field, the
year groups a school can have, and the words MIS exports use for relationships and yes/no.

Every heading in HEADINGS has a worked example in tests/accounts/roll/test_columns.py (one
export header row per system), so a heading added here without one fails the suite.
Pure: no database, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PUPILS = "pupils"
CONTACTS = "contacts"
IGNORE = ""  # a column the office chose to leave out


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # as the mapping page names it
    required: bool = False


PUPIL_FIELDS: tuple[Field, ...] = (
    Field("upn", "Unique pupil number (UPN)"),
    Field("admission_number", "Admission number"),
    Field("first_name", "Legal first name", required=True),
    Field("preferred_first_name", "Preferred first name"),
    Field("last_name", "Surname", required=True),
    Field("date_of_birth", "Date of birth", required=True),
    Field("year_group", "Year group", required=True),
    Field("registration_group", "Registration group or class"),
    Field("on_roll", "On roll (yes or no)"),
    Field("leaving_date", "Leaving date"),
)

CONTACT_FIELDS: tuple[Field, ...] = (
    Field("pupil_upn", "The pupil's UPN"),
    Field("pupil_admission_number", "The pupil's admission number"),
    Field("title", "Title (Mr, Mrs, Ms...)"),
    Field("first_name", "First name"),
    Field("last_name", "Surname", required=True),
    Field("relationship", "Relationship to the pupil"),
    Field("parental_responsibility", "Parental responsibility (yes or no)"),
    Field("priority", "Contact priority"),
    Field("email", "Email address"),
    Field("phone", "Mobile or phone number"),
    Field("address", "Whole postal address"),
    Field("address_1", "Address line 1"),
    Field("address_2", "Address line 2"),
    Field("town", "Town"),
    Field("county", "County"),
    Field("postcode", "Postcode"),
)

FIELDS: dict[str, tuple[Field, ...]] = {PUPILS: PUPIL_FIELDS, CONTACTS: CONTACT_FIELDS}

# A file must let each row be matched to its pupil by one of these (contacts) or name one (pupils).
ONE_OF: dict[str, tuple[str, ...]] = {CONTACTS: ("pupil_upn", "pupil_admission_number")}


@dataclass(frozen=True)
class Heading:
    system: str
    kind: str
    heading: str
    field: str


def _headings(system: str, kind: str, pairs: dict[str, str]) -> tuple[Heading, ...]:
    return tuple(Heading(system, kind, heading, field) for heading, field in pairs.items())


HEADINGS: tuple[Heading, ...] = (
    *_headings(
        "SIMS",
        PUPILS,
        {
            "UPN": "upn",
            "Adno": "admission_number",
            "Legal Forename": "first_name",
            "Preferred Forename": "preferred_first_name",
            "Legal Surname": "last_name",
            "DOB": "date_of_birth",
            "Year": "year_group",
            "Reg": "registration_group",
            "Enrolment Status": "on_roll",
            "Date of Leaving": "leaving_date",
        },
    ),
    *_headings(
        "SIMS",
        CONTACTS,
        {
            "Pupil UPN": "pupil_upn",
            "Pupil Adno": "pupil_admission_number",
            "Contact Title": "title",
            "Contact Forename": "first_name",
            "Contact Surname": "last_name",
            "Relationship": "relationship",
            "Parental Responsibility": "parental_responsibility",
            "Priority": "priority",
            "Contact Email": "email",
            "Contact Mobile": "phone",
            "Address Line 1": "address_1",
            "Address Line 2": "address_2",
            "Town": "town",
            "County": "county",
            "Postcode": "postcode",
        },
    ),
    *_headings(
        "Arbor",
        PUPILS,
        {
            "UPN": "upn",
            "Admission Number": "admission_number",
            "Legal First Name": "first_name",
            "Preferred First Name": "preferred_first_name",
            "Last Name": "last_name",
            "Date of Birth": "date_of_birth",
            "Year Group": "year_group",
            "Registration Form": "registration_group",
            "Leaving Date": "leaving_date",
        },
    ),
    *_headings(
        "Arbor",
        CONTACTS,
        {
            "Student UPN": "pupil_upn",
            "Title": "title",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Relationship": "relationship",
            "Has Parental Responsibility": "parental_responsibility",
            "Priority": "priority",
            "Email Address": "email",
            "Mobile Number": "phone",
            "Address": "address",
        },
    ),
    *_headings(
        "Bromcom",
        PUPILS,
        {
            "UPN": "upn",
            "Admission No": "admission_number",
            "Legal Forename": "first_name",
            "Preferred Forename": "preferred_first_name",
            "Legal Surname": "last_name",
            "Date Of Birth": "date_of_birth",
            "Year": "year_group",
            "Tutor Group": "registration_group",
            "Status": "on_roll",
            "Leaving Date": "leaving_date",
        },
    ),
    *_headings(
        "Bromcom",
        CONTACTS,
        {
            "Student UPN": "pupil_upn",
            "Admission No": "pupil_admission_number",
            "Title": "title",
            "Forename": "first_name",
            "Surname": "last_name",
            "Relation": "relationship",
            "Parental Responsibility": "parental_responsibility",
            "Contact Priority": "priority",
            "Email": "email",
            "Mobile Phone": "phone",
            "Address Line 1": "address_1",
            "Address Line 2": "address_2",
            "Town": "town",
            "County": "county",
            "Postcode": "postcode",
        },
    ),
    *_headings(
        "ScholarPack",
        PUPILS,
        {
            "UPN": "upn",
            "Admission Number": "admission_number",
            "Forename": "first_name",
            "Preferred Name": "preferred_first_name",
            "Surname": "last_name",
            "DOB": "date_of_birth",
            "NC Year": "year_group",
            "Class": "registration_group",
            "Date Left": "leaving_date",
        },
    ),
    *_headings(
        "ScholarPack",
        CONTACTS,
        {
            "Pupil UPN": "pupil_upn",
            "Title": "title",
            "Forename": "first_name",
            "Surname": "last_name",
            "Relationship": "relationship",
            "Parental Responsibility": "parental_responsibility",
            "Priority": "priority",
            "Email": "email",
            "Mobile": "phone",
            "Address": "address",
            "Postcode": "postcode",
        },
    ),
)


def normalise_heading(heading: str) -> str:
    """ "Date Of Birth", "date_of_birth" and " DATE OF BIRTH " are one heading."""
    return re.sub(r"[^a-z0-9]", "", heading.lower())


def known_headings(kind: str) -> dict[str, str]:
    """normalised heading -> field, for every system at once (no system uses one heading for two fields)."""
    return {normalise_heading(h.heading): h.field for h in HEADINGS if h.kind == kind}


def field_labels(kind: str) -> dict[str, str]:
    return {f.name: f.label for f in FIELDS[kind]}


# Year groups in the order a child moves through them. A school's last year is the last one its
# classes use; the rollover moves everyone one step along this line.
YEAR_GROUPS: tuple[str, ...] = ("Nursery", "Reception", *(f"Year {n}" for n in range(1, 14)))

_YEAR_ALIASES: dict[str, str] = {
    "n": "Nursery",
    "n1": "Nursery",
    "n2": "Nursery",
    "nur": "Nursery",
    "nursery": "Nursery",
    "r": "Reception",
    "rec": "Reception",
    "yr": "Reception",
    "yearr": "Reception",
    "reception": "Reception",
    "0": "Reception",
}


def year_group(text: str) -> str | None:
    """ "Y3", "3", "Year 3", "NC Year 3", "Yr 3" -> "Year 3"; "R", "Rec", "YR" -> "Reception"; else None."""
    key = re.sub(r"[\s_-]", "", text.lower())
    if key in _YEAR_ALIASES:
        return _YEAR_ALIASES[key]
    match = re.fullmatch(r"(?:nc)?(?:year|yr|y)?(\d{1,2})", key)
    if match and 1 <= int(match.group(1)) <= 13:
        return f"Year {int(match.group(1))}"
    return None


def next_year_group(current: str) -> str | None:
    """The year group after `current`, or None after Year 13 (or for a year group we do not know)."""
    if current not in YEAR_GROUPS:
        return None
    index = YEAR_GROUPS.index(current)
    return YEAR_GROUPS[index + 1] if index + 1 < len(YEAR_GROUPS) else None


# Relationship words as MIS exports write them -> accounts.models.Relationship values.
RELATIONSHIPS: dict[str, str] = {
    "mother": "mother",
    "mum": "mother",
    "stepmother": "mother",
    "father": "father",
    "dad": "father",
    "stepfather": "father",
    "carer": "carer",
    "fostercarer": "carer",
    "childminder": "other",
    "grandparent": "carer",
    "grandmother": "carer",
    "grandfather": "carer",
    "guardian": "guardian",
    "legalguardian": "guardian",
    "parent": "carer",
}


def relationship(text: str) -> str:
    return RELATIONSHIPS.get(normalise_heading(text), "other")


YES_WORDS = frozenset({"yes", "y", "true", "1", "t", "pr", "parentalresponsibility", "oncurrentroll"})
NO_WORDS = frozenset({"no", "n", "false", "0", "f", ""})
ON_ROLL_WORDS = frozenset({"yes", "y", "true", "1", "onroll", "current", "active", "oncurrentroll", "enrolled"})
OFF_ROLL_WORDS = frozenset({"no", "n", "false", "0", "offroll", "left", "leaver", "former", "inactive"})


def yes_no(text: str) -> bool | None:
    """True, False, or None when the cell says neither."""
    key = normalise_heading(text)
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    return None


def on_roll(text: str) -> bool | None:
    key = normalise_heading(text)
    if not key or key in ON_ROLL_WORDS:
        return True
    if key in OFF_ROLL_WORDS:
        return False
    return None


# Day first, as UK exports write dates; ISO for systems that export it.
DATE_FORMATS: tuple[str, ...] = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y")

# A cell beginning with one of these is a formula to a spreadsheet: refused, never stored.
FORMULA_STARTS = ("=", "@")
