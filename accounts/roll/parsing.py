"""From an uploaded MIS export to rows of fields: encoding, headings and cells. Pure (no database).

A problem with the whole file (not CSV, empty, too big, a heading twice) raises FileProblem with
a message for the office; a problem with one row is the preview's business, not this module's.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from . import columns


class FileProblem(Exception):
    """The file cannot be read as an MIS export. The message says why, and what to do."""


@dataclass
class Table:
    headings: list[str]  # as written in the file
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)


@dataclass
class Row:
    line: int
    values: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")


# Zip (xlsx, docx), old Excel, PDF, images: things people upload instead of a CSV export.
_NOT_CSV_STARTS = {
    b"PK\x03\x04": "a spreadsheet saved as .xlsx",
    b"\xd0\xcf\x11\xe0": "an Excel .xls spreadsheet",
    b"%PDF": "a PDF",
    b"\x89PNG": "a picture",
    b"\xff\xd8\xff": "a picture",
}
SAVE_AS_CSV = "In the MIS or in Excel, choose to export or save as “CSV (comma delimited)” and upload that file."


def decode(data: bytes, *, max_bytes: int) -> str:
    """The file's text: UTF-8 with or without a byte-order mark, or Windows-1252 (older Excel)."""
    if len(data) > max_bytes:
        raise FileProblem(
            f"The file is {len(data) / 1_048_576:.1f} MB; the most the portal takes is "
            f"{max_bytes / 1_048_576:.0f} MB. A school's whole roll is far smaller: check it is the right file."
        )
    if not data.strip():
        raise FileProblem("The file is empty. Export the roll from the MIS again and upload the new file.")
    for start, what in _NOT_CSV_STARTS.items():
        if data.startswith(start):
            raise FileProblem(f"This file is {what}, not a CSV file. {SAVE_AS_CSV}")
    if b"\x00" in data[:4096]:
        raise FileProblem(f"This is not a CSV file (it is not text). {SAVE_AS_CSV}")
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as error:
                raise FileProblem(
                    "The file has characters the portal cannot read. Export it again as “CSV UTF-8”."
                ) from error
    return unicodedata.normalize("NFC", text)


def read_table(text: str) -> Table:
    """Split the text into a heading row and data rows (commas, semicolons or tabs)."""
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    if first_line.count(delimiter) == 0:
        raise FileProblem("The file has only one column, so it is not an export of the roll. " + SAVE_AS_CSV)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headings: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if headings is None:
                headings = [clean_cell(cell) for cell in cells]
                continue
            rows.append((line, [clean_cell(cell) for cell in cells]))
    except csv.Error as error:
        raise FileProblem(
            f"Line {reader.line_num} of the file cannot be read as CSV ({error}). " + SAVE_AS_CSV
        ) from error
    if headings is None:
        raise FileProblem("The file is empty. Export the roll from the MIS again and upload the new file.")
    if not rows:
        raise FileProblem("The file has headings but no rows under them. Check the export included the pupils.")
    return Table(headings=headings, rows=rows)


# Control characters, and the invisible ones that reorder or hide text (bidi overrides, zero-width
# spaces, stray byte-order marks). Newlines stay (an address cell); so does the zero-width joiner
# that holds emoji together.
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_cell(cell: str) -> str:
    """Spaces trimmed and control characters removed; letters, accents, apostrophes and emoji kept."""
    cell = _CONTROLS.sub("", cell)
    lines = (" ".join(part.split()) for part in cell.split("\n"))
    return "\n".join(line for line in lines if line)


def match_columns(kind: str, headings: list[str], remembered: dict[str, str]) -> tuple[dict[int, str], list[str]]:
    """Which column holds which field, and the headings nobody has matched yet.

    `remembered` is the school's own mapping (normalised heading -> field or "" to ignore); it wins
    over the built-in table. Two columns for one field, or one heading twice, is a FileProblem.
    """
    known = columns.known_headings(kind)
    labels = columns.field_labels(kind)
    by_column: dict[int, str] = {}
    unknown: list[str] = []
    seen_headings: dict[str, int] = {}
    seen_fields: dict[str, int] = {}
    for index, heading in enumerate(headings):
        key = columns.normalise_heading(heading)
        if not key:
            continue
        if key in seen_headings:
            raise FileProblem(
                f"The column “{heading}” appears twice (columns {seen_headings[key] + 1} and {index + 1}). "
                "Remove one of them and upload the file again."
            )
        seen_headings[key] = index
        name = remembered[key] if key in remembered else known.get(key)
        if name is None:
            unknown.append(heading)
            continue
        if name == columns.IGNORE:
            continue
        if name in seen_fields:
            raise FileProblem(
                f"Two columns hold the {labels[name].lower()}: “{headings[seen_fields[name]]}” and “{heading}”. "
                "Remove one of them (or match one to something else) and upload the file again."
            )
        seen_fields[name] = index
        by_column[index] = name
    return by_column, unknown


def missing_fields(kind: str, by_column: dict[int, str]) -> list[str]:
    """Labels of the fields a file of this kind must have but does not."""
    present = set(by_column.values())
    missing = [f.label for f in columns.FIELDS[kind] if f.required and f.name not in present]
    group = columns.ONE_OF.get(kind)
    if group and not present & set(group):
        labels = columns.field_labels(kind)
        missing.append(" or ".join(labels[name] for name in group))
    return missing


def rows_of(table: Table, by_column: dict[int, str]) -> list[Row]:
    rows = []
    for line, cells in table.rows:
        values = {name: (cells[index] if index < len(cells) else "") for index, name in by_column.items()}
        rows.append(Row(line=line, values=values))
    return rows


def formula_in(row: Row) -> str | None:
    """The field whose cell starts like a spreadsheet formula (=HYPERLINK(...)), if any."""
    for name, value in row.values.items():
        if value.startswith(columns.FORMULA_STARTS):
            return name
    return None
