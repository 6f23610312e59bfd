"""The police or legal bundle names the identified poster and the linked pupil, and says so on its
first page; the governors' panel bundle built from the same incident stays anonymised."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import pytest

from complaints import actions as complaint_actions
from complaints.panel import build_bundle
from incidents.letters import actions
from incidents.letters.models import EvidenceBundle
from tests.complaints.conftest import raise_complaint, to_panel

pytestmark = pytest.mark.django_db


def pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "chronology.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return text.split("\f")


def chronology_of(bundle: EvidenceBundle, reference: str) -> bytes:
    with bundle.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return archive.read(f"{reference}-chronology.pdf")


def test_the_police_chronology_names_the_poster_and_the_pupil_and_says_so_first(
    cast, case, tmp_path, django_capture_on_commit_callbacks
):
    incident, _ = case
    with django_capture_on_commit_callbacks(execute=True):
        bundle = actions.request_bundle(incident=incident, by=cast.headteacher)
    bundle.refresh_from_db()
    pages = pdf_pages(chronology_of(bundle, incident.reference), tmp_path)
    first = " ".join(pages[0].split())
    assert "For the police or the school's legal advisers" in first
    assert "names the person the school identified as the poster and the pupil linked to the case" in first
    assert "Siân O'Connor-Müller, a parent or carer (certain)" in first
    assert "Alex Other, Otters (the poster's child)" in first


def test_a_chronology_without_an_identified_poster_says_they_are_not_named(
    cast, case, tmp_path, django_capture_on_commit_callbacks
):
    incident, _ = case
    incident.poster_parent = None
    incident.save(update_fields=["poster_parent"])
    incident.pupil_links.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        bundle = actions.request_bundle(incident=incident, by=cast.headteacher)
    bundle.refresh_from_db()
    first = " ".join(pdf_pages(chronology_of(bundle, incident.reference), tmp_path)[0].split())
    assert "not identified by name" in first and "Alex Other" not in first


def test_the_governors_bundle_of_the_same_incident_names_neither(cast, case):
    incident, _ = case
    complaint = raise_complaint(cast)
    complaint = complaint_actions.link_incident(complaint=complaint, by=cast.headteacher, incident=incident)
    complaint = to_panel(complaint, cast.headteacher)
    shown = repr(build_bundle(complaint))
    assert incident.reference in shown
    for name in ("Siân", "O'Connor-Müller", "Alex Other"):
        assert name not in shown


def test_the_police_chronology_names_every_linked_pupil_with_their_part_and_the_panel_bundle_none(
    cast, case, tmp_path, django_capture_on_commit_callbacks
):
    from accounts.models import SchoolClass
    from incidents.models import IncidentPupil
    from tests.factories import make_pupil

    incident, _ = case
    badgers = SchoolClass.objects.create(school=cast.school, name="Badgers", year_group="Year 4")
    noor = make_pupil(cast.school, badgers, first="Noor", last="Haddad")
    IncidentPupil.objects.create(incident=incident, pupil=noor, role="targeted")
    IncidentPupil.objects.create(incident=incident, pupil=cast.child, role="in_post")
    with django_capture_on_commit_callbacks(execute=True):
        bundle = actions.request_bundle(incident=incident, by=cast.headteacher)
    bundle.refresh_from_db()
    first = " ".join(pdf_pages(chronology_of(bundle, incident.reference), tmp_path)[0].split())
    assert "names the person the school identified as the poster and the pupils linked to the case" in first
    assert "Pupils linked Alex Other, Otters (the poster's child)" in first
    assert "Mia Parent, Otters (a child in the post)" in first and "Noor Haddad, Badgers (the child targeted)" in first
    complaint = raise_complaint(cast)
    complaint = complaint_actions.link_incident(complaint=complaint, by=cast.headteacher, incident=incident)
    shown = repr(build_bundle(to_panel(complaint, cast.headteacher)))
    for name in ("Noor", "Haddad", "Mia Parent", "Alex Other"):
        assert name not in shown, name
