"""Bidirectional control characters never reach stored free text (they would flip a letter's text)."""

from __future__ import annotations

import importlib
import inspect

import pytest
from django import forms

from schoolsocial.lib.text import PlainTextMixin, strip_bidi_controls

RLO, PDF_MARK = "\u202e", "\u202c"
FORM_MODULES = [
    "accounts.forms",
    "agreements.forms",
    "complaints.forms",
    "incidents.forms",
    "incidents.letters.forms",
    "policies.forms",
]
# Sign-in and password forms: a password is taken exactly as typed.
EXEMPT = {"EmailAuthenticationForm", "QueuedPasswordResetForm", "NewPasswordForm", "CodeForm"}


def test_the_helper_removes_every_bidirectional_control():
    text = f"Mrs {RLO}txt.exe{PDF_MARK} \u2066isolated\u2069 \u200eLTR\u200f \u061c"
    assert strip_bidi_controls(text) == "Mrs txt.exe isolated LTR "
    assert strip_bidi_controls("Siân O'Connor-Müller, مرحبا") == "Siân O'Connor-Müller, مرحبا"


def test_every_form_that_takes_text_uses_the_helper():
    missing = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module_name or name in EXEMPT:
                continue
            if not issubclass(form, PlainTextMixin):
                missing.append(f"{module_name}.{name}")
    assert missing == []


@pytest.mark.django_db
def test_a_letter_and_a_case_note_are_stored_without_them(cast, client_for):
    from django.urls import reverse

    from incidents import actions
    from incidents.letters import actions as letter_actions
    from incidents.letters.models import LetterKind
    from incidents.models import Platform, TimelineEntry
    from tests.conftest import ensure_reference_data
    from tests.incidents.conftest import report_details

    ensure_reference_data()
    incident = actions.report(
        school=cast.school,
        reporter=cast.parent,
        role="parent",
        details=report_details(Platform.objects.get(name="Facebook")),
        natures=["complaint"],
        urls=["https://www.facebook.com/groups/123/posts/456"],
        staged=[],
    )
    letter = letter_actions.create_letter(incident=incident, step=None, kind=LetterKind.OUTCOME, by=cast.headteacher)
    client = client_for(cast.headteacher)
    response = client.post(
        reverse("letters:edit", args=[letter.pk]),
        {
            "recipient_name": f"Jo {RLO}tneraP{PDF_MARK}",
            "recipient_address": "1 Mill Lane",
            "recipient_email": "",
            "letter_date": "2026-03-09",
            "subject": "Outcome",
            "body": f"Dear parent, the post said {RLO}yrros{PDF_MARK}. We have reviewed it.",
            "quoted_post": "x",
            "action": "save",
        },
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.body == "Dear parent, the post said yrros. We have reviewed it."
    assert letter.recipient_name == "Jo tneraP"

    client.post(reverse("incidents:note_add", args=[incident.pk]), {"text": f"Called {RLO}the parent"})
    note = TimelineEntry.objects.filter(incident=incident).order_by("-pk").first()
    assert RLO not in note.summary + note.body and "the parent" in note.summary + note.body
