""" "Make it again" on the other rendered PDFs: a governors' report and a policy version's PDF
whose render failed are offered again, two clicks make one, and other schools get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import TermlyReport
from files import renders
from files.models import RenderJob
from tests.policies.helpers import approved_policy

pytestmark = pytest.mark.django_db


def broken(*args, **kwargs):
    raise RuntimeError("The PDF engine stopped")


def test_a_failed_governors_report_is_made_again_once(
    cast, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    import complaints.tasks

    real = complaints.tasks.render_pdf
    monkeypatch.setattr(complaints.tasks, "render_pdf", broken)
    client = client_for(cast.headteacher)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("complaints:report_request"), {"period_start": "2026-01-01", "period_end": "2026-03-31"})
    report = TermlyReport.objects.get()
    assert renders.job_for(report).state == RenderJob.State.FAILED
    assert "Make it again" in client.get(reverse("complaints:reports")).content.decode()

    url = reverse("complaints:report_again", args=[report.pk])
    made: list[int] = []
    monkeypatch.setattr(complaints.tasks, "render_pdf", lambda *a, **k: made.append(1) or real(*a, **k))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 302
    report.refresh_from_db()
    assert report.pdf and made == [1]
    assert "Make it again" not in client.get(reverse("complaints:reports")).content.decode()
    assert client_for(cast.other_headteacher).post(url).status_code == 404


def test_a_failed_policy_pdf_is_made_again_once(cast, client_for, monkeypatch, django_capture_on_commit_callbacks):
    import policies.tasks

    real = policies.tasks.render_pdf
    monkeypatch.setattr(policies.tasks, "render_pdf", broken)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        version = approved_policy(cast.school, cast.headteacher)
    version.refresh_from_db()
    assert not version.pdf and renders.job_for(version).state == RenderJob.State.FAILED
    client = client_for(cast.headteacher)
    assert "Make it again" in client.get(version.get_absolute_url()).content.decode()

    url = reverse("policies:version_pdf_again", args=[version.document_id, version.number])
    made: list[int] = []
    monkeypatch.setattr(policies.tasks, "render_pdf", lambda *a, **k: made.append(1) or real(*a, **k))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 302
    version.refresh_from_db()
    assert version.pdf and made == [1]
    assert client_for(cast.other_headteacher).post(url).status_code == 404
