"""manage.py restore DIR [--key-file KEY]: into an empty database and an empty storage, after checking
every file against the backup's manifest (schoolsocial/lib/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from schoolsocial.lib import backup


class Command(BaseCommand):
    help = "Restore a backup made by manage.py backup into an empty database and empty file storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--key-file", type=Path, help="The key the backup was encrypted with.")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")
        parser.add_argument(
            "--verify-only", action="store_true", help="Check the backup against its manifest; restore nothing."
        )

    def handle(self, *args, **options) -> None:
        try:
            fernet = backup.load_key(options["key_file"])
            if options["verify_only"]:
                manifest = backup.verify(options["folder"], fernet)
                self.stdout.write(f"The backup matches its manifest ({len(manifest.entries)} file(s)).")
                return
            summary = backup.restore(options["folder"], fernet=fernet, alias=options["database"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the {summary.database_vendor} database and {summary.files} file(s).")
