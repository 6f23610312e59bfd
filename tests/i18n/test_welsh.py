"""Parents who choose Cymraeg read the portal and its emails in Welsh; staff pages keep working."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.actions import invite_parent
from accounts.models import Relationship
from agreements import actions as agreement_actions
from complaints.models import Complaint
from notifications.models import Notification
from tests.agreements.conftest import CONTENT
from tests.complaints.conftest import raise_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(cast):
    draft = agreement_actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    return agreement_actions.publish(draft, by=cast.headteacher)


def choose(client, language: str, next_url: str = "/"):
    """What the header's button does: a plain POST form, no JavaScript."""
    return client.post(reverse("accounts:set_language"), {"language": language, "next": next_url})


def welsh_parent(cast, client_for):
    client = client_for(cast.parent)
    response = choose(client, "cy", reverse("dashboard:home"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:home")
    return client


def test_the_header_offers_cymraeg_as_a_post_form_with_csrf(cast, client_for):
    page = client_for(cast.parent).get(reverse("dashboard:home")).content.decode()
    form = re.search(r'<form class="language-menu[^"]*" method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form and form.group(1) == reverse("accounts:set_language")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert 'name="language" value="cy" lang="cy">Cymraeg</button>' in form.group(2)
    assert '<html lang="en-GB">' in page


def test_the_switch_needs_no_javascript_and_is_remembered(cast, client_for):
    client = welsh_parent(cast, client_for)
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    cast.parent.refresh_from_db()
    assert cast.parent.language == "cy"
    page = client.get(reverse("dashboard:home")).content.decode()
    assert '<html lang="cy">' in page
    assert "Adrodd am bostiad" in page and "Yn poeni am rywbeth ar-lein?" in page
    assert "Polisïau&#x27;r ysgol" in page or "Polisïau'r ysgol" in page
    assert 'value="en-gb" lang="en-GB">English</button>' in page  # and the way back
    choose(client, "en-gb")
    assert "Report a post" in client.get(reverse("dashboard:home")).content.decode()


def test_the_csrf_token_is_required(cast, client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:set_language"), {"language": "cy", "next": "/"})
    assert response.status_code == 403


def test_an_outside_next_address_is_not_followed(cast, client_for):
    response = choose(client_for(cast.parent), "cy", "https://evil.example/")
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_a_stored_choice_follows_the_parent_to_a_new_device(cast, client_for):
    cast.parent.language = "cy"
    cast.parent.save(update_fields=["language"])
    page = client_for(cast.parent).get(reverse("dashboard:home")).content.decode()
    assert "Eich plant yn Northbrook Primary School" in page


def test_signing_in_is_in_welsh_before_an_account_is_known(client):
    choose(client, "cy", reverse("accounts:login"))
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Mewngofnodi" in page and "Cyfeiriad e-bost" in page and "Wedi anghofio eich cyfrinair?" in page


def test_report_form_in_welsh(cast, client_for):
    page = welsh_parent(cast, client_for).get(reverse("incidents:report")).content.decode()
    assert "Adrodd am bostiad" in page
    assert "Peidiwch ag ymateb iddo na&#x27;i rannu" in page or "Peidiwch ag ymateb iddo na'i rannu" in page
    assert "Anfon yr adroddiad" in page


def test_agreement_signing_in_welsh(cast, client_for, version):
    client = welsh_parent(cast, client_for)
    home = client.get(reverse("agreements:parent_home")).content.decode()
    assert "Cytundeb cartref-ysgol ar y cyfryngau cymdeithasol" in home and "Heb lofnodi eto" in home
    page = client.get(reverse("agreements:sign")).content.decode()
    assert "Darllen a llofnodi&#x27;r cytundeb" in page or "Darllen a llofnodi'r cytundeb" in page
    assert "Ar ran pwy rydych chi’n llofnodi" in page and "Teipiwch eich enw llawn i lofnodi" in page
    response = client.post(
        reverse("agreements:sign"),
        {"version_id": version.pk, "children": [cast.child.pk], "read": "on", "acknowledge": "on", "typed_name": ""},
    )
    assert "Teipiwch eich enw llawn i lofnodi." in response.content.decode()  # the error, in Welsh
    response = client.post(
        reverse("agreements:sign"),
        {"version_id": version.pk, "children": [cast.child.pk], "read": "on", "acknowledge": "on"}
        | {"typed_name": "Jo Parent"},
        follow=True,
    )
    assert "Diolch. Rydych chi wedi llofnodi&#x27;r cytundeb ar ran Mia." in response.content.decode()


def test_complaints_pages_in_welsh(cast, client_for):
    complaint = raise_complaint(cast)
    client = welsh_parent(cast, client_for)
    listing = client.get(reverse("complaints:my_complaints")).content.decode()
    assert "Eich pryderon a" in listing and "ch cwynion" in listing and "Codi pryder neu gwyn" in listing
    detail = client.get(reverse("complaints:my_complaint", args=[complaint.pk])).content.decode()
    assert "Ysgrifennu at yr ysgol" in detail and "Beth anfonoch chi" in detail
    form = client.get(reverse("complaints:raise")).content.decode()
    assert "Dywedwch wrthym beth ddigwyddodd" in form and "Anfon i" in form and "r ysgol" in form


def test_email_to_a_welsh_speaking_parent_is_in_welsh_even_when_staff_work_in_english(
    cast, client, django_capture_on_commit_callbacks
):
    cast.parent.language = "cy"
    cast.parent.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        raise_complaint(cast)  # no request: the active language is English
    to_parent = Notification.objects.get(template="complaint-received", to=[cast.parent.email])
    assert to_parent.subject.startswith("Mae Northbrook Primary School wedi derbyn eich cwyn")
    assert "Diolch am godi eich pryder" in to_parent.body_text and '<html lang="cy">' in to_parent.body_html
    to_head = Notification.objects.filter(to=[cast.headteacher.email]).first()
    assert to_head is not None and "Diolch" not in to_head.body_text
    assert any(m.subject.startswith("Mae Northbrook") for m in mail.outbox)


def test_agreement_reminder_to_a_welsh_parent_names_the_children_in_welsh(cast, version):
    from agreements.tasks import _ask
    from tests.factories import make_pupil

    cast.parent.language = "cy"
    cast.parent.save(update_fields=["language"])
    second = make_pupil(cast.school, cast.school_class, first="Ned", last="Parent", parent=cast.parent)
    notification = _ask(version, "ask", cast.parent, [cast.child, second])
    assert notification is not None
    assert "Annwyl Jo Parent," in notification.body_text and "ar ran Mia a Ned." in notification.body_text
    assert notification.subject.startswith("Llofnodwch gytundeb cartref-ysgol")


def test_invitation_is_in_the_language_of_the_page_that_sent_it(cast):
    """Nobody has an account yet, so the sender's active language decides (English by default)."""
    from django.utils import translation

    with translation.override("cy"):
        invite_parent(
            school=cast.school,
            created_by=cast.office,
            full_name="Rhian Jones",
            email="rhian@example.org",
            relationship=Relationship.MOTHER if hasattr(Relationship, "MOTHER") else Relationship.values[0],
            pupils=[cast.child],
        )
    with translation.override("en-gb"):
        invite_parent(
            school=cast.school,
            created_by=cast.office,
            full_name="Sam Smith",
            email="sam.smith@example.org",
            relationship=Relationship.values[0],
            pupils=[cast.child],
        )
    welsh = Notification.objects.get(to=["rhian@example.org"])
    english = Notification.objects.get(to=["sam.smith@example.org"])
    assert "Annwyl Rhian Jones," in welsh.body_text and "crëwch eich cyfrif" in welsh.subject
    assert "Dear Sam Smith," in english.body_text


def test_staff_pages_still_render_with_welsh_chosen(cast, client_for, version):
    raise_complaint(cast)
    client = client_for(cast.headteacher)
    choose(client, "cy")
    for name in ("dashboard:home", "complaints:list", "agreements:coverage", "policies:list", "incidents:list"):
        assert client.get(reverse(name)).status_code == 200, name
    assert Complaint.objects.count() == 1


def test_the_parent_home_names_the_role_in_welsh(cast, client_for):
    page = welsh_parent(cast, client_for).get(reverse("dashboard:home")).content.decode()
    assert "Rhiant neu ofalwr" in page and "Parent or carer" not in page
