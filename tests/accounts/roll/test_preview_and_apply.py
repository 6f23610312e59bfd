"""What an import does to the roll: previewed first, written on confirm, the same file twice is a no-op."""

from __future__ import annotations

from datetime import date

from accounts.models import Pupil, SchoolClass, User
from accounts.roll.models import Contact, PupilContact, RollImport
from tests.factories import make_pupil

from .conftest import SIMS_CONTACT_HEADINGS, SIMS_PUPIL_HEADINGS, contact_row, csv_bytes, pupil_row


def counts(roll_import, kind="pupils"):
    return roll_import.preview["counts"][kind]


def test_preview_writes_nothing_and_lists_each_row(cast, run_import, sims_pupils):
    before = Pupil.objects.filter(school=cast.school).count()
    roll_import = run_import(cast.school, cast.office, csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils), confirm=False)
    assert roll_import.status == RollImport.Status.PREVIEWED
    assert Pupil.objects.filter(school=cast.school).count() == before
    assert not SchoolClass.objects.filter(school=cast.school, name="Badgers").exists()
    # Mia and Alex (typed in by hand earlier) are not in the file: they would leave.
    assert counts(roll_import) == {"new": 3, "changed": 0, "unchanged": 0, "leaving": 2, "refused": 0}
    assert roll_import.preview["new_classes"] == [{"name": "Badgers", "year_group": "Year 3"}]
    lines = {row["name"]: row["line"] for row in roll_import.preview["pupils"]}
    assert lines["Zoë O'Brien"] == 3


def test_confirm_writes_pupils_classes_and_history_naming_the_import(cast, run_import, sims_pupils):
    roll_import = run_import(cast.school, cast.office, csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils))
    assert roll_import.status == RollImport.Status.APPLIED
    sia = Pupil.objects.get(school=cast.school, upn="A100000000003")
    assert (sia.first_name, sia.preferred_first_name, sia.full_name) == ("Siân", "Sia", "Sia Ng-Évora")
    assert sia.school_class.name == "Badgers" and sia.school_class.year_group == "Year 3"
    record = sia.history.first()
    assert record.history_change_reason == f"Roll import {roll_import.pk}"
    assert record.history_user == cast.office
    # The files are not kept once imported.
    assert roll_import.pupils_text == ""


def test_the_same_file_again_changes_nothing(cast, run_import, sims_pupils, django_assert_max_num_queries):
    data = csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils)
    run_import(cast.school, cast.office, data)
    history_rows = Pupil.history.count()
    again = run_import(cast.school, cast.office, data)
    assert again.result["counts"]["pupils"] == {"new": 0, "changed": 0, "unchanged": 3, "leaving": 0, "refused": 0}
    assert again.result["written"]["pupils"] == 0
    assert Pupil.history.count() == history_rows


def test_a_later_file_updates_in_place_adds_joiners_and_marks_leavers(cast, run_import, sims_pupils):
    run_import(cast.school, cast.office, csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils))
    leo = Pupil.objects.get(upn="A100000000001")
    zoe = Pupil.objects.get(upn="A100000000002")
    later = [
        pupil_row("A100000000001", "Leo", "Da Silva-Jones", reg="Badgers", year="Year 3"),
        pupil_row("A100000000003", "Siân", "Ng-Évora", reg="Badgers", year="Year 3", preferred="Sia"),
        pupil_row("A100000000009", "Amara", "Okafor", reg="Otters", year="Year 2"),
    ]
    roll_import = run_import(cast.school, cast.office, csv_bytes(SIMS_PUPIL_HEADINGS, later))
    assert roll_import.result["counts"]["pupils"]["new"] == 1
    leo.refresh_from_db()
    assert (leo.last_name, leo.school_class.name) == ("Da Silva-Jones", "Badgers")
    zoe.refresh_from_db()
    assert zoe.is_on_roll is False and zoe.left_on == date.today()
    changed = next(row for row in roll_import.result["pupils"] if row["upn"] == "A100000000001")
    assert "Surname: Da Silva → Da Silva-Jones" in changed["notes"]
    assert "Class: Otters → Badgers" in changed["notes"]


def test_match_falls_back_to_name_and_date_of_birth(cast, run_import):
    # Mia was typed in by hand, with no UPN: the file's row is her, not a second Mia.
    row = pupil_row("A200000000001", "Mia", "Parent", dob="17/05/2018", reg="Otters", year="Year 1")
    roll_import = run_import(cast.school, cast.office, csv_bytes(SIMS_PUPIL_HEADINGS, [row]))
    cast.child.refresh_from_db()
    assert cast.child.upn == "A200000000001"
    assert Pupil.objects.filter(school=cast.school, first_name="Mia").count() == 1
    assert roll_import.result["counts"]["pupils"]["changed"] == 1


def test_refused_rows_say_line_and_reason_and_keep_their_pupil_on_roll(cast, run_import):
    cast.child.upn = "A300000000001"
    cast.child.save()
    rows = [
        pupil_row("A300000000001", "Mia", "Parent", dob="31/02/2018"),  # a date that does not exist
        pupil_row("A300000000002", "Tom", "", dob="01/01/2019"),
        pupil_row("A300000000003", "Ann", "Future", dob="01/01/2099"),
        pupil_row("A300000000004", "Bo", "Year", year="Y15"),
        pupil_row("A300000000005", "Cy", "Twin"),
        pupil_row("A300000000005", "Di", "Twin"),
        pupil_row("A300000000006", '=HYPERLINK("http://x")', "Link"),
    ]
    roll_import = run_import(cast.school, cast.office, csv_bytes(SIMS_PUPIL_HEADINGS, rows), confirm=False)
    refused = {row["line"]: row["notes"] for row in roll_import.preview["pupils"] if row["status"] == "refused"}
    assert refused[2] == ["The date of birth “31/02/2018” is not a date (write it as day/month/year)."]
    assert refused[3] == ["No surname."]
    assert refused[4] == ["The date of birth 01/01/2099 is in the future."]
    assert refused[5] == ["Unknown year group “Y15”."]
    assert "The UPN A300000000005 is on more than one row (also line 7)." in refused[6]
    assert "The UPN A300000000005 is on more than one row (also line 6)." in refused[7]
    assert "formula" in refused[8][0]
    # Mia's row was refused, but it is her row: she is not "leaving".
    leaving = [row["name"] for row in roll_import.preview["pupils"] if row["status"] == "leaving"]
    assert leaving == ["Alex Other"]


