"""Demo incidents: a handful of believable cases per school, a year of past cases behind them
(incident_history.py, for the charts and the governors' report), plus bulk rows for benchmarks.

Idempotent: the story and past incidents are found again by their content; bulk rows are only
topped up to options["incidents"] per school.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, ParentLink, Pupil, Role
from incidents import actions, outcomes
from incidents import platforms as platform_directory
from incidents.models import (
    FINISHED_STATUSES,
    EscalationStep,
    Incident,
    IncidentNature,
    Nature,
    Outcome,
    Platform,
    SchoolPlatform,
    Status,
    StepKind,
    TimelineEntry,
    seconds_between,
)

from . import cluster as cluster_demo
from . import incident_history as history_demo
from . import letters as letters_demo

STORIES: list[dict[str, Any]] = [
    {
        "platform": "Facebook",
        "account_name": "Local parents' noticeboard group",
        "content": "Does anyone else think the new Year 4 teacher is useless? My son says she shouts all day. Someone should report her.",
        "natures": [Nature.COMPLAINT, Nature.OFFENSIVE_NAMED],
        "targeted": "The Year 4 class teacher",
        "poster_kind": "parent",
        "days_ago": 2,
        "triage": None,
    },
    {
        "platform": "Class or parents' chat group",
        "account_name": "Year 2 parents WhatsApp",
        "content": "Photo of the sports day relay with the children's faces and names in the caption, shared to a public page.",
        "natures": [Nature.IMAGES],
        "targeted": "Pupils in the relay team",
        "poster_kind": "parent",
        "pupils_identifiable": True,
        "days_ago": 6,
        "triage": {
            "severity": "high",
            "steps": [(StepKind.REMOVAL_REQUEST, Outcome.COMPLIED, "Parent removed the photo the same evening.")],
        },
    },
    {
        "platform": "TikTok",
        "account_name": "@year6_legends",
        "content": "Video of two pupils mocking a classmate's accent, with laughing emojis and the school badge visible.",
        "natures": [Nature.CYBERBULLYING, Nature.RACIST, Nature.UNDERAGE],
        "targeted": "A Year 6 pupil",
        "poster_kind": "pupil",
        "safeguarding_concern": True,
        "days_ago": 12,
        "triage": {
            "severity": "critical",
            "steps": [(StepKind.PLATFORM_REPORT, None, ""), (StepKind.ANTI_BULLYING, None, "")],
            "overdue": True,
        },
    },
    {
        "platform": "X (Twitter)",
        "account_name": "@concerned_local_dad",
        "content": "The head is fiddling the trip money. Everyone knows it. I've seen the accounts.",
        "natures": [Nature.DEFAMATORY, Nature.ALLEGATION],
        "targeted": "The headteacher",
        "poster_kind": "community",
        "days_ago": 30,
        "triage": {
            "severity": "medium",
            "steps": [(StepKind.PLATFORM_REPORT, Outcome.NOT_COMPLIED, "Platform said it does not breach its rules.")],
            "status": Status.RESOLVED,
        },
    },
    {
        # incidents/letters/demo.py writes this case's letters: the removal request, then a warning.
        "platform": "Facebook",
        "account_name": "Northbrook and Hollins Vale community noticeboard",
        "content": (
            "Third time I'm saying it: the Reception teacher is not fit to look after children. "
            "If the school won't get rid of her, we parents should wait at the gate and tell her ourselves."
        ),
        "natures": [Nature.OFFENSIVE_NAMED, Nature.COMPLAINT],
        "targeted": "The Reception class teacher",
        "poster_kind": "parent",
        "days_ago": 16,
        "triage": {
            "severity": "high",
            "harassment": True,
            "poster_parent": True,
            "steps": [(StepKind.REMOVAL_REQUEST, None, "")],
        },
    },
]
LETTERS_STORY = STORIES[-1]["content"]


def seed(schools, options, stdout) -> None:
    options = options or {}
    for school in schools:
        people = _people(school)
        if not people.get(Role.HEADTEACHER) or not people.get(Role.PARENT):
            continue
        _platform_settings(school, people[Role.HEADTEACHER])
        # The past year first, so reference numbers run in date order on a fresh database.
        past = history_demo.seed_school(school, people)
        made = _stories(school, people)
        letters = letters_demo.seed_school(school, people, LETTERS_STORY)
        bulk = options.get("incidents") or 0
        added = _bulk(school, people, bulk) if bulk else 0
        stdout.write(
            f"incidents: {school.short_code} {past} past incidents added, {made} story incidents added, "
            f"{letters} letters added, {added} bulk incidents added"
        )
    cluster_demo.seed(schools, LETTERS_STORY, stdout)


def _platform_settings(school, head) -> None:
    """A school's own note for Facebook and its own parents' chat group, as a headteacher would add."""
    facebook = Platform.objects.shared().filter(name="Facebook").first()
    if facebook and not SchoolPlatform.objects.filter(school=school, platform=facebook).exists():
        SchoolPlatform.objects.create(
            school=school,
            platform=facebook,
            updated_by=head,
            notes="Most posts about us are in the village community group: message its admin as well as reporting.",
        )
    name = "Year 6 parents' WhatsApp group"
    if not Platform.objects.filter(school=school, name=name).exists():
        Platform.objects.create(
            school=school,
            name=name,
            minimum_age=None,
            sort_order=platform_directory.OWN_PLATFORM_SORT_ORDER,
            notes="Run by two class reps; the office has their numbers and they remove posts quickly when asked.",
        )


def _people(school) -> dict:
    people: dict = {}
    for membership in Membership.objects.filter(school=school, is_active=True).select_related("user").order_by("pk"):
        people.setdefault(membership.role, membership.user)
    return people


def _stories(school, people) -> int:
    made = 0
    head = people[Role.HEADTEACHER]
    for index, story in enumerate(STORIES):
        if Incident.objects.filter(school=school, content=story["content"]).exists():
            continue
        reporter = people[Role.PARENT] if index % 2 == 0 else people.get(Role.STAFF, head)
        now = timezone.now()
        details = {
            "platform": Platform.objects.shared().get(name=story["platform"]),
            "account_name": story["account_name"],
            "posted_at": now - timedelta(days=story["days_ago"], hours=5),
            "seen_at": now - timedelta(days=story["days_ago"], hours=2),
            "content": story["content"],
            "targeted": story["targeted"],
            "poster_kind": story["poster_kind"],
            "poster_certainty": "likely",
            "pupils_identifiable": story.get("pupils_identifiable", False),
            "safeguarding_concern": story.get("safeguarding_concern", False),
        }
        with transaction.atomic():
            incident = actions.report(
                school=school,
                reporter=reporter,
                role=Role.PARENT if reporter == people[Role.PARENT] else Role.STAFF,
                details=details,
                natures=story["natures"],
                urls=[f"https://example.org/post/{school.short_code.lower()}-{index + 1}"],
            )
            plan = story["triage"]
            if plan:
                _work(incident, head, people, plan)
        made += 1
    return made


def _work(incident, head, people, plan) -> None:
    pupil = Pupil.objects.filter(school=incident.school).first() if incident.poster_kind == "pupil" else None
    parent = None
    if plan.get("poster_parent"):
        # A parent other than the demo login, with their child, so letters have someone to go to.
        link = (
            ParentLink.objects.filter(pupil__school=incident.school)
            .exclude(parent=people[Role.PARENT])
            .select_related("parent", "pupil")
            .order_by("pk")
            .first()
        )
        if link is not None:
            parent, pupil = link.parent, link.pupil
    actions.triage(
        incident=incident,
        by=head,
        severity=plan["severity"],
        natures=incident.nature_codes,
        poster_kind=incident.poster_kind,
        pupil_links=[(pupil, "poster" if incident.poster_kind == "pupil" else "poster_child")] if pupil else [],
        poster_parent=parent,
        harassment=plan.get("harassment", False),
        owner=people.get(Role.DSL, head),
        note="Looked at the post with the DSL; screenshots kept.",
    )
    for kind, outcome, notes in plan["steps"]:
        step = actions.add_step(incident=incident, by=head, kind=kind)
        if plan.get("overdue"):
            EscalationStep.objects.filter(pk=step.pk).update(due_date=timezone.localdate() - timedelta(days=2))
        if outcome:
            reference = "REF-" + str(step.pk) if outcomes.outcomes_for(kind).reference_label else ""
            actions.record_step_outcome(
                step=step,
                by=head,
                outcome=outcomes.from_legacy(kind, outcome, reference),
                notes=notes,
                external_reference=reference,
                attendees="The headteacher and the parent" if kind == StepKind.HEADTEACHER_MEETING else "",
            )
    actions.refresh_next_due(incident)
    if plan.get("status"):
        actions.change_status(
            incident=incident, by=head, status=plan["status"], reason="The post has gone and the family were spoken to."
        )


# Sentences for the bulk posts, so search and the benches see text shaped like real reports: a few
# sentences each, some words in most posts, some in almost none ("trampoline": twenty posts in the
# school, the same twenty at every size from 1,000 up, so a bench compares like pages: one post in
# 5,000 at 100,000).
_OPENINGS = [
    "Someone in the year {year} parents group posted this last night.",
    "This was shared in a group chat that most of the class are in.",
    "A parent forwarded a screenshot of a comment under the school's page.",
    "My daughter showed me this post on her phone after tea.",
    "I was sent this by another mum who was worried about it.",
    "This appeared on a local community page on {day}.",
]
_MIDDLES = [
    "It names {name} and says things about {pronoun} that are not true.",
    "The comment is about {name} in {klass} class and has been shared a lot.",
    "There is a photo of children in uniform outside the {place}, faces clearly visible.",
    "People are replying with laughing faces and adding nastier comments.",
    "It says the teachers do nothing about bullying at break time.",
    "The account seems to belong to an older pupil but I am not certain.",
    "It claims the school covered up what happened on the trip.",
    "Several parents have joined in and it is getting out of hand.",
    "The post calls a member of staff names and tells people to complain.",
    "It has been up since {day} and nobody has reported it yet.",
]
_CLOSINGS = [
    "Please can someone look at it before it spreads further.",
    "I have not replied to it and I have kept a screenshot.",
    "My child is upset and does not want to go in tomorrow.",
    "I think it should be taken down as soon as possible.",
    "I did not know who else to tell about this.",
]
_NAMES = ["Mrs Patel", "Mr Hughes", "Miss Adeyemi", "a boy called Sam", "a girl in year 5", "the office manager"]
_PLACES = ["main gate", "swimming baths", "church hall", "park by the school", "library"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def post_text(rng: random.Random, number: int) -> str:
    """A made-up report of a post, three to five sentences, the same for the same seed and number."""
    fill = {
        "year": rng.randint(1, 6),
        "day": rng.choice(_DAYS),
        "name": rng.choice(_NAMES),
        "pronoun": rng.choice(["him", "her", "them"]),
        "klass": rng.choice(["Otters", "Badgers", "Foxes", "Owls"]),
        "place": rng.choice(_PLACES),
    }
    sentences = [rng.choice(_OPENINGS), *rng.sample(_MIDDLES, rng.randint(1, 3)), rng.choice(_CLOSINGS)]
    if number < 1000 and number % 50 == 7:
        sentences.insert(1, "It started with a video filmed on a trampoline in someone's garden.")
    return " ".join(sentence.format(**fill) for sentence in sentences)


def _bulk(school, people, wanted: int) -> int:
    """Top the school up to `wanted` incidents with bulk rows (steps and timeline included)."""
    have = Incident.objects.filter(school=school).count()
    missing = max(wanted - have, 0)
    if not missing:
        return 0
    rng = random.Random(school.short_code)
    platforms = list(Platform.objects.shared())
    head, reporter = people[Role.HEADTEACHER], people[Role.PARENT]
    year = timezone.localdate().year
    natures = list(Nature)
    statuses = [Status.REPORTED, Status.TRIAGED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED]
    batch = 2000
    added = 0
    while added < missing:
        size = min(batch, missing - added)
        with transaction.atomic():
            first = _reserve(school, year, size)
            now = timezone.now()
            rows = []
            for offset in range(size):
                number = first + offset
                status = rng.choice(statuses)
                created_at = now - timedelta(minutes=number)
                rows.append(
                    Incident(
                        school=school,
                        reference=f"{school.short_code}-{year}-{number:04d}",
                        year=year,
                        number=number,
                        reporter=reporter,
                        reporter_role=Role.PARENT,
                        platform=rng.choice(platforms),
                        urls=[f"https://example.org/post/{number}"],
                        seen_at=now - timedelta(minutes=number),
                        content=post_text(rng, number),
                        poster_kind="unknown",
                        status=status,
                        created_at=created_at,
                        # bulk_create skips save(), which keeps resolved_at for single incidents.
                        resolved_at=created_at + timedelta(hours=rng.randint(2, 24 * 30))
                        if status in FINISHED_STATUSES
                        else None,
                        next_due_on=timezone.localdate() + timedelta(days=rng.randint(-5, 20))
                        if number % 3 == 0
                        else None,
                    )
                )
            for row in rows:  # likewise the time to resolve that the statistics count
                row.seconds_to_resolve = seconds_between(row.created_at, row.resolved_at)
            created = Incident.objects.bulk_create(rows)
            IncidentNature.objects.bulk_create([IncidentNature.for_incident(i, rng.choice(natures)) for i in created])
            EscalationStep.objects.bulk_create(
                [
                    EscalationStep(
                        incident=i, kind=StepKind.PLATFORM_REPORT, owner=head, created_by=head, due_date=i.next_due_on
                    )
                    for i in created
                ]
            )
            TimelineEntry.objects.bulk_create(
                [
                    TimelineEntry(
                        incident=i, actor=reporter, kind="reported", summary="Reported", internal=False, at=i.created_at
                    )
                    for i in created
                ]
            )
        added += size
    from incidents import figures  # bulk_create sends no signals: recount the kept figures

    figures.rebuild_school(school.pk)
    return added


def _reserve(school, year: int, count: int) -> int:
    """Take `count` reference numbers at once; returns the first."""
    from incidents.models import IncidentSequence

    IncidentSequence.objects.get_or_create(school=school, year=year)
    sequence = IncidentSequence.objects.select_for_update().get(school=school, year=year)
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.save(update_fields=["last_number"])
    return first
