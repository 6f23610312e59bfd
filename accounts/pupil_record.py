"""What a pupil's page shows of their cases: the incidents, complaints and agreement signatures
about that child, each linked to its own page (which logs its opening).

The apps that hold those records sit above accounts, so accounts does not import them: each one
registers a section here when it starts (`AppConfig.ready`). The page asks for the sections only
for a role with "records.pupil_case_history" (the headteacher and DSLs), and each section appears
only for a role that may open the records it links to, so no link leads to a "No such page".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from .models import Membership, Pupil
from .permissions import may


@dataclass(frozen=True)
class Entry:
    label: str
    url: str
    detail: str = ""
    when: date | datetime | None = None


@dataclass(frozen=True)
class Section:
    title: str
    entries: list[Entry] = field(default_factory=list)
    empty: str = "None."


SectionMaker = Callable[[Membership, Pupil], "Section | None"]
_MAKERS: dict[str, SectionMaker] = {}
ORDER = ("incidents", "complaints", "agreements")


def register(name: str, maker: SectionMaker) -> None:
    """Called by an app's `ready()`; a maker returns None for a role that may not open its records."""
    _MAKERS[name] = maker


def sections_for(membership: Membership | None, pupil: Pupil) -> list[Section]:
    """The case sections of a pupil already fetched through the accounts access helpers; none for
    a role without "records.pupil_case_history"."""
    if not may(membership, "records.pupil_case_history") or membership.school_id != pupil.school_id:
        return []
    names = sorted(_MAKERS, key=lambda name: ORDER.index(name) if name in ORDER else len(ORDER))
    return [section for name in names if (section := _MAKERS[name](membership, pupil)) is not None]
