"""Letters: drafted from the facts, previewed, finalised for good, emailed or handed over."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog
from incidents.letters import actions
from incidents.letters.models import DeliveryMethod, Letter, LetterKind, LetterTemplate, RenderState
from incidents.letters.wording import check_wording, fill
from incidents.models import TimelineEntry

pytestmark = pytest.mark.django_db


def pdf_text(path_or_bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.fixture
def letter(cast, case) -> Letter:
    incident, step = case
    return actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)


def test_a_draft_is_filled_in_from_the_facts(letter, case):
    incident, step = case
    assert letter.recipient_name == "Siân O'Connor-Müller"
    assert "Mill Lane" in letter.recipient_address
    assert letter.quoted_post == incident.content
    assert f"by {step.due_date.day} " in letter.body
    assert "Alex Other" in letter.body
    assert "Facebook (Northbrook Parents' Chat)" in letter.body
    assert incident.reference in letter.body
    # No social media policy approved yet: a plain sentence instead of an empty citation.
    assert "raise concerns through the school" in letter.body
    assert TimelineEntry.objects.filter(incident=incident, summary__startswith="Letter drafted").exists()


def test_the_policy_in_force_is_cited(cast, case):
    from policies import actions as policy_actions
    from policies.models import Category, Owner

    version = policy_actions.create_document(
        school=cast.school,
        by=cast.headteacher,
        title="Parents' Social Media Policy",
        category=Category.SOCIAL_MEDIA,
        owner=Owner.HEADTEACHER,
        review_interval_months=12,
        staff_must_acknowledge=True,
        body_markdown="Text",
        change_summary="New",
    )
    policy_actions.submit_for_approval(version)
    policy_actions.approve(version, by=cast.headteacher)
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.REMOVAL_REQUEST, by=cast.headteacher)
    assert "“Parents' Social Media Policy”, version 1, approved on" in letter.body
    assert letter.facts["policy_version"] == "1"


def test_wording_allows_only_the_listed_blanks():
    check_wording("Dear {{ recipient_name }}, about {{child_name}}.")
    for bad in ["{{ settings.SECRET_KEY }}", "{% load static %}", "{{ recipient_name|upper }}", "{# x #}"]:
        with pytest.raises(ValidationError):
            check_wording(bad)
    # Filled text is plain text: markup in the facts is not interpreted (escaped later, in the PDF).
    assert fill("Dear {{ recipient_name }}", {"recipient_name": "<b>Jo</b> & Sam"}) == "Dear <b>Jo</b> & Sam"


def test_a_new_wording_version_is_used_for_new_letters(cast, case):
    actions.save_wording(
        school=cast.school,
        kind=LetterKind.WRITTEN_WARNING,
        by=cast.headteacher,
        subject="Formal warning",
        body="Dear {{ recipient_name }},\n\nOur own words about {{ platform }}.",
    )
    saved = actions.save_wording(
        school=cast.school,
        kind=LetterKind.WRITTEN_WARNING,
        by=cast.headteacher,
        subject="Formal warning",
        body="Hello.",
    )
    assert saved.version == 2
    with pytest.raises(ValidationError):
        saved.save()
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher)
    assert letter.body == "Hello."
    assert letter.template == LetterTemplate.objects.get(version=2)


def test_preview_then_finalise_stores_an_immutable_pdf(cast, letter, django_capture_on_commit_callbacks, tmp_path):
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_preview(letter=letter)
    letter.refresh_from_db()
    assert letter.render_state == RenderState.READY and letter.pdf_ready
    assert "DRAFT" in pdf_text(letter.preview_pdf.path, tmp_path)

    with django_capture_on_commit_callbacks(execute=True):
        actions.finalise(letter=letter, by=cast.headteacher)
    letter.refresh_from_db()
    content = Path(letter.pdf.path).read_bytes()
    assert letter.pdf_sha256 == hashlib.sha256(content).hexdigest()
    text = pdf_text(content, tmp_path)
    assert "DRAFT" not in text
    for expected in ["Siân O'Connor-Müller", "Northbrook Primary School", "Written warning", "Mrs O'Brien-Nuñez"]:
        assert expected in text

    letter.body = "Changed afterwards"
    with pytest.raises(ValidationError):
        letter.save()
    with pytest.raises(actions.LetterError):
        actions.update_draft(letter=letter, by=cast.headteacher, body="Again")
    with pytest.raises(ValidationError):
        Letter.objects.get(pk=letter.pk).delete()


def test_a_final_letter_is_emailed_with_its_pdf(cast, letter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.finalise(letter=letter, by=cast.headteacher)
    letter.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        delivery = actions.email_letter(letter=letter, by=cast.headteacher, to="sian@example.org")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sian@example.org"]
    (name, content, mimetype) = message.attachments[0]
    assert name == letter.filename and mimetype == "application/pdf"
    assert hashlib.sha256(content).hexdigest() == letter.pdf_sha256
    delivery.refresh_from_db()
    assert delivery.outcome == "Sent"


def test_the_letter_page_shows_when_the_email_went_and_how_it_went(
    cast, letter, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.finalise(letter=letter, by=cast.headteacher)
    letter.refresh_from_db()
    client = client_for(cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("letters:email", args=[letter.pk]), {"email": "sian@example.org"})
    delivery = letter.deliveries.get()
    sent_at = timezone.localtime(delivery.notification.sent_at)
    page = client.get(reverse("letters:detail", args=[letter.pk])).content.decode()
    assert f"Emailed to sian@example.org · {timezone.localtime(delivery.at):%d/%m/%Y %H:%M}" in page
    assert f"<strong>Sent</strong> {sent_at:%d/%m/%Y %H:%M}" in page


def test_a_draft_cannot_be_emailed_and_handover_is_recorded(cast, letter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(actions.LetterError):
        actions.email_letter(letter=letter, by=cast.headteacher, to="x@example.org")
    assert callbacks == [] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        actions.finalise(letter=letter, by=cast.headteacher)
        delivery = actions.record_handover(letter=letter, by=cast.dsl, method=DeliveryMethod.HAND, note="At the gate")
    assert delivery.get_method_display() == "Handed over"


# --- Pages ----------------------------------------------------------------------------------------
def test_the_headteacher_drafts_previews_and_finalises(cast, case, client_for, django_capture_on_commit_callbacks):
    incident, step = case
    client = client_for(cast.headteacher)
    response = client.post(reverse("letters:new", args=[incident.pk]), {"kind": "written_warning", "step": step.pk})
    letter = Letter.objects.get()
    assert response.url == reverse("letters:edit", args=[letter.pk])

    page = client.get(response.url)
    assert page.status_code == 200
    assert "Siân O&#x27;Connor-Müller" in page.content.decode()

    form = {
        "recipient_name": "Siân O'Connor-Müller",
        "recipient_address": letter.recipient_address,
        "recipient_email": "sian@example.org",
        "letter_date": "2026-11-23",
        "subject": letter.subject,
        "body": letter.body + "\n\nA paragraph the headteacher added <script>alert(1)</script>.",
        "quoted_post": letter.quoted_post,
        "action": "preview",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("letters:edit", args=[letter.pk]), form)
    status = client.get(reverse("letters:status", args=[letter.pk])).json()
    assert status["ready"] is True
    pdf = client.get(status["url"])
    assert pdf["Content-Type"] == "application/pdf"
    assert AccessLog.objects.filter(action="download", object_id=str(letter.pk)).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:edit", args=[letter.pk]), {**form, "action": "finalise"})
    # Finalise asks first, with the PDF preview to check.
    assert response.url == reverse("letters:finalise", args=[letter.pk])
    letter.refresh_from_db()
    assert not letter.is_final
    confirm = client.get(response.url).content.decode()
    assert "A final letter cannot be changed or deleted." in confirm and "Open the PDF preview" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:finalise", args=[letter.pk]), {"revision": letter.revision})
    assert response.url == reverse("letters:detail", args=[letter.pk])
    letter.refresh_from_db()
    assert letter.is_final and letter.pdf_sha256


def test_a_failed_submit_keeps_what_was_typed(cast, letter, client_for):
    client = client_for(cast.headteacher)
    response = client.post(
        reverse("letters:edit", args=[letter.pk]),
        {"recipient_name": " ", "subject": "Kept subject", "body": "Kept body", "letter_date": "2026-11-23"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Say who the letter is to." in body and "Kept body" in body


def test_only_the_headteacher_finalises(cast, letter, client_for):
    client = client_for(cast.dsl)
    form = {
        "recipient_name": letter.recipient_name,
        "letter_date": "2026-11-23",
        "subject": letter.subject,
        "body": letter.body,
        "action": "finalise",
    }
    client.post(reverse("letters:edit", args=[letter.pk]), form)
    letter.refresh_from_db()
    assert not letter.is_final


@pytest.mark.parametrize("who", ["staff", "governor", "office", "parent", "other_headteacher"])
def test_letters_are_404_for_everyone_else(cast, letter, client_for, who):
    client = client_for(getattr(cast, who))
    for name in ["letters:edit", "letters:detail", "letters:status", "letters:pdf"]:
        assert client.get(reverse(name, args=[letter.pk])).status_code == 404
    assert client.get(reverse("letters:incident", args=[letter.incident_id])).status_code == 404


def test_an_outcome_letter_cannot_be_finalised_with_the_gap_left_for_the_outcome(
    cast, case, client_for, django_capture_on_commit_callbacks
):
    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.OUTCOME, by=cast.headteacher)
    assert "[Write the outcome here.]" in letter.body
    client = client_for(cast.headteacher)
    form = {
        "recipient_name": letter.recipient_name,
        "recipient_email": "sian@example.org",
        "letter_date": "2026-11-23",
        "subject": letter.subject,
        "body": letter.body,
        "action": "finalise",
    }
    page = client.post(reverse("letters:edit", args=[letter.pk]), form)
    assert page.status_code == 400
    assert "Replace “[Write the outcome here.]” in the letter with your own words" in page.content.decode()
    assert client.get(reverse("letters:finalise", args=[letter.pk])).url == reverse("letters:edit", args=[letter.pk])
    letter.refresh_from_db()
    assert not letter.is_final

    form["body"] = letter.body.replace("[Write the outcome here.]", "The post has been removed; the matter is closed.")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("letters:edit", args=[letter.pk]), form)
    assert response.url == reverse("letters:finalise", args=[letter.pk])
    letter.refresh_from_db()
    client.post(reverse("letters:finalise", args=[letter.pk]), {"revision": letter.revision})
    letter.refresh_from_db()
    assert letter.is_final


def test_finalise_clicked_twice_with_an_edit_is_one_finalisation_and_no_500(
    cast, letter, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.headteacher)
    form = {
        "recipient_name": letter.recipient_name,
        "recipient_address": letter.recipient_address,
        "recipient_email": "sian@example.org",
        "letter_date": "2026-11-23",
        "subject": letter.subject,
        "body": letter.body + "\n\nOne more sentence.",
        "quoted_post": letter.quoted_post,
        "action": "finalise",
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("letters:edit", args=[letter.pk]), form)
    again = client.post(reverse("letters:edit", args=[letter.pk]), form)
    assert first.url == again.url == reverse("letters:finalise", args=[letter.pk])
    letter.refresh_from_db()
    assert letter.revision == 2  # one edit applied, not two
    confirm = reverse("letters:finalise", args=[letter.pk])
    first = client.post(confirm, {"revision": letter.revision})
    second = client.post(confirm, {"revision": letter.revision}, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "already finalised" in second.content.decode()
    letter.refresh_from_db()
    assert letter.is_final and letter.body.endswith("One more sentence.")
    assert letter.incident.timeline.filter(summary__startswith="Letter finalised").count() == 1


def test_the_same_edit_sent_twice_is_applied_once(cast, letter):
    changed = actions.update_draft(letter=letter, by=cast.headteacher, subject="A new subject")
    again = actions.update_draft(letter=letter, by=cast.headteacher, subject="A new subject")
    assert changed.revision == again.revision == 2


def test_a_known_title_makes_the_letter_say_dear_mr_surname(cast, case):
    incident, step = case
    parent = incident.poster_parent or cast.parent
    parent.title, parent.full_name = "Mr", "Michael Da Silva"
    parent.save()
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.REMOVAL_REQUEST, by=cast.headteacher)
    assert letter.recipient_name == "Mr Michael Da Silva"
    assert letter.body.startswith("Dear Mr Da Silva,")


def test_without_a_title_the_letter_uses_the_full_name(letter):
    assert letter.body.startswith("Dear Siân O'Connor-Müller,")
