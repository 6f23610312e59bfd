"""Side-by-side comparison of two versions' text, with the changed words marked.

Works on the Markdown source line by line (what the author wrote), escapes every piece of text,
and wraps changed words in <del>/<ins>. The result is a list of rows for a template.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "same", "changed", "added", "removed"
    old_number: int | None
    old_html: SafeString
    new_number: int | None
    new_html: SafeString


def _mark_words(old: str, new: str) -> tuple[SafeString, SafeString]:
    old_words, new_words = _WORDS.findall(old), _WORDS.findall(new)
    old_out: list[str] = []
    new_out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = escape("".join(old_words[i1:i2])), escape("".join(new_words[j1:j2]))
        if tag == "equal":
            old_out.append(before)
            new_out.append(after)
            continue
        if before:
            old_out.append(f"<del>{before}</del>")
        if after:
            new_out.append(f"<ins>{after}</ins>")
    return mark_safe("".join(old_out)), mark_safe("".join(new_out))  # noqa: S308 - every piece escaped above


def side_by_side(old_text: str, new_text: str) -> list[DiffRow]:
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                line = escape(old_lines[i1 + offset])
                rows.append(DiffRow("same", i1 + offset + 1, line, j1 + offset + 1, line))
            continue
        old_chunk, new_chunk = old_lines[i1:i2], new_lines[j1:j2]
        for offset in range(max(len(old_chunk), len(new_chunk))):
            old = old_chunk[offset] if offset < len(old_chunk) else None
            new = new_chunk[offset] if offset < len(new_chunk) else None
            old_number = i1 + offset + 1 if old is not None else None
            new_number = j1 + offset + 1 if new is not None else None
            if old is not None and new is not None:
                old_html, new_html = _mark_words(old, new)
                rows.append(DiffRow("changed", old_number, old_html, new_number, new_html))
            elif old is not None:
                rows.append(DiffRow("removed", old_number, mark_safe(f"<del>{escape(old)}</del>"), None, mark_safe("")))  # noqa: S308
            else:
                rows.append(DiffRow("added", None, mark_safe(""), new_number, mark_safe(f"<ins>{escape(new)}</ins>")))  # noqa: S308
    return rows
