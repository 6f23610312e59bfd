"""The letters list of an incident, and the incident page with its letters, cost the same number of
queries however many letters and steps there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import actions as incident_actions
from incidents.letters import actions
from incidents.letters.models import LETTER_FOR_STEP, LetterKind
from incidents.models import StepKind

pytestmark = pytest.mark.django_db

LETTERS_LIST_QUERIES = 11
# 16, plus three for the poster's home-school agreement status (agreements, commit 7b22086).
DETAIL_QUERIES = 19


def letters_on(cast, incident, first_step, size: int) -> None:
    kinds = list(LETTER_FOR_STEP)
    steps = [first_step] + [
        incident_actions.add_step(incident=incident, by=cast.headteacher, kind=kinds[i % len(kinds)])
        for i in range(size - 1)
    ]
    for index, step in enumerate(steps):
        if step.kind == StepKind.HEADTEACHER_MEETING:  # an invitation cannot be final without its time
            step.meeting_at = timezone.now() + timedelta(days=3)
            step.save(update_fields=["meeting_at"])
        letter = actions.create_letter(incident=incident, step=step, kind=LETTER_FOR_STEP[step.kind], by=cast.dsl)
        if index % 2 == 0:
            actions.finalise(letter=letter, by=cast.headteacher)
            actions.record_handover(letter=letter, by=cast.dsl, method="post")
    actions.create_letter(incident=incident, step=None, kind=LetterKind.OUTCOME, by=cast.headteacher)
    actions.request_bundle(incident=incident, by=cast.headteacher)


def measure(client, url, django_assert_max_num_queries, limit: int) -> int:
    with django_assert_max_num_queries(limit) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_letters_list_and_incident_page_queries_do_not_grow(cast, case, client_for, django_assert_max_num_queries):
    incident, step = case
    client = client_for(cast.headteacher)
    pages = [reverse("letters:incident", args=[incident.pk]), reverse("incidents:detail", args=[incident.pk])]
    limits = [LETTERS_LIST_QUERIES, DETAIL_QUERIES]
    letters_on(cast, incident, step, 1)
    small = [measure(client, url, django_assert_max_num_queries, n) for url, n in zip(pages, limits, strict=True)]
    extra = incident_actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.WRITTEN_WARNING)
    letters_on(cast, incident, extra, 12)
    large = [measure(client, url, django_assert_max_num_queries, n) for url, n in zip(pages, limits, strict=True)]
    assert small == large


def test_each_step_on_the_incident_page_has_its_own_letters_oldest_first(cast, case, django_assert_num_queries):
    from incidents.access import steps_of
    from incidents.letters.models import Letter

    incident, step = case
    letters_on(cast, incident, step, 5)
    steps = steps_of(incident)
    assert len(steps) >= 5
    with django_assert_num_queries(0):
        shown = {s.pk: [letter.pk for letter in s.letters.all()] for s in steps}
    for s in steps:
        assert shown[s.pk] == list(
            Letter.objects.filter(step=s).order_by("created_at", "pk").values_list("pk", flat=True)
        )
        assert all(letter.step_id == s.pk for letter in s.letters.all())
    assert sum(map(len, shown.values())) == Letter.objects.filter(incident=incident, step__isnull=False).count()
