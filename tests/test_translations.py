"""The Welsh catalogue is complete: every entry translated, none fuzzy, and every literal that a
template passes to {% translate %} is in it (so a Welsh page never shows a stray English string)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.po"
TEMPLATES = ROOT / "templates"

TRANSLATE_TAG = re.compile(r"""{%\s*(?:trans|translate)\s+(?P<q>["'])(?P<text>.*?)(?P=q)(?P<rest>[^%]*)%}""")
CONTEXT = re.compile(r"""\bcontext\s+(["'])(.*?)\1""")


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgstr (plural forms joined), flags."""
    entries: list[dict] = []
    current: dict = {}
    field = None

    def finish() -> None:
        if "msgid" in current:
            entries.append(dict(current))
        current.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            field = None
            continue
        if line.startswith("#,"):
            if "msgid" in current:
                finish()
            current.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#~"):
            continue  # obsolete entries are not used
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            current[field] = current.get(field, "") + _unquote(line)
            continue
        if keyword == "msgctxt" and "msgid" in current:
            finish()
        field = keyword
        current[field] = _unquote(rest)
    finish()
    return entries


def catalogue() -> list[dict]:
    return [e for e in parse_po(PO_FILE) if e["msgid"]]  # the header has an empty msgid


def test_every_welsh_entry_is_translated():
    untranslated = []
    for entry in catalogue():
        strings = [v for k, v in entry.items() if k.startswith("msgstr")]
        if not strings or not all(s.strip() for s in strings):
            untranslated.append(entry["msgid"])
    assert untranslated == [], f"{len(untranslated)} untranslated in {PO_FILE.name}: {untranslated[:20]}"


def test_no_welsh_entry_is_fuzzy():
    fuzzy = [e["msgid"] for e in catalogue() if "fuzzy" in e.get("flags", set())]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {PO_FILE.name} (check and remove the flag): {fuzzy[:20]}"


def test_every_translate_tag_literal_is_in_the_catalogue():
    known = {(e.get("msgctxt"), e["msgid"]) for e in catalogue()}
    missing = []
    for template in sorted(TEMPLATES.rglob("*")):
        if not template.is_file() or template.suffix not in {".html", ".txt"}:
            continue
        for match in TRANSLATE_TAG.finditer(template.read_text(encoding="utf-8")):
            text = match.group("text")
            ctx = CONTEXT.search(match.group("rest"))
            key = (ctx.group(2) if ctx else None, text)
            if key not in known:
                missing.append(f"{template.relative_to(ROOT)}: {text!r}")
    assert missing == [], "Not in the Welsh catalogue (run makemessages, then translate):\n" + "\n".join(missing)


def test_the_parser_reads_the_catalogue():
    """A guard for the guard: the parser finds entries, and a known one has its Welsh."""
    entries = {e["msgid"]: e for e in catalogue()}
    assert len(entries) > 100
    assert entries["Follow your complaint"]["msgstr"]


def test_the_report_form_and_its_choices_follow_the_language():
    """Wrapped lazily, so each request reads them in its own language; English stays as it was."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    from complaints.models import Stage
    from incidents.forms import DONT_KNOW, ParentReportForm
    from incidents.models import Certainty, Nature, PosterKind

    request = RequestFactory().get("/")
    headings = [heading for _key, heading, _names in ParentReportForm.STEPS]
    with translation.override("cy"):
        assert str(Nature.CYBERBULLYING.label) == "Seiberfwlio"
        assert str(PosterKind.PARENT.label) == "Rhiant neu ofalwr"
        assert str(Certainty.LIKELY.label) == "Eithaf siŵr"
        assert str(DONT_KNOW) == "Dwi ddim yn gwybod"
        assert str(headings[0]) == "Beth welsoch chi?"
        assert Stage.FORMAL.explanation == "Mae'r pennaeth yn edrych i mewn i'ch cwyn."
        assert "Mewngofnodi gydag allwedd mynediad" in render_to_string(
            "accounts/_passkey_sign_in.html", request=request
        )
    with translation.override("en"):
        assert str(Nature.CYBERBULLYING.label) == "Cyber-bullying"
        assert str(DONT_KNOW) == "I don't know"
        assert str(headings[0]) == "What did you see?"
        assert Stage.FORMAL.explanation == "The headteacher is looking into your complaint."
        assert "Sign in with a passkey" in render_to_string("accounts/_passkey_sign_in.html", request=request)
