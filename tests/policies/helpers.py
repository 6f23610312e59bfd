from __future__ import annotations

from datetime import date

from policies import actions
from policies.models import Owner, PolicyVersion


def make_policy(
    school,
    by,
    title="Social media policy",
    body="# Social media\n\nBe kind online.\n",
    owner=Owner.HEADTEACHER,
    **extra,
) -> PolicyVersion:
    return actions.create_document(
        school=school,
        by=by,
        title=title,
        category=extra.get("category", "social_media"),
        owner=owner,
        review_interval_months=extra.get("months", 12),
        staff_must_acknowledge=extra.get("ack", True),
        body_markdown=body,
        change_summary="First version.",
    )


def approved_policy(
    school, approver, title="Social media policy", review_date: date | None = None, **extra
) -> PolicyVersion:
    version = make_policy(school, approver, title=title, **extra)
    actions.submit_for_approval(version)
    return actions.approve(version, by=approver, review_date=review_date)
