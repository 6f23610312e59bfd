"""Backups of the database and the private files together, and their restore (manage.py backup/restore).

A backup is a folder:

    manifest.json         what is in it, with the SHA-256 and size of every other file
    database.pgdump       PostgreSQL: pg_dump's custom format (one snapshot, so consistent)
    database.sqlite3      or the embedded SQLite database, by SQLite's online backup API
    files/...             the private files (the local folder), same names
    s3-objects.json       or, on S3, the listing of every object version under the prefix

The database is copied first, then the files. Stored files are never changed or replaced (evidence,
letters and signed copies are written once), so every file the database copy names is already in
storage when the files are copied; a file added in between is simply one more.

With a key (a Fernet key the school keeps, from `manage.py backup --make-key FILE`) every file is
encrypted in chunks and the manifest becomes `manifest.json.enc`: nobody without the key can read
it, and nobody can alter it unnoticed. Without a key the manifest still catches a damaged or
altered file, but not someone who rewrites the manifest too: keep unencrypted backups where only
the people who run the portal can write.

Restore refuses, before writing anything: a backup whose files do not match the manifest (or hold
files it does not list), a database that already has tables, and a storage that already has files.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "schoolsocial-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ENCRYPTED_MANIFEST = "manifest.json.enc"
ENCRYPTED_MAGIC = b"schoolsocial-backup-fernet-1\n"
CHUNK = 4 * 1024 * 1024
# Written and deleted again by /health/ (schoolsocial/health.py): never worth keeping.
SKIPPED_PREFIXES = ("health_check_storage_test/",)


class BackupError(Exception):
    """Something a person must fix; the message says what."""


# --- Keys and encryption -------------------------------------------------------------------------


def make_key(path: Path) -> None:
    from cryptography.fernet import Fernet

    if path.exists():
        raise BackupError(f"{path} already exists: a key is never overwritten (old backups need it).")
    path.write_bytes(Fernet.generate_key() + b"\n")
    path.chmod(0o600)


def load_key(path: Path | None):
    if path is None:
        return None
    from cryptography.fernet import Fernet

    try:
        return Fernet(path.read_bytes().strip())
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} is not a backup key (make one with --make-key): {error}") from error


def _write_payload(source: IO[bytes], target: Path, fernet) -> tuple[str, int]:
    """Copy source to target (encrypted when a key is given); the plaintext's SHA-256 and size."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        if fernet is not None:
            out.write(ENCRYPTED_MAGIC)
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if fernet is None:
                out.write(chunk)
            else:
                token = fernet.encrypt(chunk)
                out.write(len(token).to_bytes(8, "big") + token)
    return digest.hexdigest(), size


def _read_payload(path: Path, fernet) -> Iterator[bytes]:
    from cryptography.fernet import InvalidToken

    with path.open("rb") as source:
        head = source.read(len(ENCRYPTED_MAGIC))
        if head != ENCRYPTED_MAGIC:
            if fernet is not None:
                raise BackupError(f"{path.name} is not encrypted, but the backup says it is.")
            yield head
            while chunk := source.read(CHUNK):
                yield chunk
            return
        if fernet is None:
            raise BackupError("This backup is encrypted: give the school's key with --key-file.")
        while length_bytes := source.read(8):
            token = source.read(int.from_bytes(length_bytes, "big"))
            try:
                yield fernet.decrypt(token)
            except InvalidToken as error:
                raise BackupError(
                    f"{path.name} could not be decrypted: the wrong key, or the file was altered."
                ) from error


# --- The manifest ----------------------------------------------------------------------------


@dataclass
class Manifest:
    database_vendor: str
    database_file: str
    storage_kind: str
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    created_at: str = ""
    encrypted: bool = False
    migrations: list[list[str]] = field(default_factory=list)

    def as_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "created_at": self.created_at,
                "encrypted": self.encrypted,
                "database": {"vendor": self.database_vendor, "file": self.database_file},
                "storage": {"kind": self.storage_kind},
                "migrations": self.migrations,
                "entries": self.entries,
            },
            indent=2,
            sort_keys=True,
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
                raise BackupError("This folder is not a schoolsocial backup this version can restore.")
            return cls(
                database_vendor=data["database"]["vendor"],
                database_file=data["database"]["file"],
                storage_kind=data["storage"]["kind"],
                entries=data["entries"],
                created_at=data["created_at"],
                encrypted=data["encrypted"],
                migrations=data["migrations"],
            )
        except (ValueError, KeyError, TypeError) as error:
            raise BackupError(f"The manifest cannot be read: {error}") from error


