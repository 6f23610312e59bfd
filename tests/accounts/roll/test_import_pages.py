"""The office's import pages: upload, match a column once, preview, confirm, download; and who may."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Pupil
from accounts.roll.models import ColumnMapping, RollImport

from .conftest import SIMS_CONTACT_HEADINGS, SIMS_PUPIL_HEADINGS, csv_bytes


def upload(client, pupils: bytes, contacts: bytes | None = None, name="pupils.csv"):
    data = {"pupils_file": SimpleUploadedFile(name, pupils, content_type="text/csv")}
    if contacts is not None:
        data["contacts_file"] = SimpleUploadedFile("contacts.csv", contacts, content_type="text/csv")
    return client.post(reverse("accounts:roll_import_start"), data)


@pytest.fixture
def office(cast, client_for):
    return client_for(cast.office)


def test_upload_preview_confirm(cast, office, sims_pupils, sims_contacts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            office, csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils), csv_bytes(SIMS_CONTACT_HEADINGS, sims_contacts)
        )
    roll_import = RollImport.objects.get(school=cast.school)
    assert response.url == roll_import.get_absolute_url()
    page = office.get(response.url).content.decode()
    assert "Check before you import" in page
    assert "Zoë O&#x27;Brien" in page
    assert not Pupil.objects.filter(upn="A100000000001").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(reverse("accounts:roll_import_confirm", args=[roll_import.pk]))
    page = office.get(response.url).content.decode()
    assert "Imported on" in page
    assert Pupil.objects.filter(upn="A100000000001", school=cast.school).exists()
    # A second click does not import twice.
    with django_capture_on_commit_callbacks(execute=True):
        office.post(reverse("accounts:roll_import_confirm", args=[roll_import.pk]))
    assert Pupil.objects.filter(upn="A100000000001").count() == 1


def test_unknown_column_is_matched_once_and_remembered(cast, office, sims_pupils, django_capture_on_commit_callbacks):
    headings = [h if h != "Reg" else "Form Group" for h in SIMS_PUPIL_HEADINGS] + ["Ethnicity"]
    rows = [row + ["Not given"] for row in sims_pupils]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(office, csv_bytes(headings, rows))
    roll_import = RollImport.objects.get(school=cast.school)
    assert roll_import.status == RollImport.Status.NEEDS_MAPPING
    page = office.get(response.url, follow=True).content.decode()
    assert "“Form Group” (pupils file)" in page and "“Ethnicity” (pupils file)" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(
            reverse("accounts:roll_import_columns", args=[roll_import.pk]),
            {"pupils-0": "registration_group", "pupils-1": ""},
        )
    roll_import.refresh_from_db()
    assert roll_import.status == RollImport.Status.PREVIEWED
    assert {row["class"] for row in roll_import.preview["pupils"] if row["status"] == "new"} == {"Otters", "Badgers"}
    assert ColumnMapping.objects.get(school=cast.school, kind="pupils").columns == {
        "formgroup": "registration_group",
        "ethnicity": "",
    }
    # Next term the same export goes straight to the preview.
    with django_capture_on_commit_callbacks(execute=True):
        upload(office, csv_bytes(headings, rows))
    assert RollImport.objects.filter(school=cast.school).first().status == RollImport.Status.PREVIEWED


def test_two_columns_on_one_field_is_refused_on_the_mapping_page(
    cast, office, sims_pupils, django_capture_on_commit_callbacks
):
    headings = [*SIMS_PUPIL_HEADINGS, "Surname Now"]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(office, csv_bytes(headings, [row + ["X"] for row in sims_pupils]))
    roll_import = RollImport.objects.get(school=cast.school)
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(
            reverse("accounts:roll_import_columns", args=[roll_import.pk]), {"pupils-0": "last_name"}
        )
    assert response.status_code == 400
    assert "Two columns hold the surname" in response.content.decode()
    roll_import.refresh_from_db()
    assert roll_import.status == RollImport.Status.NEEDS_MAPPING


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        (b"PK\x03\x04rest-of-a-zip", "a spreadsheet saved as .xlsx"),
        (b"%PDF-1.7 ...", "a PDF"),
        (b"just one line of words\nand another\n", "only one column"),
        (b"UPN,Legal Surname,UPN\nA1,B,C\n", "The column “UPN” appears twice (columns 1 and 3)."),
        (b"UPN,Legal Surname\n", "headings but no rows"),
    ],
)
def test_bad_files_get_a_clear_message_and_nothing_is_kept(
    cast, office, data, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(office, data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not RollImport.objects.exists()


def test_a_50_mb_file_is_refused(cast, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(office, b"UPN,Legal Surname\n" + b"A" * (50 * 1024 * 1024))
    assert response.status_code == 400
    assert "the most the portal takes is 5 MB" in response.content.decode()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_accents_and_apostrophes_survive_each_encoding(
    cast, office, sims_pupils, encoding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(office, csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils, encoding=encoding))
    roll_import = RollImport.objects.get(school=cast.school)
    with django_capture_on_commit_callbacks(execute=True):
        office.post(reverse("accounts:roll_import_confirm", args=[roll_import.pk]))
    assert set(Pupil.objects.filter(school=cast.school, is_on_roll=True).values_list("last_name", flat=True)) == {
        "Da Silva",
        "O'Brien",
        "Ng-Évora",
    }


def test_emoji_in_a_name_is_kept(cast, office, django_capture_on_commit_callbacks):
    rows = [["A500000000001", "", "Ruby 🌈", "", "Stone", "01/02/2019", "Reception", "Ladybirds"]]
    with django_capture_on_commit_callbacks(execute=True):
        upload(office, csv_bytes(SIMS_PUPIL_HEADINGS, rows))
    roll_import = RollImport.objects.get(school=cast.school)
    with django_capture_on_commit_callbacks(execute=True):
        office.post(reverse("accounts:roll_import_confirm", args=[roll_import.pk]))
    assert Pupil.objects.get(upn="A500000000001").first_name == "Ruby 🌈"


def test_preview_download_lists_every_row_and_defuses_formulas(
    cast, office, sims_pupils, django_capture_on_commit_callbacks
):
    rows = [*sims_pupils, ["A600000000001", "", '=HYPERLINK("http://evil")', "", "Link", "01/01/2019", "Y1", "Otters"]]
    with django_capture_on_commit_callbacks(execute=True):
        upload(office, csv_bytes(SIMS_PUPIL_HEADINGS, rows))
    roll_import = RollImport.objects.get(school=cast.school)
    response = office.get(reverse("accounts:roll_import_csv", args=[roll_import.pk]))
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0] == ["File", "Line", "What happens", "Name", "UPN", "Class", "Details"]
    refused = next(row for row in table if row[2] == "Refused")
    assert refused[1] == "5" and refused[3].startswith("'=HYPERLINK")
    assert {row[3] for row in table[1:]} >= {"Leo Da Silva", "Mia Parent", "Alex Other"}
    assert not Pupil.objects.filter(last_name="Link").exists()


@pytest.mark.parametrize("who", ["staff", "dsl", "governor", "parent", "other_office", "other_headteacher"])
def test_only_the_schools_office_and_headteacher(
    cast, client_for, who, sims_pupils, django_capture_on_commit_callbacks
):
    office = client_for(cast.office)
    with django_capture_on_commit_callbacks(execute=True):
        upload(office, csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils))
    roll_import = RollImport.objects.get(school=cast.school)
    client = client_for(getattr(cast, who))
    for name in ("roll_import_detail", "roll_import_columns", "roll_import_csv"):
        assert client.get(reverse(f"accounts:{name}", args=[roll_import.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("accounts:roll_import_confirm", args=[roll_import.pk])).status_code == 404
    if not who.startswith("other_"):  # another school's office may import for their own school
        assert client.get(reverse("accounts:roll_import_start")).status_code == 404
    roll_import.refresh_from_db()
    assert roll_import.status == RollImport.Status.PREVIEWED


def test_headteacher_may_import(cast, client_for, sims_pupils, django_capture_on_commit_callbacks):
    head = client_for(cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(head, csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils))
    assert response.status_code == 302


def test_import_list_query_count(
    cast, office, sims_pupils, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            upload(office, csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils))
    with django_assert_max_num_queries(10):
        response = office.get(reverse("accounts:roll_import_list"))
    assert response.content.decode().count("pupils.csv") == 3
