"""The platform directory as one school sees it: the shared platforms with the school's own link,
notes and hidden flag applied, plus the school's own platforms; and the writes that change them.

Shared platforms are edited in the Django admin only; a headteacher never changes a shared row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch

from accounts.models import School, User

from .models import Platform, SchoolPlatform

# A school's own platforms sit after the shared ones and before "Other" (1000) on the report form.
OWN_PLATFORM_SORT_ORDER = 500


@dataclass(frozen=True)
class DirectoryEntry:
    platform: Platform
    own: SchoolPlatform | None

    @property
    def is_school_only(self) -> bool:
        return not self.platform.is_shared

    @property
    def report_url(self) -> str:
        return (self.own and self.own.report_url) or self.platform.report_url

    @property
    def notes(self) -> str:
        return (self.own and self.own.notes) or self.platform.notes

    @property
    def has_own_link(self) -> bool:
        return bool(self.own and self.own.report_url)

    @property
    def has_own_notes(self) -> bool:
        return bool(self.own and self.own.notes)

    @property
    def hidden(self) -> bool:
        return bool(self.own and self.own.hidden)


def directory_for(school: School) -> list[DirectoryEntry]:
    """Every platform the school sees, with its own settings applied. Two queries, whatever the size."""
    platforms = Platform.objects.visible_to(school).prefetch_related(
        Prefetch("school_settings", queryset=SchoolPlatform.objects.filter(school=school), to_attr="settings_here")
    )
    return [DirectoryEntry(p, p.settings_here[0] if p.settings_here else None) for p in platforms]


def settings_for(school: School, platform: Platform) -> SchoolPlatform:
    """The school's settings row for a shared platform, or an unsaved blank one (made on first save)."""
    found = SchoolPlatform.objects.filter(school=school, platform=platform).first()
    return found or SchoolPlatform(school=school, platform=platform)


@transaction.atomic
def save_school_settings(
    *, school: School, platform: Platform, by: User, report_url: str, notes: str, hidden: bool
) -> SchoolPlatform:
    """Record the school's own link, notes and visibility for a shared platform (history kept)."""
    if not platform.is_shared:
        raise ValueError("A school's own platform is edited directly.")
    row = SchoolPlatform.objects.select_for_update().filter(school=school, platform=platform).first()
    row = row or SchoolPlatform(school=school, platform=platform)
    row.report_url, row.notes, row.hidden, row.updated_by = report_url, notes.strip(), hidden, by
    row.save()
    return row


@transaction.atomic
def save_own_platform(*, school: School, platform: Platform, by: User | None = None, hidden: bool = False) -> Platform:
    """Save a platform only this school sees (validated by PlatformForm; history kept).

    Hiding it from the report form uses the same settings row as a shared platform, so the report form,
    the list's badge and the history treat both alike; the row is only written when the choice changes.
    """
    if platform.school_id != school.pk:
        raise ValueError("Only a school's own platform can be saved here.")
    if platform.pk is None:
        platform.sort_order = OWN_PLATFORM_SORT_ORDER
    platform.save()
    row = SchoolPlatform.objects.select_for_update().filter(school=school, platform=platform).first()
    if row is None and hidden:
        SchoolPlatform.objects.create(school=school, platform=platform, hidden=True, updated_by=by)
    elif row is not None and row.hidden != hidden:
        row.hidden, row.updated_by = hidden, by
        row.save()
    return platform
