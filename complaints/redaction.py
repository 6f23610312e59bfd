"""Replacing children's names with "Pupil A", "Pupil B"... in text a governors' panel reads.

Pure functions, so the rule is easy to test: full names first, then first names on their own,
matched as whole words whatever their case. Surnames alone are left, since a parent often shares
one with their child and the panel needs to know who complained.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence


def pseudonym(index: int) -> str:
    letters = string.ascii_uppercase
    label = letters[index % 26]
    if index >= 26:
        label = letters[index // 26 - 1] + label
    return f"Pupil {label}"


def pseudonyms_for(names: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A stable label for each distinct (first, last) name, in the order given."""
    labels: dict[tuple[str, str], str] = {}
    for first, last in names:
        key = (first.strip(), last.strip())
        if key[0] and key not in labels:
            labels[key] = pseudonym(len(labels))
    return labels


def redact_names(text: str, labels: dict[tuple[str, str], str]) -> str:
    if not text or not labels:
        return text or ""
    replacements: list[tuple[str, str]] = []
    for (first, last), label in labels.items():
        if last:
            replacements.append((f"{first} {last}", label))
        replacements.append((first, label))
    # Longest first, so "Mia Parent" is replaced before "Mia".
    replacements.sort(key=lambda pair: len(pair[0]), reverse=True)
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(name).replace(r"\ ", r"\s+") for name, _ in replacements) + r")\b",
        re.IGNORECASE,
    )
    lookup = {re.sub(r"\s+", " ", name.lower()): label for name, label in replacements}
    return pattern.sub(lambda match: lookup[re.sub(r"\s+", " ", match.group(0).lower())], text)
