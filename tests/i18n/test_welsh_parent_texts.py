"""The texts added since the first Welsh pass: the parent's report form in steps and the
deadline-passed email, read in Welsh by a parent who chose Cymraeg."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from complaints import actions
from notifications.models import Notification
from tests.complaints.conftest import raise_complaint

from .test_welsh import welsh_parent

pytestmark = pytest.mark.django_db


def test_the_report_steps_and_choices_are_in_welsh(cast, client_for):
    page = welsh_parent(cast, client_for).get(reverse("incidents:report")).content.decode()
    for welsh in ("Beth welsoch chi?", "Pa ap neu wefan?", "Seiberfwlio", "Rhiant neu ofalwr", "Dwi ddim yn gwybod"):
        assert welsh in page
    for english in ("What did you see?", "Which app or website?", "Cyber-bullying", "A parent or carer"):
        assert english not in page


def test_the_deadline_passed_email_is_in_welsh(cast, django_capture_on_commit_callbacks):
    cast.parent.language = "cy"
    cast.parent.save(update_fields=["language"])
    complaint = raise_complaint(cast)
    with django_capture_on_commit_callbacks(execute=True):
        actions.run_deadline_sweep(today=complaint.next_due_on + timedelta(days=1))
    email = Notification.objects.get(template="complaint-deadline-passed", to=[cast.parent.email])
    assert "wedi mynd heibio'r dyddiad a roddon ni" in email.subject
    assert "Dywedon ni y bydden ni'n cydnabod eich cwyn" in email.body_text
    assert '<html lang="cy">' in email.body_html and "We said" not in email.body_html
