"""The school's privacy notice: its own words, or the default until it writes them."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from accounts.models import School


def default_text(school: School) -> str:
    address = ", ".join(line.strip() for line in school.address.splitlines() if line.strip())
    return render_to_string("dataprotection/privacy_default.txt", {"school": school, "address": address}).strip()


def notice_text(school: School) -> tuple[str, object | None]:
    """(text, the stored notice or None when the default is shown)."""
    from .models import PrivacyNotice

    notice = PrivacyNotice.objects.filter(school=school).select_related("updated_by").first()
    if notice is not None:
        return notice.body, notice
    return default_text(school), None


@dataclass
class Block:
    heading: bool
    text: str


def blocks(text: str) -> list[Block]:
    """Paragraphs split on blank lines; a one-line paragraph ending with a colon is a heading."""
    found = []
    for part in text.replace("\r\n", "\n").split("\n\n"):
        part = part.strip()
        if not part:
            continue
        if "\n" not in part and part.endswith(":") and len(part) <= 100:
            found.append(Block(heading=True, text=part[:-1]))
        else:
            found.append(Block(heading=False, text=part))
    return found
