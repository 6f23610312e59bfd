"""The headteacher adjusts the school's wording for each kind of letter; each save is a version."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.letters import actions
from incidents.letters.models import LetterKind, LetterTemplate

pytestmark = pytest.mark.django_db


def test_the_headteacher_saves_a_new_version_of_the_wording(cast, case, client_for):
    client = client_for(cast.headteacher)
    listing = client.get(reverse("letters:wording_list")).content.decode()
    assert "Request to remove a post" in listing and "standard wording" in listing

    url = reverse("letters:wording_edit", args=[LetterKind.REMOVAL_REQUEST])
    page = client.get(url).content.decode()
    assert "{{ remove_by }}" in page  # the standard wording, ready to adjust

    body = "Dear {{ recipient_name }},\n\nPlease take down the post about {{ child_name }} by {{ remove_by }}."
    response = client.post(url, {"subject": "Please take the post down", "body": body, "change_note": "Shorter"})
    assert response.status_code == 302
    saved = LetterTemplate.objects.get(school=cast.school, kind=LetterKind.REMOVAL_REQUEST)
    assert (saved.version, saved.change_note, saved.created_by) == (1, "Shorter", cast.headteacher)
    assert "version 1" in client.get(reverse("letters:wording_list")).content.decode()

    incident, step = case
    letter = actions.create_letter(incident=incident, step=step, kind=LetterKind.REMOVAL_REQUEST, by=cast.headteacher)
    assert letter.subject == "Please take the post down"
    assert letter.body.endswith(f"about Alex Other by {step.due_date.day} {step.due_date:%B %Y}.")
    # Another school's letters are untouched by this school's wording.
    assert not LetterTemplate.objects.filter(school=cast.other_school).exists()


def test_a_blank_that_does_not_exist_is_explained_and_the_text_kept(cast, client_for):
    client = client_for(cast.headteacher)
    url = reverse("letters:wording_edit", args=[LetterKind.WRITTEN_WARNING])
    body = "Dear {{ recipient_name }}, about {{ home_address }}."
    response = client.post(url, {"subject": "Warning", "body": body})
    assert response.status_code == 200
    page = response.content.decode()
    assert "These blanks are not available: {{ home_address }}" in page
    assert "about {{ home_address }}." in page  # what was typed is kept

    body = "Dear {{ recipient_name }}, about {{ settings.SECRET_KEY }} and {% now 'Y' %}."
    page = client.post(url, {"subject": "Warning", "body": body}).content.decode()
    assert "Curly brackets and percent signs may only be used for the blanks" in page
    assert "{{ settings.SECRET_KEY }} and {% now &#x27;Y&#x27; %}" in page
    assert not LetterTemplate.objects.exists()


@pytest.mark.parametrize("who", ["dsl", "staff", "governor", "office", "parent"])
def test_only_the_headteacher_changes_the_wording(cast, client_for, who):
    client = client_for(getattr(cast, who))
    assert client.get(reverse("letters:wording_list")).status_code == 404
    url = reverse("letters:wording_edit", args=[LetterKind.WRITTEN_WARNING])
    assert client.post(url, {"subject": "x", "body": "y"}).status_code == 404
    assert not LetterTemplate.objects.exists()


def test_an_unknown_kind_is_404(cast, client_for):
    assert client_for(cast.headteacher).get(reverse("letters:wording_edit", args=["poem"])).status_code == 404


@pytest.mark.parametrize(
    "body",
    ["Dear {{{ child_name }}, x", "Dear {{ child_name }}}} and {{{{ platform }}", "Dear {{ child_name  x"],
)
def test_a_wording_the_engine_cannot_compile_is_refused_on_the_page(cast, case, client_for, body):
    client = client_for(cast.headteacher)
    url = reverse("letters:wording_edit", args=[LetterKind.REMOVAL_REQUEST])
    response = client.post(url, {"subject": "Please take the post down", "body": body})
    assert response.status_code == 200
    assert "Curly brackets and percent signs may only be used for the blanks" in response.content.decode()
    assert not LetterTemplate.objects.exists()
    # And so every new letter of that kind can still be drafted.
    incident, step = case
    response = client.post(reverse("letters:new", args=[incident.pk]), {"kind": LetterKind.REMOVAL_REQUEST})
    assert response.status_code == 302


def test_a_stored_wording_that_cannot_be_rendered_falls_back_to_the_standard_one(cast, case, client_for):
    # A wording saved before the engine's own check existed (or written straight to the database).
    LetterTemplate.objects.create(
        school=cast.school,
        kind=LetterKind.REMOVAL_REQUEST,
        version=1,
        subject="Please take the post down",
        body="Dear {{{ child_name }}, x",
        created_by=cast.headteacher,
    )
    incident, step = case
    client = client_for(cast.headteacher)
    response = client.post(
        reverse("letters:new", args=[incident.pk]), {"kind": LetterKind.REMOVAL_REQUEST, "step": step.pk}, follow=True
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The school&#x27;s own wording for this letter could not be used" in page
    letter = incident.letters.get()
    assert letter.template is None
    assert letter.subject == "Please remove your post about the school"
    assert letter.body.startswith("Dear ")
    assert "{{" not in letter.body and "Our reference for this matter is" in letter.body
