"""Who should be asked, or reminded, to sign the agreement today.

Rules (plain data): a parent with a child still unsigned is asked once, reminded after 7 days
and again after 21 days, each exactly once per signing round (a correction keeps the round of the
version it corrects: families already asked are not asked again, nor those who signed). The worker that sends the email records
the decision as an `AgreementReminder` row in the same savepoint (`schoolsocial.lib.sweeps`), so
a second sweep, a concurrent one or a retried task never sends the same email twice, and an
interrupted one never records a parent as reminded without the email.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.utils import timezone

from .models import AgreementReminder, AgreementVersion, ReminderStage
from .queries import asked_since, family_links, not_signed_q, with_status

# Days after being asked -> the stage due from then on. Checked from the latest.
STAGES: list[tuple[int, str]] = [(21, ReminderStage.DAY_21), (7, ReminderStage.DAY_7), (0, ReminderStage.ASK)]
CHUNK = 500


def stage_due(days_waiting: int) -> str:
    for days, stage in STAGES:
        if days_waiting >= days:
            return stage
    return ReminderStage.ASK


def due_for_version(version: AgreementVersion, now: datetime | None = None) -> dict[str, list[int]]:
    """Parent ids to email now, by stage. Three queries, whatever the number of families."""
    now = now or timezone.now()
    waiting_since: dict[int, datetime] = {}
    unsigned = (
        with_status(family_links(version.school), version, full=False)
        .filter(not_signed_q())
        .values_list("parent_id", "created_at")
    )
    for parent_id, linked_at in unsigned.iterator(chunk_size=5000):
        since = asked_since(version, linked_at)
        if parent_id not in waiting_since or since < waiting_since[parent_id]:
            waiting_since[parent_id] = since
    already = set(AgreementReminder.objects.filter(version_id=version.round_id).values_list("parent_id", "stage"))
    due: dict[str, list[int]] = defaultdict(list)
    for parent_id, since in waiting_since.items():
        stage = stage_due((now - since).days)
        if (parent_id, stage) not in already:
            # Someone reminded at 21 days is not sent the 7-day email afterwards, and vice versa.
            if stage == ReminderStage.DAY_7 and (parent_id, ReminderStage.DAY_21) in already:
                continue
            due[stage].append(parent_id)
    return dict(due)


def open_versions() -> list[AgreementVersion]:
    from .models import VersionStatus
    from .years import current_academic_year

    # Each school's own year: one that rolled over in July asks for the new year's signatures.
    published = AgreementVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
        "school", "signing_round"
    )
    return [v for v in published.order_by("school_id") if v.academic_year == current_academic_year(v.school)]


def chunks(ids: list[int], size: int = CHUNK):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
