"""Several people (and double clicks) submitting the same form at the same moment, on PostgreSQL:
each request is a thread with its own connection and its own signed-in client. One submit wins,
the others are told (409) or find it done; nothing is applied twice; no request answers 500."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from complaints.models import Complaint, ComplaintEntry, EntryKind, Stage
from incidents.letters import actions as letter_actions
from incidents.letters.models import Letter, LetterKind
from incidents.models import TimelineEntry
from tests.complaints.conftest import raise_complaint
from tests.conftest import sign_in
from tests.incidents.conftest import facebook, file_report  # noqa: F401
from tests.letters.builders import make_case
from tests.lib.stale_helpers import second_headteacher

pytestmark = pytest.mark.django_db(transaction=True)


def fire(requests: list[tuple[User, str, dict]]) -> Counter:
    """POST every (user, url, data) at once, each from its own browser; count the status codes."""
    clients = []
    for user, _, _ in requests:
        client = Client()
        sign_in(client, user)
        clients.append(client)
    start = threading.Barrier(len(requests))
    codes: list[int] = []

    def submit(client: Client, url: str, data: dict) -> None:
        try:
            start.wait()
            codes.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=submit, args=(client, url, data))
        for client, (_, url, data) in zip(clients, requests, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return Counter(codes)


@pytest.fixture(autouse=True)
def _postgres(shared_database_url):
    """Row locks are what is tested: PostgreSQL only (skips on SQLite)."""


def test_concurrent_triage_by_the_headteacher_and_the_dsl_saves_one_and_tells_the_others(cast, file_report):  # noqa: F811
    incident = file_report()
    url = reverse("incidents:triage", args=[incident.pk])
    opener = Client()
    sign_in(opener, cast.headteacher)
    seen = opener.get(url).context["form"].initial["seen_version"]
    form = {"natures": ["defamatory"], "poster_kind": "unknown", "seen_version": seen}
    requests = [(cast.headteacher, url, {**form, "severity": "high", "owner": cast.headteacher.pk})] * 5
    requests += [(cast.dsl, url, {**form, "severity": "low", "owner": cast.dsl.pk})] * 5

    codes = fire(requests)

    assert codes == Counter({302: 1, 409: 9})
    assert TimelineEntry.objects.filter(incident=incident, kind="triaged").count() == 1


def test_concurrent_stage_moves_of_a_complaint_move_it_once(cast):
    complaint = raise_complaint(cast)
    url = reverse("complaints:stage", args=[complaint.pk])
    opener = Client()
    sign_in(opener, cast.headteacher)
    seen = opener.get(reverse("complaints:detail", args=[complaint.pk])).context["stage_form"].initial["seen_version"]
    data = {"stage": Stage.FORMAL, "reason": "It needs a formal look.", "seen_version": seen}
    tom = second_headteacher(cast)

    codes = fire([(cast.headteacher, url, data)] * 4 + [(tom, url, data)] * 4)

    assert set(codes) == {302}  # the same move, sent eight times: done once, each told it is done
    assert Complaint.objects.get(pk=complaint.pk).stage == Stage.FORMAL
    assert ComplaintEntry.objects.filter(complaint=complaint, kind=EntryKind.STAGE).count() == 1


def test_finalise_clicked_again_and_again_with_an_edit_finalises_once(cast):
    incident, step = make_case(cast)
    letter = letter_actions.create_letter(
        incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher
    )
    form = {
        "recipient_name": letter.recipient_name,
        "recipient_address": letter.recipient_address,
        "recipient_email": "sian@example.org",
        "letter_date": letter.letter_date.isoformat(),
        "subject": letter.subject,
        "body": letter.body + "\n\nOne more sentence.",
        "quoted_post": letter.quoted_post,
        "action": "finalise",
    }
    url = reverse("letters:edit", args=[letter.pk])

    # "Check the PDF and finalise" clicked four times with an edit: the edit is saved once, and each
    # click lands on the last-look page.
    codes = fire([(cast.headteacher, url, form)] * 4)
    assert set(codes) == {302}
    letter = Letter.objects.get(pk=letter.pk)
    assert not letter.is_final and letter.body.endswith("One more sentence.")
    # The edit applied once (render-state saves add history rows, so count the words, not the rows).
    assert letter.body.count("One more sentence.") == 1

    # The preview is made (as a worker would), then "Finalise" on the last-look page, four times.
    from incidents.letters.tasks import render_letter

    render_letter(letter.pk, letter.revision)
    finalise_url = reverse("letters:finalise", args=[letter.pk])
    codes = fire([(cast.headteacher, finalise_url, {"revision": str(letter.revision)})] * 4)
    assert set(codes) == {302}
    letter = Letter.objects.get(pk=letter.pk)
    assert letter.is_final and letter.body.endswith("One more sentence.")
    assert TimelineEntry.objects.filter(incident=incident, summary__startswith="Letter finalised").count() == 1
