"""The office moves a school in: uploads the MIS pupils and contacts files, matches the one column
the portal does not know, checks the preview, imports, then invites the families of one class."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation, Pupil
from tests.accounts.roll.conftest import SIMS_CONTACT_HEADINGS, SIMS_PUPIL_HEADINGS, contact_row, csv_bytes, pupil_row

pytestmark = pytest.mark.django_db(transaction=True)


def test_office_imports_the_roll_then_invites_one_class(cast, page, sign_in_page, assert_axe_clean, tmp_path):
    # Arbor-style heading the portal does not know for the class: "Form Group".
    headings = [h if h != "Reg" else "Form Group" for h in SIMS_PUPIL_HEADINGS]
    pupils = tmp_path / "pupils.csv"
    pupils.write_bytes(
        csv_bytes(
            headings,
            [
                pupil_row("A300000000001", "Leo", "Da Silva", reg="Kingfishers", year="Y2"),
                pupil_row("A300000000002", "Zoë", "O'Brien", reg="Kingfishers", year="Y2"),
                pupil_row("A300000000003", "Siân", "Ng-Évora", reg="Herons", year="Year 3", preferred="Sia"),
            ],
        )
    )
    contacts = tmp_path / "contacts.csv"
    contacts.write_bytes(
        csv_bytes(
            SIMS_CONTACT_HEADINGS,
            [
                contact_row(
                    "A300000000001", "Mr", "Michael", "Da Silva", "m.dasilva@example.org", relationship="Father"
                ),
                contact_row("A300000000002", "Ms", "Aoife", "O'Brien", "aoife@example.org"),
                contact_row("A300000000002", "Mr", "Dara", "O'Brien", "dara@example.org", pr="No"),
                contact_row("A300000000003", "Dr", "Rosa", "Évora", "rosa@example.org"),
            ],
        )
    )

    sign_in_page(page, cast.office)
    page.goto(reverse("dashboard:home"))
    page.get_by_role("navigation").get_by_role("link", name="Import from MIS").click()
    page.get_by_role("link", name="Upload files").click()
    page.get_by_label("Pupils file").set_input_files(str(pupils))
    page.get_by_label("Contacts file (optional)").set_input_files(str(contacts))
    page.get_by_role("button", name="Check the files").click()

    page.get_by_role("heading", name="Match the columns").wait_for()
    page.get_by_label("“Form Group” (pupils file)").select_option(label="Registration group or class")
    assert_axe_clean(page, name="onboarding-1-match-columns")
    page.get_by_role("button", name="Continue to the preview").click()

    page.get_by_role("heading", name="Check before you import").wait_for()
    page.get_by_text("New classes: Herons (Year 3), Kingfishers (Year 2)").wait_for()
    assert_axe_clean(page, name="onboarding-2-preview")
    page.get_by_role("button", name="Import now").click()
    page.get_by_role("heading", name="Imported").wait_for()
    assert_axe_clean(page, name="onboarding-3-imported")
    assert Pupil.objects.filter(school=cast.school, school_class__name="Kingfishers").count() == 2

    page.get_by_role("link", name="invite parents and carers").click()
    page.get_by_role("link", name="Invite a class or year group").click()
    page.get_by_label("Kingfishers (Year 2)").check()
    page.get_by_role("button", name="Check who would be invited").click()
    page.get_by_text("2 families, for 2 children.").wait_for()
    page.get_by_text("1 left out because they do not have parental responsibility.").wait_for()
    assert_axe_clean(page, name="onboarding-4-invite-class")
    page.get_by_role("button", name="Send 2 invitations").click()
    page.get_by_text("Invitations to class Kingfishers are on their way.").wait_for()
    page.get_by_role("cell", name="Michael Da Silva m.dasilva@example.org").wait_for()
    assert_axe_clean(page, name="onboarding-5-invitation-list")
    assert sorted(m.to[0] for m in mail.outbox) == ["aoife@example.org", "m.dasilva@example.org"]
    assert Invitation.objects.filter(school=cast.school).count() == 2

    # The single invitation finds the Year 3 child by typing part of her name.
    page.get_by_role("link", name="Invite one parent").click()
    page.get_by_label("Parent or carer's full name").fill("Rosa Évora")
    page.get_by_label("Their email address").fill("rosa@example.org")
    page.get_by_label("Find a child by name").fill("sia ng")
    page.get_by_role("checkbox", name="Sia Ng-Évora · Herons · born 17/05/2018").check()
    page.locator("#chosen-pupils").get_by_role("checkbox", name="Sia Ng-Évora").wait_for()
    assert_axe_clean(page, name="onboarding-6-find-a-child")
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_text("Invitation sent to rosa@example.org").wait_for()
    assert Invitation.objects.get(email="rosa@example.org").pupils.get().first_name == "Siân"
