"""Plain-text emails and subjects read as typed; only the HTML part is escaped.

Every kind of email (every template trio in templates/emails/) is rendered with names that hold an
apostrophe, an ampersand and quotes, as real names and subjects do ("Patrick O'Neill", "Year 5 & 6
"trip"").
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from schoolsocial.lib.email import render_email

NAME = 'Patrick O\'Neill & "Sons" <b>'
EMAIL_TEMPLATES = Path(settings.BASE_DIR) / "templates" / "emails"
KINDS = sorted(path.name.removesuffix("-subject.txt") for path in EMAIL_TEMPLATES.glob("*-subject.txt"))
DATE_FIELD = re.compile(r"(_by|_on|_at|_date)$")
ESCAPES = ("&#x27;", "&#39;", "&amp;", "&quot;", "&lt;", "&gt;")


class Anything:
    """Stands for every object an email is given: each name, attribute, item and list entry is the
    same hostile name, so every value an email prints is that name (dates excepted: a date)."""

    def __str__(self) -> str:
        return NAME

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if DATE_FIELD.search(name):
            return datetime.date(2026, 3, 9)
        return self

    def __getitem__(self, key):
        return self.__getattr__(key) if isinstance(key, str) else self

    def __iter__(self):
        return iter([self])

    def __len__(self) -> int:
        return 1


TAG = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}")
NAME_IN_TAG = re.compile(r"(?<![.|:\w\"'])([a-z_][a-z0-9_]*)")
KEYWORDS = {"if", "elif", "else", "endif", "for", "endfor", "in", "not", "and", "or", "url", "forloop"}


def every_name(kind: str) -> dict:
    """Each name the email's three templates read, given the hostile value."""
    names = set()
    for path in EMAIL_TEMPLATES.glob(f"{kind}-*"):
        for match in TAG.finditer(path.read_text()):
            inside = re.sub(r"\"[^\"]*\"|'[^']*'", "", match.group(1) or match.group(2))
            names.update(NAME_IN_TAG.findall(inside))
    return {name: Anything() for name in names - KEYWORDS}


def test_every_email_kind_is_covered():
    assert len(KINDS) >= 20
    for kind in KINDS:
        for part in ("-body.txt", "-body.html"):
            assert (EMAIL_TEMPLATES / f"{kind}{part}").exists(), f"{kind}{part} is missing"


@pytest.mark.parametrize("kind", KINDS)
def test_plain_text_parts_are_not_escaped_and_the_html_part_is(kind):
    context = every_name(kind)
    subject, text, html = render_email(kind, context)
    if "{{" in (EMAIL_TEMPLATES / f"{kind}-subject.txt").read_text():
        assert 'O\'Neill & "Sons" <b>' in subject
    assert 'O\'Neill & "Sons" <b>' in text
    for escape in ESCAPES:
        assert escape not in subject, (kind, subject)
        assert escape not in text.replace(NAME, ""), (kind, text)
    assert "O&#x27;Neill &amp; &quot;Sons&quot; &lt;b&gt;" in html
    assert NAME not in html


def test_no_text_template_turns_escaping_off_itself():
    for path in EMAIL_TEMPLATES.glob("*.txt"):
        assert "autoescape" not in path.read_text(), path.name


@pytest.mark.django_db
def test_a_password_reset_greets_the_person_by_their_own_name(cast, client, django_capture_on_commit_callbacks):
    cast.parent.full_name = "D'Arcy O'Neill"
    cast.parent.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": cast.parent.email})
    [message] = mail.outbox
    assert "Hello D'Arcy," in message.body
    assert "Hello D&#x27;Arcy," in message.alternatives[0][0]


@pytest.mark.django_db
def test_an_invitation_names_the_parent_and_school_as_written(cast, django_capture_on_commit_callbacks):
    from accounts import actions

    cast.school.name = "St Mary's & St John's Primary"
    cast.school.save()
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite_parent(
            school=cast.school,
            created_by=cast.office,
            full_name="Patrick O'Neill",
            email="patrick@example.org",
            relationship="father",
            pupils=[cast.child],
        )
    [message] = mail.outbox
    assert message.subject == "St Mary's & St John's Primary: set up your schoolsocial account"
    assert "Dear Patrick O'Neill," in message.body
    assert "St Mary&#x27;s &amp; St John&#x27;s Primary" in message.alternatives[0][0]
