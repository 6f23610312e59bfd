"""Turning an existing Word (.docx) or plain-text policy into Markdown for a new draft.

A .docx is a zip: a small file can inflate into gigabytes. What an import may be is bounded by
what a policy can be: at most MAX_TEXT_CHARS characters of text, from at most MAX_XML_BYTES of
inflated Word markup (pictures, which are left out, are bounded separately), converted in a
separate process that is stopped after CONVERSION_SECONDS, so no web worker is tied up.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # everything in the zip, pictures included
MAX_XML_BYTES = 5 * 1024 * 1024  # the Word markup around the text: ~0.8 MB a second to convert
MAX_TEXT_CHARS = 400_000  # about 60,000 words: far longer than any school policy
CONVERSION_SECONDS = 10
CONVERSION_MEMORY_BYTES = 1024 * 1024 * 1024
WORD_HINT = "Open it in Word and use File > Save As > Word Document (.docx), then try again."
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
# mammoth escapes every character Markdown might read as syntax ("policy\."); these escapes are
# only needed where the character could start a list, heading or image, so drop the others.
_NEEDLESS_ESCAPES = (
    re.compile(r"(?<=[^\s\d\\])\\\."),  # "policy\." but not "1\." at the start of a line
    re.compile(r"\\([()])"),
    re.compile(r"\\!(?!\[)"),
    re.compile(r"(?<=\S)\\([-+#])"),
)


def _tidy_escapes(text: str) -> str:
    text = _NEEDLESS_ESCAPES[0].sub(".", text)
    text = _NEEDLESS_ESCAPES[1].sub(r"\1", text)
    text = _NEEDLESS_ESCAPES[2].sub("!", text)
    return _NEEDLESS_ESCAPES[3].sub(r"\1", text)


class ImportFailed(ValueError):
    """The file could not be read; the message says why in plain words."""


def markdown_from_upload(name: str, data: bytes) -> tuple[str, list[str]]:
    """Markdown for a .docx or .txt/.md upload, and notes for the person (e.g. pictures left out)."""
    lower = name.lower()
    if lower.endswith(".docx"):
        return markdown_from_docx(data)
    if lower.endswith((".txt", ".md")):
        return _within_length(markdown_from_text(data)), []
    if lower.endswith(".doc"):
        raise ImportFailed(f"This is an older Word file (.doc), which cannot be read here. {WORD_HINT}")
    raise ImportFailed("Choose a Word document (.docx) or a plain text file (.txt).")


def markdown_from_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise ImportFailed("This does not look like a plain text file. Choose a .txt or a Word .docx file.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ImportFailed("The text in this file could not be read. Save it as UTF-8 text and try again.")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ImportFailed("The file is empty.")
    return text + "\n"


def markdown_from_docx(data: bytes) -> tuple[str, list[str]]:
    """Headings, lists, bold and italic survive; pictures are left out (with a note)."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFailed(f"This file is not a Word document, or it is damaged. {WORD_HINT}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                raise ImportFailed(f"This file is not a Word document. {WORD_HINT}")
            # The sizes the zip declares are binding: reading a part stops there (and fails its
            # checksum if the data goes on), so they bound what the conversion can inflate.
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
                raise ImportFailed("This Word document is too large to import. Split it or remove pictures.")
            if sum(info.file_size for info in infos if not _is_picture(info.filename)) > MAX_XML_BYTES:
                raise _too_much_text()
    except ImportFailed:
        raise
    except Exception as error:  # a damaged zip raises many kinds of error
        raise ImportFailed(f"This Word document could not be read; it may be damaged. {WORD_HINT}") from error
    notes = []
    text, pictures = _IMAGE.subn("", _convert(data))
    if pictures:
        notes.append(f"{pictures} picture(s) were left out: policies hold text only.")
    text = _tidy_escapes(re.sub(r"\n{3,}", "\n\n", text)).strip()
    if not text:
        raise ImportFailed("No text was found in this Word document.")
    return _within_length(text + "\n"), notes


def _too_much_text() -> ImportFailed:
    return ImportFailed(
        "This document holds far more text than a policy can (the limit is about 60,000 words). "
        "Check it is the right file, or split it into separate policies."
    )


def _within_length(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise _too_much_text()
    return text


def _is_picture(name: str) -> bool:
    return name.startswith("word/media/") or name.lower().endswith(
        (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".svg")
    )


# Run by a fresh Python (mammoth only, no Django), with its memory capped, reading the .docx on
# stdin and writing Markdown on stdout.
_CONVERTER = f"""
import io, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({CONVERSION_MEMORY_BYTES}, {CONVERSION_MEMORY_BYTES}))
import mammoth
sys.stdout.buffer.write(mammoth.convert_to_markdown(io.BytesIO(sys.stdin.buffer.read())).value.encode("utf-8"))
"""


def _convert(data: bytes) -> str:
    """mammoth's Markdown for the .docx, in a separate process stopped after CONVERSION_SECONDS."""
    try:
        finished = subprocess.run(  # noqa: S603 - our own interpreter and code; the file is only data on stdin
            [sys.executable, "-I", "-c", _CONVERTER],
            input=data,
            capture_output=True,
            timeout=CONVERSION_SECONDS,
            env={"PATH": os.environ.get("PATH", "")},
        )
    except subprocess.TimeoutExpired as error:
        raise ImportFailed(
            "This Word document took too long to read, so it was not imported. Check it is the right "
            "file; if it is very long, split it into smaller documents."
        ) from error
    if finished.returncode != 0:
        raise ImportFailed(f"This Word document could not be read; it may be damaged. {WORD_HINT}")
    return finished.stdout.decode("utf-8", "replace")
