"""A ZIP of a gathering: a manifest (every item, what it says, whom else it names) and the files,
each with its SHA-256. Used by `manage.py sar_export` for the DPO's unreviewed copy."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import get_valid_filename

from .gather import Item


def write_zip(items: list[Item], out: BinaryIO, *, heading: str) -> dict:
    manifest: dict[str, Any] = {
        "title": heading,
        "made_at": timezone.localtime().isoformat(),
        "reviewed": False,
        "items": [],
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, item in enumerate(items, start=1):
            files = []
            for stored_name, file_name in item.files:
                if not stored_name or not default_storage.exists(stored_name):
                    files.append({"name": file_name, "missing": True})
                    continue
                with default_storage.open(stored_name, "rb") as handle:
                    content = handle.read()
                suffix = PurePosixPath(stored_name).suffix
                name = f"files/{number:04d}-{get_valid_filename(PurePosixPath(file_name).stem)}{suffix}"
                archive.writestr(name, content)
                files.append({"name": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)})
            manifest["items"].append(
                {
                    "kind": item.kind,
                    "record": item.key,
                    "title": item.title,
                    "when": item.when.isoformat() if item.when else None,
                    "text": item.text,
                    "names_other_people": item.other_people,
                    "notes": item.notes,
                    "files": files,
                }
            )
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest
