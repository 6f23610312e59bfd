"""The canonical text of an agreement and the SHA-256 fingerprint of a signature.

Pure functions, no database: the same inputs always give the same bytes, so the fingerprint
can be recomputed years later and compared with the one stored at signing time.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

ACKNOWLEDGEMENT = (
    "By signing, I acknowledge that I have read the school's expectations above and that I will "
    "do my best to follow them. This is a shared understanding between home and school, not a legal contract."
)


def agreement_text(
    *,
    school_name: str,
    title: str,
    academic_year: str,
    number: int,
    introduction: str,
    channels: list[str],
    will: list[str],
    will_not: list[str],
) -> str:
    parts = [
        f"{school_name}",
        f"{title}",
        f"School year {academic_year} · version {number}",
        "",
        introduction.strip(),
        "",
        "The school's official channels:",
        *[f"- {item}" for item in channels],
        "",
        "When I communicate with or about the school, online or in private groups, I will:",
        *[f"- {item}" for item in will],
        "",
        "I will not:",
        *[f"- {item}" for item in will_not],
        "",
        ACKNOWLEDGEMENT,
    ]
    return "\n".join(line.rstrip() for line in parts).replace("\r\n", "\n")


def _canonical_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"Cannot serialise {type(value).__name__} into a signature fingerprint")


def canonical_bytes(fields: dict) -> bytes:
    """Sorted-key, compact, UTF-8 JSON: one byte string for one set of values."""
    return json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_canonical_value
    ).encode("utf-8")


def sha256_of(fields: dict) -> str:
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()
