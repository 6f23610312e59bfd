"""Demo policies for each demo school: social media (with a version history), complaints,
acceptable use and anti-bullying (due for review soon). Written for this project. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role
from policies.models import POLICY_WORKFLOW, Owner, PolicyDocument, PolicyVersion, Status

SOCIAL_MEDIA_V1 = """# Social media policy

## Why we have this policy

Social media helps families stay in touch with school life. It can also spread hurtful or untrue
posts quickly. This policy sets out how staff, parents and carers use social media in ways that keep
children safe and treat everyone with respect.

## What we ask of parents and carers

- Raise worries about school directly with us, not online.
- Do not post photos or videos of other people's children without their parents' agreement.
- Do not name or criticise staff or pupils on social media.

## What staff do

- Keep personal accounts private and never accept pupils or recent pupils as friends or followers.
- Use only school accounts for school business.

## If something goes wrong

Tell the school office or the headteacher. We will look into every report.
"""

SOCIAL_MEDIA_V2 = """# Social media policy

## Why we have this policy

Social media helps families stay in touch with school life. It can also spread hurtful or untrue
posts quickly. This policy sets out how staff, parents and carers use social media in ways that keep
children safe and treat everyone with respect.

## What we ask of parents and carers

- Raise worries about school directly with us, not online: the complaints policy explains how.
- Do not post photos or videos of other people's children without their parents' agreement.
- Do not name or criticise staff or pupils on social media.
- In class or year-group chat groups, keep to arrangements and reminders; take concerns to the
  class teacher.

## What staff do

- Keep personal accounts private and never accept pupils or recent pupils as friends or followers.
- Use only school accounts for school business.
- Report any post that names a pupil or a member of staff to the headteacher the same day.

## If something goes wrong

1. Take a screenshot, including the date and the web address.
2. Do not reply to the post or share it.
3. Report it through the portal or to the school office.

We look into every report. Where a post is abusive or threatening we may ask for it to be removed,
invite the person to a meeting, or, where the law may have been broken, contact the police.
"""

COMPLAINTS = """# Complaints policy

## Our aim

Most concerns can be sorted out quickly by talking to the right person. We want every parent and
carer to know how to raise a concern and what will happen next.

## Stage 1: talk to us

Speak to the class teacher or the school office. We aim to reply within five school days.

## Stage 2: write to the headteacher

If you are not satisfied, write to the headteacher, who will look into it and reply in writing
within ten school days.

## Stage 3: the governors

If you are still not satisfied, ask the clerk to the governors for a panel hearing. The panel's
decision is final within the school.

## Please do not use social media

Complaints posted online cannot be answered properly and can harm children and staff. Use the
steps above so that we can help.
"""

ACCEPTABLE_USE = """# Acceptable use of technology

## Who this covers

Everyone who uses school computers, tablets, networks or accounts: staff, volunteers and pupils.

## The rules

- Use school devices and accounts for school work.
- Keep passwords to yourself and lock the screen when you step away.
- Never share personal information about pupils outside the school's systems.
- Report anything upsetting or worrying you see online to a member of staff straight away.

## Monitoring

School systems are filtered and monitored to keep children safe.
"""

ANTI_BULLYING = """# Anti-bullying policy

## What bullying is

Bullying is hurtful behaviour, repeated over time, meant to upset someone who finds it hard to
defend themselves. It can happen face to face or online.

## What we do

1. Listen to the child and record what happened.
2. Talk to the children involved and their families.
3. Agree clear steps, and check in again after two weeks.

## Online bullying

Messages, posts and group chats outside school can still affect school life. We act on online
bullying between our pupils, and we may ask parents to help remove hurtful content.
"""

# title, category, owner, months, versions [(body, summary, approved days ago, review in days)]
POLICIES = [
    (
        "Social media policy",
        "social_media",
        Owner.GOVERNING_BODY,
        12,
        [
            (SOCIAL_MEDIA_V1, "First version written in the portal.", 420, 365 - 420),
            (
                SOCIAL_MEDIA_V2,
                "Added class chat groups, a same-day reporting step for staff and what to do first.",
                40,
                325,
            ),
        ],
    ),
    ("Complaints policy", "complaints", Owner.GOVERNING_BODY, 24, [(COMPLAINTS, "First version.", 300, 430)]),
    (
        "Acceptable use of technology",
        "acceptable_use",
        Owner.HEADTEACHER,
        12,
        [(ACCEPTABLE_USE, "First version.", 200, 165)],
    ),
    ("Anti-bullying policy", "anti_bullying", Owner.HEADTEACHER, 12, [(ANTI_BULLYING, "First version.", 340, 25)]),
]


def seed(schools, options, stdout) -> None:
    for school in schools:
        with transaction.atomic():
            _seed_school(school)
    stdout.write(f"policies: {len(POLICIES)} demo policies in each of {len(schools)} schools")


def _approver(school, owner: Owner):
    membership = (
        Membership.objects.filter(school=school, role=owner.approver_role, is_active=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _seed_school(school) -> None:
    now = timezone.now()
    head = _approver(school, Owner.HEADTEACHER)
    for title, category, owner, months, versions in POLICIES:
        if PolicyDocument.objects.filter(school=school, title=title).exists():
            continue
        from django.utils.text import slugify

        document = PolicyDocument.objects.create(
            school=school,
            title=title,
            slug=slugify(title),
            category=category,
            owner=owner,
            review_interval_months=months,
            created_by=head,
        )
        approver = _approver(school, owner) or head
        for body, summary, days_ago, review_in in versions:
            previous = document.versions.filter(status=Status.APPROVED).first()
            version = PolicyVersion.objects.create(
                document=document, body_markdown=body, change_summary=summary, created_by=head
            )
            POLICY_WORKFLOW.move(version, Status.AWAITING_APPROVAL)
            version.submitted_at = now - timedelta(days=days_ago + 3)
            version.save()
            if previous is not None:
                POLICY_WORKFLOW.move(previous, Status.SUPERSEDED)
                previous.superseded_at = now - timedelta(days=days_ago)
                previous.save()
            POLICY_WORKFLOW.move(version, Status.APPROVED)
            version.approved_by = approver
            version.approved_at = now - timedelta(days=days_ago)
            version.review_date = timezone.localdate() + timedelta(days=review_in)
            version.save()
    # Staff have read one policy; the DSL has not yet: the headteacher's register shows both.
    staff = Membership.objects.filter(school=school, role=Role.STAFF).select_related("user").first()
    current = PolicyVersion.objects.filter(
        document__school=school, document__title="Complaints policy", status=Status.APPROVED
    ).first()
    if staff and current:
        current.acknowledgements.get_or_create(user=staff.user)
