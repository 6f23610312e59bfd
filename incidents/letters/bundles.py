"""The ZIP for a police or legal referral: evidence files as uploaded, a PDF chronology, the final
letters, and a manifest giving each file's SHA-256 so the receiver can check nothing changed."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from django.utils import timezone

from incidents.models import Incident
from schoolsocial.lib.downloads import download_name

from .models import LetterStatus
from .rendering import chronology_pdf


def build_zip(incident: Incident) -> tuple[bytes, int]:
    files: list[tuple[str, bytes]] = []
    for number, evidence in enumerate(incident.evidence.order_by("uploaded_at", "pk"), start=1):
        with evidence.file.open("rb") as handle:
            name = download_name(evidence.download_stem(number), evidence.content_type)
            files.append((f"evidence/{name}", handle.read()))
    for letter in incident.letters.filter(status=LetterStatus.FINAL).exclude(pdf="").order_by("finalised_at", "pk"):
        with letter.pdf.open("rb") as handle:
            files.append((f"letters/{letter.filename}", handle.read()))
    files.append((f"{incident.reference}-chronology.pdf", chronology_pdf(incident)))

    entries = [{"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in files]
    manifest = {
        "incident": incident.reference,
        "school": incident.school.name,
        "made_at": timezone.localtime().isoformat(timespec="seconds"),
        "files": entries,
    }
    lines = [f"{item['sha256']}  {item['name']}" for item in entries]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        # The same list in the format `sha256sum -c SHA256SUMS` checks.
        archive.writestr("SHA256SUMS", "\n".join(lines) + "\n")
    return buffer.getvalue(), len(files)
