"""The office keeps classes and pupils, invites a parent, and the parent accepts from the email."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import ParentLink, SchoolClass

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_adds_a_class_and_pupil_then_invites_a_parent_who_accepts(
    cast, page, new_page, sign_in_page, assert_axe_clean
):
    sign_in_page(page, cast.office)
    page.goto(reverse("dashboard:home"))
    page.get_by_role("navigation").get_by_role("link", name="Classes").click()
    page.get_by_role("link", name="Add a class").click()
    page.get_by_label("Class name").fill("Otters")
    page.get_by_role("button", name="Save").click()
    # A clash is explained beside the field, and what was typed stays.
    page.get_by_text("There is already a class called Otters").wait_for()
    assert_axe_clean(page, name="class-form-error")
    page.get_by_label("Class name").fill("Kingfishers")
    page.get_by_label("Year group").fill("Year 2")
    page.get_by_label("Class teacher").select_option(label="Priya Teacher")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("cell", name="Kingfishers", exact=True).wait_for()
    assert_axe_clean(page, name="class-list")

    page.get_by_role("navigation").get_by_role("link", name="Pupils").click()
    page.get_by_role("link", name="Add a pupil").click()
    page.get_by_label("First name").fill("Ruby")
    page.get_by_label("Last name").fill("Stone")
    page.get_by_label("Class").select_option(label="Kingfishers")
    page.get_by_label("Date of birth").fill("2030-01-01")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The date of birth is in the future").wait_for()
    assert page.get_by_label("First name").input_value() == "Ruby"
    assert_axe_clean(page, name="pupil-form-error")
    page.get_by_label("Date of birth").fill("2019-03-02")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Ruby Stone").wait_for()
    assert SchoolClass.objects.get(name="Kingfishers").pupils.get().first_name == "Ruby"

    page.get_by_role("link", name="Invite a parent or carer").click()
    page.get_by_label("Parent or carer's full name").fill("Nia Stone")
    page.get_by_label("Their email address").fill("nia.stone@example.org")
    assert page.get_by_role("checkbox", name="Ruby Stone · Kingfishers · born 02/03/2019").is_checked()
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_text("Invitation sent to nia.stone@example.org").wait_for()
    page.get_by_role("navigation").get_by_role("link", name="Pupils").click()
    page.get_by_role("heading", name="Pupils").wait_for()
    assert_axe_clean(page, name="pupil-list")

    link = urlsplit(next(line for line in mail.outbox[-1].body.splitlines() if "/invite/" in line).strip()).path
    parent = new_page(phone=True)
    parent.goto(link)
    parent.get_by_label("Choose a password").fill("a-long-family-passphrase")
    parent.get_by_label("Type the password again").fill("a-long-family-passphrase")
    parent.get_by_role("button", name="Create my account").click()
    parent.get_by_text("Ruby Stone").wait_for()
    assert ParentLink.objects.filter(parent__email="nia.stone@example.org", pupil__first_name="Ruby").exists()

    # Used once: the same link now says so plainly.
    parent.goto(link)
    parent.get_by_text("This invitation link has already been used").wait_for()
    assert_axe_clean(parent, name="invitation-used-phone")
