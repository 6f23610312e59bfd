"""The restore drill: seed, back up, destroy, restore, and prove everything came back.

Runs on whichever database the suite runs on: PostgreSQL in `make test` (pg_dump / pg_restore into a
throwaway database on the same server), the embedded SQLite in the smoke run (SQLite's online
backup into a new file). The target is always a new, empty database beside the test database,
reached as the connection alias "drill".
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from agreements import actions as agreement_actions
from agreements.models import Signature, SignedCopy
from incidents import actions as incident_actions
from incidents.letters import actions as letter_actions
from incidents.letters.models import Letter, LetterKind
from incidents.models import Evidence, Incident
from schoolsocial.lib.uploads import inspect_upload

from ..agreements.conftest import CONTENT, sign
from ..incidents.conftest import upload
from ..letters.builders import make_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.smoke]


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def every_row(alias: str) -> dict[str, list[dict]]:
    """Every row of every table the portal has, history tables included, in a stable order."""
    return {
        model._meta.label: list(model._base_manager.using(alias).order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture
def seeded(cast):
    """An incident with evidence and a final letter, a signed agreement with its PDF copy."""
    incident, step = make_case(cast)
    screenshot = upload("post.png")
    incident_actions.add_evidence(
        incident=incident, by=cast.headteacher, uploads=[(screenshot, inspect_upload(screenshot))]
    )
    letter = letter_actions.create_letter(
        incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher
    )
    letter_actions.request_preview(letter=letter)
    letter_actions.finalise(letter=Letter.objects.get(pk=letter.pk), by=cast.headteacher)
    draft = agreement_actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    version = agreement_actions.publish(draft, by=cast.headteacher)
    sign(cast, version)
    # What the drill must bring back (transactional test: on-commit work, the PDFs, already ran).
    assert Evidence.objects.exists() and Letter.objects.get().pdf_sha256
    assert SignedCopy.objects.exclude(sha256="").exists()
    return cast


@pytest.fixture
def drill_alias(settings, tmp_path_factory) -> Iterator[str]:
    """A new, empty database on the same server as the test database, as the alias "drill"."""
    source = connection.settings_dict
    if connection.vendor == "postgresql":
        name = f"{source['NAME']}_drill_{secrets.token_hex(4)}"[:63]
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path_factory.mktemp("drill-db") / "restored.sqlite3")
    wrapper = type(connections["default"])({**source, "NAME": name}, alias="drill")
    connections["drill"] = wrapper
    try:
        yield "drill"
    finally:
        wrapper.close()
        del connections["drill"]
        if connection.vendor == "postgresql":
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def use_new_private_folder(settings, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}},
    }


def test_the_restore_drill_brings_everything_back(seeded, drill_alias, settings, tmp_path, tmp_path_factory):
    private = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    before_rows = every_row("default")
    before_files = file_hashes(private)
    assert len(before_files) >= 4  # evidence, letter preview and final PDF, signed copy
    key = tmp_path_factory.mktemp("key") / "school.key"
    call_command("backup", make_key=key)
    out = tmp_path_factory.mktemp("backups") / "tonight"
    call_command("backup", out=out, key_file=key)
    assert not any(b"post.png" in path.read_bytes() for path in out.rglob("*") if path.is_file())  # encrypted

    # Destroy: the files are gone; the restore goes into a new, empty database and folder.
    shutil.rmtree(private)
    restored = tmp_path_factory.mktemp("restored-private")
    use_new_private_folder(settings, restored)
    call_command("restore", out, key_file=key, database=drill_alias)

    after_rows = every_row(drill_alias)
    assert after_rows == before_rows
    for label in ("incidents.Incident", "incidents.Evidence", "letters.Letter", "agreements.Signature"):
        assert after_rows[label], label
    history = {label: rows for label, rows in after_rows.items() if ".Historical" in label}
    assert sum(len(rows) for rows in history.values()) > 5
    assert file_hashes(restored) == before_files
    # Each record's own fingerprint matches its restored file.
    for evidence in Evidence.objects.using(drill_alias).all():
        assert hashlib.sha256((restored / evidence.file.name).read_bytes()).hexdigest() == evidence.sha256
    letter = Letter.objects.using(drill_alias).get()
    assert hashlib.sha256((restored / letter.pdf.name).read_bytes()).hexdigest() == letter.pdf_sha256
    signature = Signature.objects.using(drill_alias).get()
    assert signature.is_intact
    assert signature.compute_hash() == Signature.objects.get().content_hash
    assert Incident.objects.using(drill_alias).get().reference == Incident.objects.get().reference


def test_a_tampered_backup_is_refused_and_nothing_is_restored(seeded, drill_alias, settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("backups") / "tampered"
    call_command("backup", out=out)
    evidence = next((out / "files").rglob("*.png"))
    original = evidence.read_bytes()
    evidence.write_bytes(original + b"\x00")
    use_new_private_folder(settings, tmp_path_factory.mktemp("empty-private"))
    with pytest.raises(CommandError, match=r"does not match its manifest: files/.*\.png was changed"):
        call_command("restore", out, database=drill_alias)
    assert not connections[drill_alias].introspection.table_names()

    evidence.unlink()
    with pytest.raises(CommandError, match="is missing"):
        call_command("restore", out, database=drill_alias)
    evidence.write_bytes(original)
    (out / "extra.sql").write_text("DROP TABLE accounts_user;")
    with pytest.raises(CommandError, match="extra.sql is not listed"):
        call_command("restore", out, verify_only=True)


def test_restore_refuses_a_database_or_storage_that_is_not_empty(seeded, drill_alias, settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("backups") / "ok"
    call_command("backup", out=out)
    call_command("restore", out, verify_only=True)
    with pytest.raises(CommandError, match="database already has tables"):
        call_command("restore", out)  # the live database
    with pytest.raises(CommandError, match="storage already holds files"):
        call_command("restore", out, database=drill_alias)  # the live private folder
    assert not connections[drill_alias].introspection.table_names()


def test_an_encrypted_backup_needs_the_right_key(seeded, tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    call_command("backup", make_key=folder / "right.key")
    call_command("backup", make_key=folder / "wrong.key")
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("backup", make_key=folder / "right.key")
    out = tmp_path_factory.mktemp("backups") / "encrypted"
    call_command("backup", out=out, key_file=folder / "right.key")
    assert not (out / "manifest.json").exists()
    with pytest.raises(CommandError, match="encrypted: give the school's key"):
        call_command("restore", out, verify_only=True)
    with pytest.raises(CommandError, match="wrong key"):
        call_command("restore", out, verify_only=True, key_file=folder / "wrong.key")
    call_command("restore", out, verify_only=True, key_file=folder / "right.key")


def test_a_backup_goes_only_into_a_new_folder(seeded, tmp_path_factory):
    out = tmp_path_factory.mktemp("backups")
    (out / "last-night.txt").write_text("an older backup")
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", out=out)
