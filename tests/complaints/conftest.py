"""Builders for complaint tests."""

from __future__ import annotations

import io
import itertools
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from complaints import actions
from complaints.models import Complaint
from incidents.models import Incident, IncidentNature, IncidentPupil, Platform, PosterKind
from schoolsocial.lib.uploads import inspect_upload

_numbers = itertools.count(1)


def png_upload(name: str = "screenshot.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 90, 160)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def raise_complaint(cast, *, parent=None, pupil=None, subject="Playground incident", files=(), **extra) -> Complaint:
    parent = parent or cast.parent
    pupil = pupil if pupil is not None else (cast.child if parent == cast.parent else None)
    return actions.raise_complaint(
        school=cast.school,
        parent=parent,
        pupil=pupil,
        subject=subject,
        details=extra.get("details", f"{cast.child.first_name} was upset after a group chat about her."),
        desired_outcome=extra.get("desired_outcome", "A meeting with the class teacher."),
        files=[(f, inspect_upload(f)) for f in files],
    )


def to_panel(complaint: Complaint, by) -> Complaint:
    complaint = actions.move_stage(
        complaint=complaint, by=by, stage="formal", reason="The informal stage did not settle it."
    )
    return actions.move_stage(complaint=complaint, by=by, stage="panel", reason="You asked for a governors' panel.")


def make_incident(school, reporter, *, created: datetime, platform: str = "Facebook", natures=(), **fields) -> Incident:
    """An incident row made directly (no emails, no timeline), for counting tests. `poster_pupil`
    links that pupil as the one who posted (a pupil poster) or the poster's child; `pupils` is a
    list of (pupil, role) links."""
    number = next(_numbers)
    links = list(fields.pop("pupils", []))
    if (poster_pupil := fields.pop("poster_pupil", None)) is not None:
        role = "poster" if fields.get("poster_kind") == PosterKind.PUPIL else "poster_child"
        links.insert(0, (poster_pupil, role))
    incident = Incident(
        school=school,
        reporter=reporter,
        reporter_role="staff",
        reference=f"{school.short_code}-T-{number:05d}",
        year=created.year,
        number=number,
        platform=Platform.objects.get(name=platform),
        seen_at=created,
        content="A post about the school.",
        poster_kind=PosterKind.UNKNOWN,
        created_at=created,
        **fields,
    )
    incident.save()
    for code in natures:
        IncidentNature.objects.create(incident=incident, nature=code)
    for pupil, role in links:
        IncidentPupil.objects.create(incident=incident, pupil=pupil, role=role)
    return incident


def aware(*args) -> datetime:
    return timezone.make_aware(datetime(*args))