def test_leaver_with_records_is_marked_off_roll_never_deleted(cast, run_import, sims_pupils):
    from django.utils import timezone

    from tests.complaints.conftest import make_incident

    child = cast.child
    incident = make_incident(cast.school, cast.staff, created=timezone.now(), poster_pupil=child)
    run_import(cast.school, cast.office, csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils))
    child.refresh_from_db()
    assert child.is_on_roll is False
    incident.refresh_from_db()
    assert incident.poster_pupil == child
    assert child.parent_links.filter(parent=cast.parent).exists()


def test_leaving_date_in_the_file_marks_off_roll(cast, run_import):
    headings = [*SIMS_PUPIL_HEADINGS, "Date of Leaving"]
    rows = [pupil_row("A400000000001", "Mia", "Parent", reg="Otters", year="Year 1") + ["20/07/2024"]]
    run_import(cast.school, cast.office, csv_bytes(headings, rows))
    cast.child.refresh_from_db()
    assert cast.child.is_on_roll is False and cast.child.left_on == date(2024, 7, 20)


def test_contacts_are_linked_and_parents_on_the_portal_get_title_phone_address(
    cast, run_import, sims_pupils, sims_contacts
):
    existing = User.objects.create_user(email="m.dasilva@example.org", full_name="Michael Da Silva", password="x")
    from accounts.models import Membership, Role

    Membership.objects.create(user=existing, school=cast.school, role=Role.PARENT)
    roll_import = run_import(
        cast.school,
        cast.office,
        csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils),
        csv_bytes(SIMS_CONTACT_HEADINGS, sims_contacts),
    )
    assert roll_import.result["counts"]["contacts"]["new"] == 3
    father = Contact.objects.get(school=cast.school, email="m.dasilva@example.org")
    assert father.user == existing
    link = PupilContact.objects.get(contact=father)
    assert (link.pupil.upn, link.relationship, link.parental_responsibility) == ("A100000000001", "father", True)
    existing.refresh_from_db()
    assert existing.title == "Mr" and existing.phone == "07700 900123"
    assert existing.postal_address == "2 Mill Lane\nTownley\nTL1 2AB"
    assert existing.salutation == "Mr Da Silva"
    assert not PupilContact.objects.get(contact__email="rosa@example.org").parental_responsibility


def test_contacts_file_again_changes_nothing_and_a_dropped_contact_is_unlinked(
    cast, run_import, sims_pupils, sims_contacts
):
    pupils = csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils)
    run_import(cast.school, cast.office, pupils, csv_bytes(SIMS_CONTACT_HEADINGS, sims_contacts))
    again = run_import(cast.school, cast.office, pupils, csv_bytes(SIMS_CONTACT_HEADINGS, sims_contacts))
    assert again.result["counts"]["contacts"] == {"new": 0, "changed": 0, "unchanged": 3, "refused": 0}
    assert again.result["written"] == {"classes": 0, "pupils": 0, "contacts": 0, "links": 0, "accounts": 0}
    fewer = run_import(cast.school, cast.office, pupils, csv_bytes(SIMS_CONTACT_HEADINGS, sims_contacts[:2]))
    assert not PupilContact.objects.filter(contact__email="rosa@example.org").exists()
    assert Contact.objects.filter(email="rosa@example.org").exists()
    rosa = next(row for row in fewer.result["contacts"] if "Évora" in row["name"])
    assert rosa["status"] == "changed"


def test_refused_contacts(cast, run_import, sims_pupils, sims_contacts):
    rows = [
        *sims_contacts,
        contact_row("A100000000001", "Mr", "No", "Email", "not-an-email"),
        contact_row("A999999999999", "Ms", "Who", "Ever", "who@example.org"),
        contact_row("A100000000002", "", "Nameless", "", "nameless@example.org"),
    ]
    roll_import = run_import(
        cast.school,
        cast.office,
        csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils),
        csv_bytes(SIMS_CONTACT_HEADINGS, rows),
        confirm=False,
    )
    refused = {row["line"]: row["notes"] for row in roll_import.preview["contacts"] if row["status"] == "refused"}
    assert refused == {
        5: ["“not-an-email” is not an email address."],
        6: ["No pupil with UPN or admission number “A999999999999” in the pupils file."],
        7: ["No surname."],
    }


def test_apply_after_the_roll_changed_previews_again_and_writes_nothing(
    cast, run_import, sims_pupils, django_capture_on_commit_callbacks
):
    from accounts.roll import actions

    roll_import = run_import(cast.school, cast.office, csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils), confirm=False)
    make_pupil(cast.school, first="Typed", last="Meanwhile")  # one more would-be leaver
    with django_capture_on_commit_callbacks(execute=True):
        actions.confirm(roll_import, cast.office)
    roll_import.refresh_from_db()
    assert roll_import.status == RollImport.Status.PREVIEWED
    assert "changed after this preview" in roll_import.error
    assert counts(roll_import)["leaving"] == 3
    assert not Pupil.objects.filter(upn="A100000000001").exists()
