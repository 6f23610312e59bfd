"""Demo data: a published home-school agreement per demo school, some parents signed, some not."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, ParentLink, Role, School
from agreements import actions
from agreements.models import AgreementVersion, Signature, VersionStatus

CONTENT = {
    "title": "Home-school agreement on social media",
    "introduction": (
        "Most of what families say about {school} online is warm and helpful. This agreement sets out "
        "what we ask of every parent and carer when they talk about the school, its staff or its children "
        "online, including in private chats. Signing it says you have read these expectations; "
        "it is not a legal contract."
    ),
    "channels": (
        "The school website and its news page\n"
        "Newsletter and announcements sent by email or text from the school office\n"
        "The class pages on our learning platform"
    ),
    "will_commitments": (
        "Speak about staff, volunteers and the school with courtesy, even when I disagree\n"
        "Treat other families and their children with the same respect I would want for mine\n"
        "Raise any worry or complaint with the class teacher or the office, so it can be dealt with properly\n"
        "Tell the school if I see a post that could upset or endanger a child"
    ),
    "will_not_commitments": (
        "Use group chats, community pages or my own accounts to criticise named staff\n"
        "Try to sort out a disagreement between children online, or name a child I think is to blame\n"
        "Share photos or videos of other people's children without their parents' permission"
    ),
}


def seed(schools: list[School], options: dict | None, stdout) -> None:
    for school in schools:
        with transaction.atomic():
            version = _published_version(school)
            _sign_some(school, version)
    stdout.write(f"agreements: a published agreement for {len(schools)} schools, with some parents signed")


def _published_version(school: School) -> AgreementVersion:
    existing = AgreementVersion.objects.current_for(school.pk)
    if existing is not None and existing.is_open_for_signing:
        return existing
    head = Membership.objects.filter(school=school, role=Role.HEADTEACHER).select_related("user").first()
    assert head is not None, "the demo schools are made with a headteacher"
    content = {**CONTENT, "introduction": CONTENT["introduction"].format(school=school.name)}
    draft = AgreementVersion.objects.filter(school=school, status=VersionStatus.DRAFT).first() or actions.start_draft(
        school=school, by=head.user, **content
    )
    version = actions.publish(draft, by=head.user, ask_parents=False)
    # Published a fortnight ago, so the coverage page shows people waiting and reminders due.
    AgreementVersion.objects.filter(pk=version.pk).update(published_at=timezone.now() - timedelta(days=14))
    version.refresh_from_db()
    return version


def _sign_some(school: School, version: AgreementVersion) -> None:
    rng = random.Random(f"agreements-{school.short_code}")
    links = ParentLink.objects.filter(pupil__school=school).select_related("parent", "pupil__school_class")
    signed = set(Signature.objects.filter(version=version).values_list("parent_id", "pupil_id"))
    for index, link in enumerate(links.order_by("pk")):
        # parent1 of each school stays unsigned, so the demo can show signing; about 60% of others sign.
        if index == 0 or (link.parent_id, link.pupil_id) in signed or rng.random() > 0.6:
            continue
        actions.sign_online(
            parent=link.parent,
            pupil=link.pupil,
            version_id=version.pk,
            typed_name=link.parent.full_name,
            ticked={"read", "child", "acknowledge"},
            request_details=actions.RequestDetails("192.0.2.10", "Demo data (seed_demo)"),
            send_copy=False,
        )
