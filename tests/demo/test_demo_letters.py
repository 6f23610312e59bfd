"""The demo letters: a finalised, rendered and emailed removal request, then a draft warning."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from demo import incidents as demo
from incidents.letters.models import DeliveryMethod, Letter, LetterKind, LetterStatus
from incidents.models import EntryKind, Incident, Outcome, StepKind

pytestmark = pytest.mark.django_db


# seed_demo runs outside any transaction, so each letter's render has run (no broker) before the
# demo emails it; a transactional test runs the same way.
@pytest.mark.django_db(transaction=True)
def test_demo_letters_are_believable_and_written_once(cast):
    demo.seed([cast.school], {}, io.StringIO())
    incident = Incident.objects.get(school=cast.school, content=demo.LETTERS_STORY)
    removal = Letter.objects.get(incident=incident, kind=LetterKind.REMOVAL_REQUEST)
    assert removal.status == LetterStatus.FINAL and removal.pdf_ready
    assert removal.pdf.open("rb").read(5) == b"%PDF-"
    assert removal.recipient_name == incident.poster_parent.full_name
    delivery = removal.deliveries.get()
    assert delivery.method == DeliveryMethod.EMAIL and delivery.email == incident.poster_parent.email
    assert removal.step.kind == StepKind.REMOVAL_REQUEST and removal.step.outcome == Outcome.NO_REPLY

    warning = Letter.objects.get(incident=incident, kind=LetterKind.WRITTEN_WARNING)
    assert warning.status == LetterStatus.DRAFT and warning.step.kind == StepKind.WRITTEN_WARNING
    emailed_on = timezone.localtime(delivery.at).date()
    assert f"I wrote to you on {emailed_on.day} {emailed_on:%B %Y} about this post." in warning.body
    assert incident.timeline.filter(kind=EntryKind.LETTER).count() == 4  # drafted, final, emailed; drafted

    demo.seed([cast.school], {}, io.StringIO())
    assert Letter.objects.filter(incident__school=cast.school).count() == 2
    assert Incident.objects.filter(school=cast.school, content=demo.LETTERS_STORY).count() == 1
