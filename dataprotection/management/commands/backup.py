"""manage.py backup --out DIR [--key-file KEY]: the database and the private files, with a manifest
(schoolsocial/lib/backup.py). manage.py backup --make-key KEY makes the school's key."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schoolsocial.lib import backup


class Command(BaseCommand):
    help = "Back up the database and the private files into a new folder, with a manifest of SHA-256s."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="A new (or empty) folder for this backup.")
        parser.add_argument("--key-file", type=Path, help="Encrypt with this key (keep it apart from the backups).")
        parser.add_argument("--make-key", type=Path, metavar="FILE", help="Write a new key to FILE and stop.")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, **options) -> None:
        try:
            if options["make_key"]:
                backup.make_key(options["make_key"])
                self.stdout.write(f"A new key is in {options['make_key']}. Keep copies of it apart from the backups.")
                return
            if not options["out"]:
                raise CommandError("Give the folder for this backup with --out DIR.")
            summary = backup.backup(
                options["out"], fernet=backup.load_key(options["key_file"]), alias=options["database"]
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        encrypted = "encrypted" if summary.encrypted else "not encrypted"
        self.stdout.write(
            f"Backed up the {summary.database_vendor} database and {summary.files} file(s) "
            f"to {options['out']} ({encrypted})."
        )
