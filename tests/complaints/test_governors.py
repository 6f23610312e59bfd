"""Governors: conflict declarations, the anonymised bundle, released files, the panel decision."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AccessLog, Role
from complaints import actions
from complaints.models import ConflictDeclaration, PanelRecord, Stage
from tests.factories import make_user

from .conftest import png_upload, raise_complaint, to_panel


def panel_complaint(cast, **kwargs):
    complaint = raise_complaint(cast, files=[png_upload("chat.png")], **kwargs)
    actions.add_note(complaint=complaint, by=cast.headteacher, text="Internal: staff member spoken to.")
    actions.respond(complaint=complaint, by=cast.headteacher, message="Mia's teacher will call you.", final=True)
    return to_panel(complaint, cast.headteacher)


def test_governors_see_only_complaints_that_reached_the_panel(cast, client_for):
    early = raise_complaint(cast, subject="Still informal")
    complaint = panel_complaint(cast)
    client = client_for(cast.governor)
    page = client.get(reverse("complaints:governor_list")).content.decode()
    assert complaint.reference in page and early.reference not in page
    assert client.get(reverse("complaints:declare", args=[early.pk])).status_code == 404
    # Another school's governor sees nothing.
    other_governor = make_user(cast.other_school, Role.GOVERNOR)
    assert client_for(other_governor).get(reverse("complaints:declare", args=[complaint.pk])).status_code == 404


def test_the_bundle_needs_a_declaration_first(cast, client_for):
    complaint = panel_complaint(cast)
    client = client_for(cast.governor)
    assert client.get(reverse("complaints:panel_bundle", args=[complaint.pk])).status_code == 404
    response = client.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "no"})
    assert response.status_code == 302
    assert client.get(reverse("complaints:panel_bundle", args=[complaint.pk])).status_code == 200
    assert ConflictDeclaration.objects.get().has_conflict is False
    assert AccessLog.objects.filter(action="panel-bundle", object_id=str(complaint.pk)).exists()


def test_a_declared_conflict_withholds_the_complaint(cast, client_for):
    complaint = panel_complaint(cast)
    client = client_for(cast.governor)
    client.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "yes", "details": "Neighbour"})
    assert client.get(reverse("complaints:panel_bundle", args=[complaint.pk])).status_code == 404
    # Declaring again cannot undo it.
    client.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "no"})
    assert client.get(reverse("complaints:panel_bundle", args=[complaint.pk])).status_code == 404
    assert ConflictDeclaration.objects.get().has_conflict is True
    file = complaint.attachments.get()
    actions.release_attachment(attachment=file, by=cast.headteacher)
    assert client.get(reverse("complaints:attachment", args=[file.pk])).status_code == 404
    assert "Conflict declared" in client.get(reverse("complaints:governor_list")).content.decode()


def test_governors_never_get_a_childs_name_or_a_file_unless_released(cast, client_for):
    complaint = panel_complaint(cast)
    client = client_for(cast.governor)
    client.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "no"})
    page = client.get(reverse("complaints:panel_bundle", args=[complaint.pk])).content.decode()
    assert "Mia" not in page and cast.child.full_name not in page
    assert "Pupil A" in page
    assert "Internal: staff member" not in page
    assert "1 file withheld" in page
    file = complaint.attachments.get()
    assert client.get(reverse("complaints:attachment", args=[file.pk])).status_code == 404

    actions.release_attachment(attachment=file, by=cast.headteacher)
    actions.release_names(complaint=complaint, by=cast.headteacher)
    page = client.get(reverse("complaints:panel_bundle", args=[complaint.pk])).content.decode()
    assert "Mia" in page and "released to the governors" in page
    response = client.get(reverse("complaints:attachment", args=[file.pk]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"


def test_release_is_only_for_the_headteacher(cast, client_for):
    complaint = panel_complaint(cast)
    client = client_for(cast.governor)
    response = client.post(reverse("complaints:release_names", args=[complaint.pk]))
    assert response.status_code == 404
    complaint.refresh_from_db()
    assert complaint.names_released_at is None


DECISION = {
    "meeting_date": None,
    "members": "Geoff Governor\nRuth Chair",
    "decision": "partly_upheld",
    "reasons": "The school responded late at the informal stage.",
}


def _record_decision(cast, client, complaint, capture):
    with capture(execute=True):
        return client.post(
            reverse("complaints:panel_bundle", args=[complaint.pk]),
            {**DECISION, "meeting_date": timezone.localdate().isoformat()},
        )


def test_the_panel_records_its_decision_and_checks_signs_and_sends_the_letter(
    cast, client_for, django_capture_on_commit_callbacks
):
    cast.parent.title = "Ms"
    cast.parent.postal_address = "4 Mill Lane\nNorthbrook\nNB1 2CD"
    cast.parent.save()
    complaint = panel_complaint(cast)
    client = client_for(cast.governor)
    client.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "no"})
    mail.outbox.clear()
    response = _record_decision(cast, client, complaint, django_capture_on_commit_callbacks)
    draft_url = reverse("complaints:panel_letter_draft", args=[complaint.pk])
    assert response.status_code == 302 and response.url == draft_url
    record = PanelRecord.objects.get()
    complaint.refresh_from_db()
    assert complaint.stage == Stage.CLOSED
    # Nothing has gone to the parent yet: the letter is a draft the chair checks first.
    assert not record.letter and not [m for m in mail.outbox if m.attachments]
    page = client.get(draft_url).content.decode()
    assert "Dear Ms Parent," in page and "partly upheld" in page and "responded late" in page
    assert "Geoff Governor" in page  # the governor who recorded it signs by default

    client.post(
        draft_url,
        {
            "letter_body": record.letter_body + "\n\nWe are sorry for the delay you experienced.",
            "signatory_name": "Ruth Chair",
            "signatory_role": "Chair of governors",
        },
    )
    # Finalising needs the confirmation box: without it nothing is sent.
    assert client.post(draft_url, {"finalise": "1"}).status_code == 400
    assert not PanelRecord.objects.get().letter_is_final
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(draft_url, {"finalise": "1", "confirm": "on"})
    assert response.status_code == 302
    record = PanelRecord.objects.get()
    assert record.letter_is_final and record.letter and len(record.letter_sha256) == 64
    text = " ".join("".join(page.extract_text() for page in PdfReader(record.letter.open("rb")).pages).split())
    assert "partly upheld" in text and "responded late" in text and "sorry for the delay" in text
    # The school's letterhead and layout, like the headteacher's letters; the chair signs.
    assert "PRIVATE AND CONFIDENTIAL" in text and "4 Mill Lane" in text and "Dear Ms Parent," in text
    assert "Ruth Chair Chair of governors, on behalf of the governors' panel of Northbrook Primary School" in text
    assert "DRAFT" not in text
    letter_mail = [m for m in mail.outbox if m.attachments]
    assert len(letter_mail) == 1 and letter_mail[0].to == [cast.parent.email]

    # A second finalise, or an edit after it, changes nothing and sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(draft_url, {"finalise": "1", "confirm": "on"})
        client.post(draft_url, {"letter_body": "Changed", "signatory_name": "X", "signatory_role": "Y"})
    assert PanelRecord.objects.get().letter_body.endswith("sorry for the delay you experienced.")
    assert len([m for m in mail.outbox if m.attachments]) == 1

    assert client.get(reverse("complaints:panel_letter", args=[complaint.pk])).status_code == 200
    assert client_for(cast.headteacher).get(reverse("complaints:panel_letter", args=[complaint.pk])).status_code == 200
    assert client_for(cast.parent).get(reverse("complaints:panel_letter", args=[complaint.pk])).status_code == 404
    page = client_for(cast.parent).get(reverse("complaints:my_complaint", args=[complaint.pk])).content.decode()
    assert "partly upheld" in page


def test_only_a_governor_cleared_for_the_panel_edits_the_letter(cast, client_for, django_capture_on_commit_callbacks):
    complaint = panel_complaint(cast)
    governor = client_for(cast.governor)
    governor.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "no"})
    _record_decision(cast, governor, complaint, django_capture_on_commit_callbacks)
    draft_url = reverse("complaints:panel_letter_draft", args=[complaint.pk])
    edit = {"letter_body": "Tampered", "signatory_name": "X", "signatory_role": "Y"}
    for user in (cast.headteacher, cast.parent, cast.staff, cast.other_headteacher):
        client = client_for(user)
        assert client.get(draft_url).status_code == 404
        assert client.post(draft_url, edit).status_code == 404
        assert client.post(draft_url, {"finalise": "1", "confirm": "on"}).status_code == 404
    record = PanelRecord.objects.get()
    assert record.letter_body != "Tampered" and not record.letter_is_final


def test_a_letter_without_text_or_signatory_cannot_be_finalised(cast, client_for, django_capture_on_commit_callbacks):
    complaint = panel_complaint(cast)
    client = client_for(cast.governor)
    client.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "no"})
    _record_decision(cast, client, complaint, django_capture_on_commit_callbacks)
    record = PanelRecord.objects.get()
    PanelRecord.objects.filter(pk=record.pk).update(signatory_name="")
    draft_url = reverse("complaints:panel_letter_draft", args=[complaint.pk])
    assert "Say who signs the letter." in client.get(draft_url).content.decode()
    response = client.post(draft_url, {"finalise": "1", "confirm": "on"})
    assert response.status_code == 400 and "Say who signs the letter." in response.content.decode()
    assert not PanelRecord.objects.get().letter_is_final


def test_a_future_meeting_date_is_refused(cast, client_for):
    complaint = panel_complaint(cast)
    client = client_for(cast.governor)
    client.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "no"})
    response = client.post(
        reverse("complaints:panel_bundle", args=[complaint.pk]),
        {
            "meeting_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "members": "A",
            "decision": "upheld",
            "reasons": "Typed reasons",
        },
    )
    assert response.status_code == 400 and "Typed reasons" in response.content.decode()
    assert not PanelRecord.objects.exists()


def test_the_bundle_shows_the_letters_sent_about_the_linked_incident_with_names_replaced(cast, client_for):
    from incidents.letters import actions as letter_actions
    from incidents.letters.models import LetterKind
    from tests.letters.builders import make_case

    incident, step = make_case(cast)
    letter = letter_actions.create_letter(
        incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher
    )
    letter_actions.finalise(letter=letter, by=cast.headteacher)
    draft = letter_actions.create_letter(incident=incident, step=step, kind=LetterKind.OUTCOME, by=cast.headteacher)
    complaint = panel_complaint(cast)
    actions.link_incident(complaint=complaint, by=cast.headteacher, incident=incident)
    assert cast.other_child.full_name in letter.body

    client = client_for(cast.governor)
    client.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "no"})
    page = client.get(reverse("complaints:panel_bundle", args=[complaint.pk])).content.decode()
    assert "Letters the school sent" in page
    assert "Written warning · Written warning about a social media post" in page
    assert draft.subject not in page  # drafts were never sent
    assert cast.other_child.first_name not in page and "Pupil" in page