def read_manifest(folder: Path, fernet) -> Manifest:
    from cryptography.fernet import InvalidToken

    if (folder / ENCRYPTED_MANIFEST).exists():
        if fernet is None:
            raise BackupError("This backup is encrypted: give the school's key with --key-file.")
        try:
            return Manifest.from_json(fernet.decrypt((folder / ENCRYPTED_MANIFEST).read_bytes()))
        except InvalidToken as error:
            raise BackupError("The manifest could not be decrypted: the wrong key, or it was altered.") from error
    if not (folder / MANIFEST).exists():
        raise BackupError(f"{folder} holds no backup manifest.")
    return Manifest.from_json((folder / MANIFEST).read_bytes())


def verify(folder: Path, fernet) -> Manifest:
    """The manifest, once every file in the folder matches it; BackupError naming the first that does not."""
    manifest = read_manifest(folder, fernet)
    present = {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.name not in (MANIFEST, ENCRYPTED_MANIFEST)
    }
    missing = sorted(set(manifest.entries) - present)
    if missing:
        raise BackupError(f"The backup does not match its manifest: {missing[0]} is missing.")
    unlisted = sorted(present - set(manifest.entries))
    if unlisted:
        raise BackupError(f"The backup does not match its manifest: {unlisted[0]} is not listed in it.")
    for name, facts in sorted(manifest.entries.items()):
        digest, size = hashlib.sha256(), 0
        for chunk in _read_payload(folder / name, fernet):
            digest.update(chunk)
            size += len(chunk)
        if digest.hexdigest() != facts["sha256"] or size != facts["size"]:
            raise BackupError(f"The backup does not match its manifest: {name} was changed or damaged.")
    return manifest


