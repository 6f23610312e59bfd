"""Incidents ready for letters, built through the incidents app's own actions."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from incidents import actions
from incidents.models import EscalationStep, Incident, Nature, Platform, PosterKind, StepKind

POST = (
    "Don't trust Mrs O'Brien-Nuñez at Northbrook 😡 she's a disgrace & the head does NOTHING. "
    "Everyone should pull their kids out before it's too late!!! 🙄👎\n"
    "Share this with every parent you know."
)


def make_case(cast, *, kind: str = StepKind.WRITTEN_WARNING, content: str = POST) -> tuple[Incident, EscalationStep]:
    parent = cast.other_parent
    parent.full_name = "Siân O'Connor-Müller"
    parent.postal_address = "12 Rue-de-la-Paix Cottages\nMill Lane\nNorthbrook\nNB1 2ÉA"
    parent.save(update_fields=["full_name", "postal_address"])
    incident = actions.report(
        school=cast.school,
        reporter=cast.staff,
        role="staff",
        details={
            "platform": Platform.objects.get(name="Facebook"),
            "account_name": "Northbrook Parents' Chat",
            "posted_at": timezone.now() - timedelta(days=2, hours=3),
            "seen_at": timezone.now() - timedelta(days=2),
            "content": content,
            "targeted": "A class teacher",
            "poster_kind": PosterKind.PARENT,
            "poster_certainty": "certain",
        },
        natures=[Nature.OFFENSIVE_NAMED],
        urls=["https://www.facebook.com/groups/northbrook-parents/posts/1234567890123456789"],
    )
    incident = actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="medium",
        natures=[Nature.OFFENSIVE_NAMED],
        poster_kind=PosterKind.PARENT,
        owner=cast.headteacher,
        poster_parent=parent,
        pupil_links=[(cast.other_child, "poster_child")],
    )
    step = actions.add_step(
        incident=incident, by=cast.headteacher, kind=kind, due_date=timezone.localdate() + timedelta(days=7)
    )
    return Incident.objects.select_related("school", "platform").get(pk=incident.pk), step
