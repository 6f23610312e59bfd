"""The heading table: each system's export header row is a worked example, and every heading in
the table must appear in one (a heading added without an example fails here)."""

from __future__ import annotations

import pytest

from accounts.roll import columns, parsing

# Header rows as each system exports them (the columns a school picks in its report).
EXAMPLES: dict[tuple[str, str], list[str]] = {
    ("SIMS", "pupils"): ["UPN", "Adno", "Legal Forename", "Preferred Forename", "Legal Surname", "DOB", "Year", "Reg", "Enrolment Status", "Date of Leaving"],
    ("SIMS", "contacts"): ["Pupil UPN", "Pupil Adno", "Contact Title", "Contact Forename", "Contact Surname", "Relationship", "Parental Responsibility", "Priority", "Contact Email", "Contact Mobile", "Address Line 1", "Address Line 2", "Town", "County", "Postcode"],
    ("Arbor", "pupils"): ["UPN", "Admission Number", "Legal First Name", "Preferred First Name", "Last Name", "Date of Birth", "Year Group", "Registration Form", "Leaving Date"],
    ("Arbor", "contacts"): ["Student UPN", "Title", "First Name", "Last Name", "Relationship", "Has Parental Responsibility", "Priority", "Email Address", "Mobile Number", "Address"],
    ("Bromcom", "pupils"): ["UPN", "Admission No", "Legal Forename", "Preferred Forename", "Legal Surname", "Date Of Birth", "Year", "Tutor Group", "Status", "Leaving Date"],
    ("Bromcom", "contacts"): ["Student UPN", "Admission No", "Title", "Forename", "Surname", "Relation", "Parental Responsibility", "Contact Priority", "Email", "Mobile Phone", "Address Line 1", "Address Line 2", "Town", "County", "Postcode"],
    ("ScholarPack", "pupils"): ["UPN", "Admission Number", "Forename", "Preferred Name", "Surname", "DOB", "NC Year", "Class", "Date Left"],
    ("ScholarPack", "contacts"): ["Pupil UPN", "Title", "Forename", "Surname", "Relationship", "Parental Responsibility", "Priority", "Email", "Mobile", "Address", "Postcode"],
}  # fmt: skip


@pytest.mark.parametrize("system, kind", list(EXAMPLES))
def test_each_systems_export_is_recognised_without_asking(system, kind):
    by_column, unknown = parsing.match_columns(kind, EXAMPLES[(system, kind)], remembered={})
    assert unknown == []
    assert parsing.missing_fields(kind, by_column) == []


def test_every_heading_in_the_table_has_a_worked_example():
    for heading in columns.HEADINGS:
        assert heading.heading in EXAMPLES[(heading.system, heading.kind)], heading


def test_no_heading_means_two_fields_in_one_kind_of_file():
    seen: dict[tuple[str, str], str] = {}
    for heading in columns.HEADINGS:
        key = (heading.kind, columns.normalise_heading(heading.heading))
        assert seen.setdefault(key, heading.field) == heading.field, heading


@pytest.mark.parametrize(
    "text, expected",
    [("Y3", "Year 3"), ("3", "Year 3"), ("Year 3", "Year 3"), ("NC Year 3", "Year 3"), ("Yr 11", "Year 11"),
     ("R", "Reception"), ("Rec", "Reception"), ("YR", "Reception"), ("N2", "Nursery"),
     ("Y15", None), ("", None), ("Year 0.5", None)],
)  # fmt: skip
def test_year_groups(text, expected):
    assert columns.year_group(text) == expected


def test_next_year_group():
    assert columns.next_year_group("Reception") == "Year 1"
    assert columns.next_year_group("Year 6") == "Year 7"
    assert columns.next_year_group("Year 13") is None


def test_a_remembered_choice_wins_over_the_table():
    by_column, unknown = parsing.match_columns("pupils", ["UPN", "Year", "Class"], remembered={"class": ""})
    assert by_column == {0: "upn", 1: "year_group"} and unknown == []


def test_windows_1252_and_bom_and_plain_utf8_read_the_same():
    text = "Surname\nNg-Évora O’Neil\n"
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("cp1252")):
        assert parsing.decode(data, max_bytes=1000) == text


def test_semicolons_and_quoted_newlines():
    table = parsing.read_table('UPN;Address\nA1;"2 Mill Lane\nTownley"\nA2;x\n')
    assert table.rows == [(2, ["A1", "2 Mill Lane\nTownley"]), (4, ["A2", "x"])]


def test_hidden_characters_are_removed_but_emoji_kept():
    assert parsing.clean_cell("\u202eRuby\u200b  Stone 👩\u200d👧 ") == "Ruby Stone 👩\u200d👧"
