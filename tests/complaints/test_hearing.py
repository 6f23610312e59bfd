"""The governors' panel hearing: scheduled by the panel's own governors, an invitation the parent
receives once, moved with a new letter, and seen only by those who may."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from complaints import actions, hearing
from complaints.models import EntryKind, HearingStatus, PanelHearing
from tests.factories import make_user

from .conftest import raise_complaint, to_panel


@pytest.fixture
def panel(cast):
    """A complaint at the panel, with three governors cleared and one who declared a conflict."""
    complaint = to_panel(raise_complaint(cast), cast.headteacher)
    cleared = [cast.governor] + [
        make_user(cast.school, Role.GOVERNOR, name=name, email=f"{name.split()[0].lower()}@example.org")
        for name in ("Hana Holt", "Idris Lewis")
    ]
    conflicted = make_user(cast.school, Role.GOVERNOR, name="Nell Nextdoor", email="nell@example.org")
    for governor in cleared:
        actions.declare(complaint=complaint, governor=governor, has_conflict=False)
    actions.declare(complaint=complaint, governor=conflicted, has_conflict=True, details="Neighbour")
    return complaint, cleared, conflicted


def _form(members, *, when=None, place="The governors' room, Northbrook Primary School"):
    when = when or timezone.localtime() + timedelta(days=14)
    return {
        "save": "1",
        "starts_at": when.strftime("%Y-%m-%dT%H:%M"),
        "place": place,
        "members": [m.pk for m in members],
        "notes_for_parent": "You are welcome to bring a friend or relative.",
        "signatory_name": "Ruth Clerk",
        "signatory_role": "Clerk to the governors",
    }


def _send(client, complaint):
    return client.post(reverse("complaints:hearing", args=[complaint.pk]), {"send": "1", "confirm": "on"})


def test_the_panel_schedules_previews_and_sends_the_invitation_once(
    cast, panel, client_for, django_capture_on_commit_callbacks
):
    complaint, cleared, conflicted = panel
    client = client_for(cast.governor)
    page = client.get(reverse("complaints:hearing", args=[complaint.pk])).content.decode()
    # Only governors who declared no conflict can be chosen.
    assert "Hana Holt" in page and "Nell Nextdoor" not in page
    assert client.post(reverse("complaints:hearing", args=[complaint.pk]), _form(cleared)).status_code == 302
    draft = PanelHearing.objects.get()
    assert draft.status == HearingStatus.DRAFT
    page = client.get(reverse("complaints:hearing", args=[complaint.pk])).content.decode()
    assert "The invitation as the parent will read it" in page and "bring a friend" in page
    # The parent sees nothing of a draft.
    parent_page = client_for(cast.parent).get(reverse("complaints:my_complaint", args=[complaint.pk])).content.decode()
    assert 'id="hearing"' not in parent_page
    mail.outbox.clear()
    client = client_for(cast.governor)  # one test client: signed in as the governor again
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(client, complaint).status_code == 302
        _send(client, complaint)  # a second click sends nothing more
    draft.refresh_from_db()
    assert draft.status == HearingStatus.SENT and draft.letter and draft.letter_sha256
    to_parent = [m for m in mail.outbox if m.to == [cast.parent.email]]
    assert len(to_parent) == 1
    [attachment] = to_parent[0].attachments
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(attachment[1])).pages)
    assert "governors' panel hearing" in text and "Hana Holt" in text and "Ruth Clerk" in text
    assert f"Dear {cast.parent.salutation}" in text
    members_told = sorted(m.to[0] for m in mail.outbox if "you sit on the panel" in m.subject)
    assert members_told == sorted(g.email for g in cleared)
    # The members' email says nothing of the complaint.
    member_mail = next(m for m in mail.outbox if m.to == [cast.governor.email])
    assert complaint.subject not in member_mail.body and complaint.details not in member_mail.body
    # The parent's page shows the date and the letter; the entry is in the conversation.
    parent_page = client_for(cast.parent).get(reverse("complaints:my_complaint", args=[complaint.pk])).content.decode()
    assert 'id="hearing"' in parent_page and "Read the invitation (PDF)" in parent_page
    assert complaint.entries.filter(kind=EntryKind.HEARING).count() == 1
    download = client_for(cast.parent).get(reverse("complaints:hearing_letter", args=[complaint.pk, draft.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


def test_moving_a_sent_hearing_sends_a_new_letter_and_keeps_the_first(
    cast, panel, client_for, django_capture_on_commit_callbacks
):
    complaint, cleared, _ = panel
    client = client_for(cast.governor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("complaints:hearing", args=[complaint.pk]), _form(cleared))
        _send(client, complaint)
    first = PanelHearing.objects.get()
    first_sha = first.letter_sha256
    later = timezone.localtime() + timedelta(days=21)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("complaints:hearing", args=[complaint.pk]), _form(cleared[:2], when=later))
        _send(client, complaint)
    first.refresh_from_db()
    second = PanelHearing.objects.exclude(pk=first.pk).get()
    assert first.status == HearingStatus.REPLACED and first.letter_sha256 == first_sha
    assert second.replaces == first and second.status == HearingStatus.SENT
    [to_parent] = [m for m in mail.outbox if m.to == [cast.parent.email]]
    assert "has moved" in to_parent.body
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(to_parent.attachments[0][1])).pages)
    assert "replaces our invitation" in text
    # The parent can still open the first letter.
    old = client_for(cast.parent).get(reverse("complaints:hearing_letter", args=[complaint.pk, first.pk]))
    assert old.status_code == 200


def test_bad_input_is_explained_and_kept(cast, panel, client_for):
    complaint, cleared, conflicted = panel
    client = client_for(cast.governor)
    past = timezone.localtime() - timedelta(days=1)
    response = client.post(reverse("complaints:hearing", args=[complaint.pk]), _form(cleared, when=past))
    assert response.status_code == 400
    text = response.content.decode()
    assert "The hearing must be in the future." in text and "bring a friend" in text
    none = _form([])
    response = client.post(reverse("complaints:hearing", args=[complaint.pk]), none)
    assert (
        response.status_code == 400 and "Choose the governors who will sit on the panel." in response.content.decode()
    )
    # A governor who declared a conflict cannot be slipped in by a hand-made POST.
    response = client.post(reverse("complaints:hearing", args=[complaint.pk]), _form(cleared + [conflicted]))
    assert response.status_code == 400 and not PanelHearing.objects.exists()


def test_who_may_schedule_and_read(cast, panel, client_for, django_capture_on_commit_callbacks):
    complaint, cleared, conflicted = panel
    url = reverse("complaints:hearing", args=[complaint.pk])
    # A conflicted governor, an undeclared one, another school's governor, staff and the parent: 404.
    undeclared = make_user(cast.school, Role.GOVERNOR, name="Una Undeclared")
    elsewhere = make_user(cast.other_school, Role.GOVERNOR, name="Olu Elsewhere")
    for user in (conflicted, undeclared, elsewhere, cast.staff, cast.parent, cast.other_headteacher):
        assert client_for(user).get(url).status_code == 404, user
        assert client_for(user).post(url, _form(cleared)).status_code == 404, user
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.governor).post(url, _form(cleared))
        _send(client_for(cast.governor), complaint)
    sent = PanelHearing.objects.get()
    letter = reverse("complaints:hearing_letter", args=[complaint.pk, sent.pk])
    assert client_for(cast.headteacher).get(letter).status_code == 200
    for user in (cast.other_parent, conflicted, elsewhere, cast.other_headteacher, cast.staff):
        assert client_for(user).get(letter).status_code == 404, user
    # The headteacher's complaint page shows the hearing.
    page = client_for(cast.headteacher).get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "invitation sent" in page


def test_the_decision_form_starts_from_the_hearing_that_was_held(
    cast, panel, client_for, django_capture_on_commit_callbacks, time_machine
):
    complaint, cleared, _ = panel
    client = client_for(cast.governor)
    when = timezone.localtime() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("complaints:hearing", args=[complaint.pk]), _form(cleared, when=when))
        _send(client, complaint)
    time_machine.move_to(when + timedelta(days=1))
    page = client_for(cast.governor).get(reverse("complaints:panel_bundle", args=[complaint.pk])).content.decode()
    assert f'value="{when:%Y-%m-%d}"' in page and "Hana Holt" in page


def test_advice_for_a_short_panel_and_short_notice(cast, panel):
    complaint, cleared, _ = panel
    soon = timezone.now() + timedelta(days=1)
    draft = hearing.schedule_hearing(
        complaint=complaint, by=cast.governor, starts_at=soon, place="Library", members=cleared[:1]
    )
    warnings = " ".join(hearing.advice_for(draft).warnings)
    assert "at least 3" in warnings and "less than 5 school days" in warnings
