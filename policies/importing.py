"""Turning an existing Word (.docx) or plain-text policy into Markdown for a new draft."""

from __future__ import annotations

import io
import re
import zipfile

import mammoth

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
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
        return markdown_from_text(data), []
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
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                raise ImportFailed("This Word document is too large to import. Split it or remove pictures.")
        result = mammoth.convert_to_markdown(io.BytesIO(data))
    except ImportFailed:
        raise
    except Exception as error:  # mammoth raises many kinds of error on a damaged file
        raise ImportFailed(f"This Word document could not be read; it may be damaged. {WORD_HINT}") from error
    notes = []
    text, pictures = _IMAGE.subn("", result.value)
    if pictures:
        notes.append(f"{pictures} picture(s) were left out: policies hold text only.")
    text = _tidy_escapes(re.sub(r"\n{3,}", "\n\n", text)).strip()
    if not text:
        raise ImportFailed("No text was found in this Word document.")
    return text + "\n", notes
