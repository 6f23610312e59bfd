"""Letters on the incident page: their own timeline entries, and a "Write letter" button per step."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents import actions as incident_actions
from incidents.backfills import mark_letter_entries
from incidents.letters import actions
from incidents.letters.models import LetterKind
from incidents.models import EntryKind, StepKind, TimelineEntry

pytestmark = pytest.mark.django_db


def test_letter_entries_have_their_own_kind_and_open_the_letter(
    cast, case, client_for, django_capture_on_commit_callbacks
):
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        actions.finalise(letter=letter, by=cast.headteacher)
    entries = list(TimelineEntry.objects.filter(incident=incident, kind=EntryKind.LETTER).order_by("at", "pk"))
    assert [e.summary.split(":")[0] for e in entries] == ["Letter drafted", "Letter finalised"]
    assert all(e.link == letter.get_absolute_url() and e.internal and e.step == step for e in entries)
    page = client_for(cast.headteacher).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert f'href="{letter.get_absolute_url()}">Open the letter</a>' in page
    # The person who reported it never sees letter entries.
    status = client_for(cast.staff).get(reverse("incidents:report_status", args=[incident.pk])).content.decode()
    assert "Letter drafted" not in status and "Open the letter" not in status


def test_older_letter_notes_become_letter_entries(cast, case):
    incident, _ = case
    old = TimelineEntry.objects.create(
        incident=incident, actor=cast.headteacher, kind=EntryKind.NOTE, summary="Letter finalised: Written warning to X"
    )
    note = incident_actions.add_note(incident=incident, by=cast.headteacher, text="Letter drafted: kept as a note")
    assert mark_letter_entries(TimelineEntry) == 1
    old.refresh_from_db()
    note.refresh_from_db()
    assert old.kind == EntryKind.LETTER and note.kind == EntryKind.NOTE


def test_steps_that_call_for_a_letter_offer_to_write_it(cast, case, client_for):
    incident, warning = case
    platform = incident_actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    client = client_for(cast.headteacher)
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    new_url = reverse("letters:new", args=[incident.pk])
    assert f'href="{new_url}?step={warning.pk}">Write letter' in page
    assert f"?step={platform.pk}" not in page  # reporting to the platform needs no letter
    form = client.get(f"{new_url}?step={warning.pk}").content.decode()
    assert 'value="written_warning" selected' in form or 'value="written_warning" checked' in form


def test_a_step_lists_its_letters(cast, case, client_for):
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    page = client_for(cast.headteacher).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert reverse("letters:edit", args=[letter.pk]) in page and "Written warning to Siân O&#x27;Connor-Müller" in page


def test_a_finished_step_offers_no_letter(cast, case, client_for):
    incident, step = case
    incident_actions.record_step_outcome(step=step, by=cast.headteacher, outcome="sent")
    page = client_for(cast.headteacher).get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "Write letter" not in page
