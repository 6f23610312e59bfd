"""Destroying a case leaves nothing of it: no row in any table (history tables included), no
stored file; only a destruction-log line, and the anonymised figures keep their counts."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import ParentLink, Pupil
from agreements import actions as agreement_actions
from agreements.uploads import scan_from_staged
from complaints import actions as complaint_actions
from complaints import hearing as complaint_hearing
from complaints import statistics as complaint_statistics
from dataprotection import actions, destruction
from dataprotection.models import DestructionLog, KeptFigures, ReviewItem
from files import staging
from incidents import actions as incident_actions
from incidents import statistics
from incidents.letters import actions as letter_actions
from incidents.letters.models import EvidenceBundle, Letter, LetterKind
from incidents.models import Evidence, Incident, Nature, PosterKind, StepKind
from notifications.models import Notification
from schoolsocial.lib.uploads import inspect_upload
from tests.agreements.conftest import CONTENT, DETAILS, png_upload
from tests.agreements.conftest import sign as sign_online
from tests.complaints.conftest import png_upload as complaint_png
from tests.complaints.conftest import to_panel
from tests.factories import make_pupil
from tests.incidents.conftest import image_bytes, report_details

FIRST, LAST = "Zephyrine", "Quaglia"
POST_WORDS = "purple walrus lantern"
NEEDLES = [FIRST, LAST, POST_WORDS]


def tables_containing(needle: str) -> list[str]:
    """Every table and column (history tables included) whose text holds `needle`."""
    hits = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE CAST({quote(column.name)} AS TEXT) LIKE %s",  # noqa: S608
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column.name}")
    return hits


def file_texts(root: Path) -> dict[str, bytes]:
    """Every stored file's bytes, with the text inside PDFs and ZIPs added, so a compressed PDF
    stream cannot hide a name."""
    found = {}
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        extra = b""
        if data.startswith(b"%PDF"):
            extra = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages).encode()
        elif data.startswith(b"PK"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    inner = archive.read(member)
                    extra += inner
                    if inner.startswith(b"%PDF"):
                        extra += "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(inner)).pages).encode()
        found[str(path.relative_to(root))] = data + extra
    return found


def published(cast, introduction: str):
    draft = agreement_actions.start_draft(
        school=cast.school, by=cast.headteacher, **{**CONTENT, "introduction": introduction}
    )
    return agreement_actions.publish(draft, by=cast.headteacher)


@pytest.fixture
def closed_case(cast, facebook, client_for, django_capture_on_commit_callbacks, dpo):
    """A case about Zephyrine, seen through every app, closed seven years ago; she has left."""
    with django_capture_on_commit_callbacks(execute=True):  # each block's queued work runs as on commit
        child = make_pupil(cast.school, cast.school_class, first=FIRST, last=LAST, parent=cast.parent)
        evidence_bytes = image_bytes(size=(57, 43), color=(11, 222, 33))
        token = uuid.uuid4()
        shot = SimpleUploadedFile("zephyrine-post.png", evidence_bytes, content_type="image/png")
        staged = staging.stage(
            school=cast.school, user=cast.staff, form_token=token, upload=shot, facts=inspect_upload(shot)
        )
        incident = incident_actions.report(
            school=cast.school,
            reporter=cast.staff,
            role="staff",
            details=report_details(
                facebook,
                content=f"{FIRST} {LAST} in Otters is a {POST_WORDS}, pass it on",
                targeted=f"{FIRST} {LAST}",
                pupils_identifiable=True,
            ),
            natures=[Nature.CYBERBULLYING],
            urls=["https://www.facebook.com/groups/123/posts/456"],
            staged=[staged],
        )
        incident = incident_actions.triage(
            incident=incident,
            by=cast.headteacher,
            severity="high",
            natures=[Nature.CYBERBULLYING],
            poster_kind=PosterKind.PARENT,
            owner=cast.headteacher,
            poster_parent=cast.other_parent,
            pupil_links=[(child, "poster_child")],
        )
        step = incident_actions.add_step(
            incident=incident, by=cast.headteacher, kind=StepKind.WRITTEN_WARNING, due_date=timezone.localdate()
        )
        incident_actions.add_note(
            incident=incident, by=cast.headteacher, text=f"Spoke to {FIRST}'s mum about the {POST_WORDS} post"
        )
        letter = letter_actions.create_letter(
            incident=incident, step=step, kind=LetterKind.WRITTEN_WARNING, by=cast.headteacher
        )
        letter = letter_actions.update_draft(
            letter=letter,
            by=cast.headteacher,
            body=f"Your post about {FIRST} {LAST} must come down.\n\nIt called her a {POST_WORDS}.",
        )
        letter = letter_actions.finalise(letter=letter, by=cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        letter_actions.email_letter(
            letter=Letter.objects.get(pk=letter.pk), by=cast.headteacher, to="sam.other@example.org"
        )
        letter_actions.request_bundle(incident=incident, by=cast.headteacher)

        complaint = complaint_actions.raise_complaint(
            school=cast.school,
            parent=cast.parent,
            pupil=child,
            subject=f"The {POST_WORDS} post",
            details=f"{FIRST} has been crying since the {POST_WORDS} post.",
            desired_outcome="Make them take it down.",
            files=[(f, inspect_upload(f)) for f in [complaint_png("crying.png")]],
        )
        complaint_actions.link_incident(complaint=complaint, by=cast.headteacher, incident=incident)
        complaint = to_panel(complaint, cast.headteacher)
        complaint_actions.declare(complaint=complaint, governor=cast.governor, has_conflict=False)
        hearing = complaint_hearing.schedule_hearing(
            complaint=complaint,
            by=cast.governor,
            starts_at=timezone.now() + timedelta(days=9),
            place="The library",
            members=[cast.governor],
            notes_for_parent=f"{FIRST} is welcome to come with you.",
        )
        complaint_hearing.send_invitation(hearing=hearing, by=cast.governor)
        record = complaint_actions.record_panel_decision(
            complaint=complaint,
            by=cast.headteacher,
            meeting_date=timezone.localdate(),
            members="Geoff Governor",
            decision="upheld",
            reasons=f"The school acted quickly for {FIRST}.",
        )
        complaint_actions.finalise_panel_letter(record=record, by=cast.headteacher)

    with django_capture_on_commit_callbacks(execute=True):
        first_version = published(cast, "We ask every family to be kind online.")
        sign_online(cast, first_version, pupil=child)
        second_version = published(cast, "We ask every family to be kind online, and to come to us first.")
        link = ParentLink.objects.get(pupil=child)
        agreement_actions.record_paper_signature(
            link=link,
            recorded_by=cast.office,
            signer_name="J. Parent",
            signed_on=timezone.localdate(),
            scan=_staged_scan(cast),
            request_details=DETAILS,
        )
    assert second_version.pk

    # People open the records, and the DPO looks up who did.
    client_for(cast.headteacher).get(reverse("incidents:detail", args=[incident.pk]))
    client_for(cast.office).get(reverse("accounts:pupil_detail", args=[child.pk]))
    client_for(dpo).get(reverse("dataprotection:access_log"), {"pupil": child.pk})

    with django_capture_on_commit_callbacks(execute=True):
        step.refresh_from_db()
        assert not step.is_pending  # emailing the warning letter completed its step as "sent"
        incident_actions.change_status(
            incident=Incident.objects.get(pk=incident.pk), by=cast.headteacher, status="resolved", reason="Post removed"
        )
        incident_actions.change_status(
            incident=Incident.objects.get(pk=incident.pk),
            by=cast.headteacher,
            status="closed",
            reason="Nothing more to do",
        )
    long_ago = timezone.now() - timedelta(days=365 * 7)
    Incident.objects.filter(pk=incident.pk).update(created_at=long_ago - timedelta(days=10), resolved_at=long_ago)

    child.is_on_roll = False
    child.save()
    Pupil.history.model.objects.filter(id=child.pk, is_on_roll=False).update(
        history_date=timezone.now() - timedelta(days=400)
    )
    assert EvidenceBundle.objects.get(incident=incident).file
    return incident, child, evidence_bytes


def test_destroying_the_case_and_the_pupil_leaves_no_trace(
    cast, closed_case, client_for, tmp_path, django_capture_on_commit_callbacks
):
    incident, child, evidence_bytes = closed_case
    incident = Incident.objects.get(pk=incident.pk)
    created_month = timezone.localtime(incident.created_at).date().replace(day=1)
    figures_before = statistics.compute_incident_figures(
        cast.school, [created_month], created_month + timedelta(days=31)
    )
    complaints_before = complaint_statistics.complaint_figures(cast.school)

    # The scan finds what it looks for, before destruction.
    for needle in NEEDLES:
        assert tables_containing(needle), needle
    stored = file_texts(tmp_path)
    assert any(evidence_bytes in data for data in stored.values())
    assert any(FIRST.encode() in data for data in stored.values())  # the letter PDF, the bundle

    actions.sweep_school(cast.school)
    items = {item.record_type: item for item in ReviewItem.objects.filter(school=cast.school)}
    assert set(items) >= {"incident", "pupil"}
    head = client_for(cast.headteacher)
    for kind in ("incident", "pupil"):
        with django_capture_on_commit_callbacks(execute=True):  # the files go once the destruction commits
            response = head.post(
                reverse("dataprotection:review_decide", args=[items[kind].pk]), {"decision": "destroy", "confirm": "on"}
            )
        assert response.status_code == 302, response.content.decode()[:2000]

    for needle in NEEDLES:
        assert tables_containing(needle) == [], needle
    assert tables_containing(evidence_bytes.hex()[:40]) == []
    for name, data in file_texts(tmp_path).items():
        assert evidence_bytes not in data, name
        for needle in NEEDLES:
            assert needle.encode() not in data, (name, needle)

    assert not Incident.objects.filter(pk=incident.pk).exists()
    assert not Evidence.objects.exists() and not Letter.objects.exists() and not EvidenceBundle.objects.exists()
    assert not Incident.history.filter(id=incident.pk).exists()
    assert not Notification.objects.filter(key__startswith=f"incident-dsl-alert:{incident.pk}").exists()

    # What remains: the log lines, with who and which rule, and the figures.
    entries = {entry.record_type: entry for entry in DestructionLog.objects.all()}
    assert entries["incident"].reference == incident.reference
    assert entries["incident"].authorised_by_name == "Aisha Head"
    assert entries["incident"].rule == "Other incidents: 6 years after the case is closed"
    assert entries["incident"].counts["files"] >= 4
    assert entries["pupil"].reference == f"Pupil record {child.pk}"
    assert KeptFigures.objects.get(school=cast.school, month=created_month).incidents == 1

    figures_after = statistics.compute_incident_figures(
        cast.school, [created_month], created_month + timedelta(days=31)
    )
    assert figures_after.total == figures_before.total == 1
    assert figures_after.by_nature == figures_before.by_nature
    assert figures_after.by_platform == figures_before.by_platform
    assert figures_after.routes == figures_before.routes
    assert figures_after.resolution == figures_before.resolution
    assert complaint_statistics.complaint_figures(cast.school) == complaints_before

    # The rest of the school is untouched.
    assert Pupil.objects.filter(pk=cast.child.pk).exists() and cast.parent.pk
    assert DestructionLog.objects.filter(school=cast.other_school).count() == 0


def test_an_open_case_or_a_pupil_back_on_roll_is_refused(cast, old_case, file_report):
    case = old_case(years=7)
    actions.sweep_school(cast.school)
    item = ReviewItem.objects.get(record_type="incident")
    incident_actions.change_status(incident=case, by=cast.headteacher, status="triaged")
    with pytest.raises(destruction.CannotDestroy):
        destruction.destroy_item(item=item, by=cast.headteacher)
    assert Incident.objects.filter(pk=case.pk).exists()
    assert not DestructionLog.objects.exists()


def test_a_month_of_access_log_goes_and_other_months_stay(cast):
    from accounts.models import AccessLog

    old = timezone.now() - timedelta(days=365 * 3)
    for at in (old, old, timezone.now()):
        AccessLog.objects.create(
            user=cast.office, school=cast.school, object_type="accounts.pupil", object_id="1", object_repr="x", at=at
        )
    actions.sweep_school(cast.school)
    item = ReviewItem.objects.get(record_type="access_log")
    destruction.destroy_item(item=item, by=cast.headteacher)
    assert AccessLog.objects.filter(school=cast.school).count() == 1
    assert DestructionLog.objects.get().counts["access log rows"] == 2 or DestructionLog.objects.get().counts


def test_the_destruction_log_keeps_no_content(cast, old_case):
    case = old_case(years=7, content=f"{POST_WORDS} again")
    actions.sweep_school(cast.school)
    destruction.destroy_item(item=ReviewItem.objects.get(), by=cast.headteacher)
    assert tables_containing(POST_WORDS) == []
    assert DestructionLog.objects.get().reference == case.reference
    assert date.today()


def _staged_scan(cast):
    """A paper form's scan as the office's form provides it: inspected, staged, checked again."""
    import uuid

    from files import staging
    from schoolsocial.lib.uploads import inspect_upload

    upload = png_upload()
    staged = staging.stage(
        school=cast.school, user=cast.office, form_token=uuid.uuid4(), upload=upload, facts=inspect_upload(upload)
    )
    return scan_from_staged(staged)
