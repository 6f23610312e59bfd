"""Run the MIS import from the command line, for schools that automate their export.

    manage.py import_roll --school NBP --pupils pupils.csv [--contacts contacts.csv] [--dry-run]

The same steps as the portal (the school's remembered column mapping included), run in-process.
Exit status 0 on success, 1 when the files cannot be read or, without --dry-run, when any row
was refused (the other rows are imported). Headings nobody has matched are left out and named.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import School
from accounts.roll import actions, columns, parsing
from accounts.roll.models import RollImport


class Command(BaseCommand):
    help = "Import pupils (and their contacts) from an MIS CSV export."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's short code, for example NBP.")
        parser.add_argument("--pupils", required=True, type=Path)
        parser.add_argument("--contacts", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Print what would change and write nothing.")

    def handle(self, *args, school: str, pupils: Path, contacts: Path | None, dry_run: bool, **options):
        found = School.objects.filter(short_code=school.upper()).first()
        if found is None:
            raise CommandError(f"No school has the code {school}.")
        texts = {}
        for kind, path in ((columns.PUPILS, pupils), (columns.CONTACTS, contacts)):
            if path is None:
                continue
            try:
                texts[kind] = actions.read_upload(path.read_bytes())
                file = actions.file_columns(found, kind, texts[kind])
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
            except parsing.FileProblem as problem:
                raise CommandError(f"{path.name}: {problem}") from problem
            if file.missing:
                raise CommandError(f"{path.name} has no column for: {', '.join(file.missing)}.")
            if file.unknown:
                self.stdout.write(f"{path.name}: left out the columns {', '.join(file.unknown)}.")

        roll_import = RollImport.objects.create(
            school=found,
            pupils_filename=pupils.name,
            pupils_text=texts[columns.PUPILS],
            contacts_filename=contacts.name if contacts else "",
            contacts_text=texts.get(columns.CONTACTS, ""),
            status=RollImport.Status.PREVIEWING,
        )
        actions.run_preview(roll_import.pk)
        roll_import.refresh_from_db()
        if roll_import.status != RollImport.Status.PREVIEWED:
            raise CommandError(roll_import.error or "The files could not be read.")
        self._print(roll_import.preview, heading="Would change" if dry_run else "Changes")
        refused = (
            roll_import.preview["counts"]["pupils"]["refused"] + roll_import.preview["counts"]["contacts"]["refused"]
        )
        if dry_run:
            actions.discard(roll_import)
            self.stdout.write("Dry run: nothing was written.")
            return
        RollImport.objects.filter(pk=roll_import.pk).update(status=RollImport.Status.APPLYING)
        outcome = actions.run_apply(roll_import.pk)
        if outcome != "applied":
            raise CommandError("The roll changed while importing; nothing was written. Run the import again.")
        self.stdout.write(self.style.SUCCESS(f"Imported (roll import {roll_import.pk})."))
        if refused:
            raise CommandError(f"{refused} row(s) were refused and not imported; see above.", returncode=1)

    def _print(self, summary: dict, heading: str) -> None:
        pupils, contacts = summary["counts"]["pupils"], summary["counts"]["contacts"]
        self.stdout.write(
            f"{heading}: pupils {pupils['new']} new, {pupils['changed']} changed, {pupils['unchanged']} unchanged, "
            f"{pupils['leaving']} leaving, {pupils['refused']} refused"
        )
        if summary.get("has_contacts_file"):
            self.stdout.write(
                f"Contacts {contacts['new']} new, {contacts['changed']} changed, {contacts['unchanged']} unchanged, "
                f"{contacts['refused']} refused"
            )
        if summary.get("new_school_year"):
            self.stdout.write(
                f"The MIS has moved the pupils up a year: this import starts the {summary['new_school_year']} school year."
            )
        if summary.get("new_classes"):
            self.stdout.write("New classes: " + ", ".join(c["name"] for c in summary["new_classes"]))
        for kind in ("pupils", "contacts"):
            for row in summary.get(kind, []):
                if row["status"] == "refused":
                    self.stdout.write(
                        f"Refused, {kind} file line {row['line']}: {row['name']}: {' '.join(row['notes'])}"
                    )
