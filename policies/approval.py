"""Governors read before they approve: the full text of the version, and what changed since the
version in force. The approval page asks for both to have been opened by the approver; opening
each page records it (ApprovalReading), and `missing_readings` is the one rule both ask.

The headteacher drafts the policies they approve themselves, so the rule is for the policies the
governing body owns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from .models import ApprovalReading, Owner, PolicyVersion, ReadingPart, Status


@dataclass(frozen=True)
class Reading:
    part: ReadingPart
    url: str
    read_at: datetime | None

    @property
    def label(self) -> str:
        return self.part.label


def asks_for_reading(version: PolicyVersion) -> bool:
    return version.document.owner == Owner.GOVERNING_BODY and version.status == Status.AWAITING_APPROVAL


def approved_version(version: PolicyVersion) -> PolicyVersion | None:
    """The version in force, which this one would replace (None for a first version)."""
    return version.document.versions.filter(status=Status.APPROVED).exclude(pk=version.pk).first()


def record_reading(version: PolicyVersion, user, part: ReadingPart) -> None:
    if asks_for_reading(version):
        ApprovalReading.objects.get_or_create(version=version, user=user, part=part)


def checklist(version: PolicyVersion, user) -> list[Reading]:
    """What the approver must open, each with when they did (None if not yet)."""
    read = dict(ApprovalReading.objects.filter(version=version, user=user).values_list("part", "at"))
    items = [Reading(ReadingPart.TEXT, version.get_absolute_url(), read.get(ReadingPart.TEXT))]
    current = approved_version(version)
    if current is not None:
        url = reverse("policies:compare", args=[version.document_id]) + f"?old={current.number}&new={version.number}"
        items.append(Reading(ReadingPart.CHANGES, url, read.get(ReadingPart.CHANGES)))
    return items


def missing_readings(version: PolicyVersion, user) -> list[Reading]:
    if not asks_for_reading(version):
        return []
    return [item for item in checklist(version, user) if item.read_at is None]
