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


def test_the_panel_records_its_decision_and_the_parent_gets_a_pdf_letter(
    cast, client_for, django_capture_on_commit_callbacks
):
    complaint = panel_complaint(cast)
    client = client_for(cast.governor)
    client.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "no"})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("complaints:panel_bundle", args=[complaint.pk]),
            {
                "meeting_date": timezone.localdate().isoformat(),
                "members": "Geoff Governor\nRuth Chair",
                "decision": "partly_upheld",
                "reasons": "The school responded late at the informal stage.",
            },
        )
    assert response.status_code == 302
    record = PanelRecord.objects.get()
    complaint.refresh_from_db()
    assert complaint.stage == Stage.CLOSED
    assert record.letter and len(record.letter_sha256) == 64
    text = "".join(page.extract_text() for page in PdfReader(record.letter.open("rb")).pages)
    assert "partly upheld" in text and "responded late" in text and "Ruth Chair" in text
    # Set out like the school's other letters: marked private, to the parent, signed off for the panel.
    assert "PRIVATE AND CONFIDENTIAL" in text and cast.parent.full_name in text
    assert "On behalf of the governors' panel of Northbrook Primary School" in text
    letter_mail = [m for m in mail.outbox if m.attachments]
    assert letter_mail and letter_mail[0].to == [cast.parent.email]
    assert client.get(reverse("complaints:panel_letter", args=[complaint.pk])).status_code == 200
    assert client_for(cast.headteacher).get(reverse("complaints:panel_letter", args=[complaint.pk])).status_code == 200
    assert client_for(cast.parent).get(reverse("complaints:panel_letter", args=[complaint.pk])).status_code == 404
    # The parent sees the decision.
    page = client_for(cast.parent).get(reverse("complaints:my_complaint", args=[complaint.pk])).content.decode()
    assert "partly upheld" in page


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