# --- The database ----------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: the newest Debian install (it must not be older than the server), else PATH."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _pg_args(db: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--host", db["HOST"] or "localhost", "--port", str(db["PORT"] or 5432), "--username", db["USER"]]
    return args, {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def dump_database(alias: str, target: Path) -> None:
    connection = connections[alias]
    if _vendor(alias) == "postgresql":
        args, env = _pg_args(connection.settings_dict)
        command = [pg_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges", "--file"]
        result = subprocess.run(  # noqa: S603 - the installed pg_dump; arguments from settings, no shell
            [*command, str(target), connection.settings_dict["NAME"]], env=env, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    else:
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # SQLite's online backup: a consistent copy while in use
        finally:
            copy.close()


def database_is_empty(alias: str) -> bool:
    return not connections[alias].introspection.table_names()


def load_database(alias: str, source: Path, vendor: str) -> None:
    connection = connections[alias]
    if _vendor(alias) != vendor:
        raise BackupError(f"This backup is of a {vendor} database; the target is {connection.vendor}.")
    if vendor == "postgresql":
        args, env = _pg_args(connection.settings_dict)
        connection.close()
        command = [pg_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error"]
        result = subprocess.run(  # noqa: S603 - the installed pg_restore; arguments from settings, no shell
            [*command, "--single-transaction", "--dbname", connection.settings_dict["NAME"], str(source)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    else:
        connection.ensure_connection()
        copy = sqlite3.connect(source)
        try:
            copy.backup(connection.connection)
        finally:
            copy.close()


# --- The files -------------------------------------------------------------------------------


def storage_kind(storage: Storage) -> str:
    if hasattr(storage, "bucket_name"):
        return "s3"
    try:
        storage.path("")
    except NotImplementedError as error:
        raise BackupError(f"Backups cannot read {type(storage).__name__}.") from error
    return "local"


def local_files(storage: Storage) -> Iterator[tuple[str, Path]]:
    root = Path(storage.path(""))
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and not name.startswith(SKIPPED_PREFIXES):
            yield name, path


def s3_listing(storage: Any) -> dict:
    """Every version of every object under the storage's prefix (the bucket keeps the bytes)."""
    client = storage.connection.meta.client
    prefix = f"{storage.location.strip('/')}/" if storage.location else ""
    versions, deleted = [], []
    for page in client.get_paginator("list_object_versions").paginate(Bucket=storage.bucket_name, Prefix=prefix):
        for version in page.get("Versions", []):
            if version["Key"].removeprefix(prefix).startswith(SKIPPED_PREFIXES):
                continue
            versions.append(
                {
                    "key": version["Key"],
                    "version_id": version.get("VersionId"),
                    "etag": version.get("ETag", "").strip('"'),
                    "size": version.get("Size"),
                    "last_modified": version["LastModified"].isoformat(),
                    "is_latest": version.get("IsLatest", False),
                }
            )
        for marker in page.get("DeleteMarkers", []):
            if marker["Key"].removeprefix(prefix).startswith(SKIPPED_PREFIXES):
                continue
            deleted.append(
                {"key": marker["Key"], "version_id": marker.get("VersionId"), "is_latest": marker["IsLatest"]}
            )
    return {"bucket": storage.bucket_name, "prefix": prefix, "versions": versions, "delete_markers": deleted}


def storage_is_empty(storage: Storage) -> bool:
    if storage_kind(storage) == "s3":
        prefix = f"{storage.location.strip('/')}/" if storage.location else ""  # type: ignore[attr-defined]
        client = storage.connection.meta.client  # type: ignore[attr-defined]
        return not client.list_objects_v2(Bucket=storage.bucket_name, Prefix=prefix, MaxKeys=1).get("KeyCount")  # type: ignore[attr-defined]
    return next(local_files(storage), None) is None


# --- Backup and restore ----------------------------------------------------------------------


@dataclass
class Summary:
    database_vendor: str
    files: int
    encrypted: bool


def backup(out: Path, *, fernet=None, alias: str = "default", storage: Storage | None = None) -> Summary:
    storage = storage or storages["default"]
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: give a new folder for each backup.")
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(0o700)
    vendor = _vendor(alias)
    kind = storage_kind(storage)
    manifest = Manifest(
        database_vendor=vendor,
        database_file="database.pgdump" if vendor == "postgresql" else "database.sqlite3",
        storage_kind=kind,
        created_at=timezone.now().isoformat(),
        encrypted=fernet is not None,
        migrations=[list(pair) for pair in sorted(MigrationRecorder(connections[alias]).applied_migrations())],
    )
    with tempfile.TemporaryDirectory(dir=out) as scratch:
        plain = Path(scratch) / manifest.database_file
        dump_database(alias, plain)
        with plain.open("rb") as source:
            sha, size = _write_payload(source, out / manifest.database_file, fernet)
        manifest.entries[manifest.database_file] = {"sha256": sha, "size": size}
    files = 0
    if kind == "local":
        for name, path in local_files(storage):
            with path.open("rb") as source:
                sha, size = _write_payload(source, out / "files" / name, fernet)
            manifest.entries[f"files/{name}"] = {"sha256": sha, "size": size}
            files += 1
    else:
        listing = s3_listing(storage)
        sha, size = _write_payload(io.BytesIO(json.dumps(listing, indent=2).encode()), out / "s3-objects.json", fernet)
        manifest.entries["s3-objects.json"] = {"sha256": sha, "size": size}
        files = sum(1 for version in listing["versions"] if version["is_latest"])
    if fernet is None:
        (out / MANIFEST).write_bytes(manifest.as_json())
    else:
        (out / ENCRYPTED_MANIFEST).write_bytes(fernet.encrypt(manifest.as_json()))
    return Summary(vendor, files, fernet is not None)


def restore(folder: Path, *, fernet=None, alias: str = "default", storage: Storage | None = None) -> Summary:
    storage = storage or storages["default"]
    if not database_is_empty(alias):
        raise BackupError("The database already has tables: restore only into a new, empty database.")
    if not storage_is_empty(storage):
        raise BackupError("The file storage already holds files: restore only into an empty folder or prefix.")
    manifest = verify(folder, fernet)
    if storage_kind(storage) != manifest.storage_kind:
        raise BackupError(f"This backup is of {manifest.storage_kind} storage; the target is {storage_kind(storage)}.")
    with tempfile.TemporaryDirectory() as scratch:
        plain = Path(scratch) / manifest.database_file
        with plain.open("wb") as out:
            for chunk in _read_payload(folder / manifest.database_file, fernet):
                out.write(chunk)
        load_database(alias, plain, manifest.database_vendor)
    files = 0
    if manifest.storage_kind == "local":
        for name in sorted(entry for entry in manifest.entries if entry.startswith("files/")):
            content = b"".join(_read_payload(folder / name, fernet))
            relative = name.removeprefix("files/")
            saved = storage.save(relative, ContentFile(content))
            if saved != relative:
                raise BackupError(f"{relative} could not be put back under its own name (it came back as {saved}).")
            files += 1
    else:
        listing = json.loads(b"".join(_read_payload(folder / "s3-objects.json", fernet)))
        files = _restore_s3(storage, listing)
    return Summary(manifest.database_vendor, files, manifest.encrypted)


def _restore_s3(storage: Any, listing: dict) -> int:
    """Copy the latest listed version of each object (the bucket keeps old versions) under the target prefix."""
    client = storage.connection.meta.client
    prefix = f"{storage.location.strip('/')}/" if storage.location else ""
    copied = 0
    for version in listing["versions"]:
        if not version["is_latest"]:
            continue
        relative = version["key"].removeprefix(listing["prefix"])
        source = {"Bucket": listing["bucket"], "Key": version["key"]}
        if version["version_id"] and version["version_id"] != "null":
            source["VersionId"] = version["version_id"]
        client.copy_object(Bucket=storage.bucket_name, Key=prefix + relative, CopySource=source)
        copied += 1
    return copied
