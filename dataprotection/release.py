"""What a subject access request releases, built from the reviewed items only.

- an item released as it is: its text and its files;
- an item redacted: its text with the chosen names and fields replaced by "[redacted]", and its
  files only if the DPO chose to release them as they are (the portal cannot redact a file);
- an item withheld: no text and no file, only the reason, in the summary.

The ZIP holds the PDF summary, the released files (named from the item, never from the original
file name, which may name someone) and a manifest with the SHA-256 of every file, as JSON and in
the `sha256sum -c` format.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.text import slugify

from .sar import redact_text, redacted_fields
from .sar_models import FileChoice, SarDecision, SarItem, SubjectAccessRequest


@dataclass
class ReleasedItem:
    position: int
    kind: str
    title: str
    when: datetime | None
    text: dict[str, str]
    redacted: bool
    files: list[tuple[str, str]] = field(default_factory=list)  # (storage name, name in the ZIP)
    files_left_out: int = 0


@dataclass
class Answer:
    released: list[ReleasedItem]
    withheld: list[tuple[str, str]]  # (kind, reason)

    @property
    def redacted_count(self) -> int:
        return sum(1 for item in self.released if item.redacted)


def _zip_name(item: SarItem, number: int, stored_name: str) -> str:
    suffix = PurePosixPath(stored_name).suffix.lower()[:8]
    return f"files/{item.position:04d}-{slugify(item.kind) or 'file'}-{number}{suffix}"


def answer_for(sar: SubjectAccessRequest) -> Answer:
    released, withheld = [], []
    for item in SarItem.objects.filter(request=sar).order_by("position"):
        if item.decision == SarDecision.WITHHOLD:
            withheld.append((item.kind, item.withhold_reason))
            continue
        if item.decision not in (SarDecision.RELEASE, SarDecision.REDACT):
            raise ValueError(f"Item {item.position} is not decided.")
        redacting = item.decision == SarDecision.REDACT
        names, fields = (item.redact_names, item.redact_fields) if redacting else ([], [])
        keep_files = not redacting or item.file_choice == FileChoice.RELEASE
        files = [
            (stored, _zip_name(item, number, stored)) for number, (stored, _name) in enumerate(item.files, start=1)
        ]
        released.append(
            ReleasedItem(
                position=item.position,
                kind=item.kind,
                title=redact_text(item.title, names),
                when=item.when,
                text=redacted_fields(item.text, names=names, fields=fields),
                redacted=redacting,
                files=files if keep_files else [],
                files_left_out=0 if keep_files else len(files),
            )
        )
    return Answer(released, withheld)


def summary_context(sar: SubjectAccessRequest, answer: Answer) -> dict:
    return {
        "sar": sar,
        "school": sar.school,
        "answer": answer,
        "made_on": timezone.localdate(),
    }


def build_zip(sar: SubjectAccessRequest, answer: Answer, summary_pdf: bytes) -> tuple[bytes, int]:
    """The release ZIP and how many files it holds (the summary included)."""
    summary_name = f"{sar.reference}-summary.pdf"
    files: list[tuple[str, bytes]] = [(summary_name, summary_pdf)]
    items = []
    for item in answer.released:
        entries = []
        for stored, name in item.files:
            if not default_storage.exists(stored):
                entries.append({"name": name, "missing": True})
                continue
            with default_storage.open(stored, "rb") as handle:
                data = handle.read()
            files.append((name, data))
            entries.append({"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        items.append(
            {
                "number": item.position,
                "kind": item.kind,
                "title": item.title,
                "when": item.when.isoformat() if item.when else None,
                "redacted": item.redacted,
                "text": item.text,
                "files": entries,
                "files_left_out": item.files_left_out,
            }
        )
    listed = [{"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in files]
    manifest = {
        "request": sar.reference,
        "school": sar.school.name,
        "made_at": timezone.localtime().isoformat(timespec="seconds"),
        "reviewed": True,
        "files": listed,
        "items": items,
        "withheld": [{"kind": kind, "reason": reason} for kind, reason in answer.withheld],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        archive.writestr("SHA256SUMS", "".join(f"{entry['sha256']}  {entry['name']}\n" for entry in listed))
    return buffer.getvalue(), len(files)
