"""The writes of the data-protection app: each one atomic, each one in the history."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import School, User

from .models import PrivacyNotice


@transaction.atomic
def save_privacy_notice(*, school: School, body: str, by: User) -> PrivacyNotice:
    notice, created = PrivacyNotice.objects.select_for_update().get_or_create(
        school=school, defaults={"body": body, "updated_by": by}
    )
    if not created and notice.body != body:
        notice.body = body
        notice.updated_by = by
        notice.updated_at = timezone.now()
        notice.save()
    return notice
