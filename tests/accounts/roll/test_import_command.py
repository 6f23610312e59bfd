"""manage.py import_roll: the same import, with the exit status automation relies on."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Pupil
from accounts.roll.models import RollImport

from .conftest import SIMS_CONTACT_HEADINGS, SIMS_PUPIL_HEADINGS, csv_bytes, pupil_row


@pytest.fixture
def files(tmp_path, sims_pupils, sims_contacts):
    pupils = tmp_path / "pupils.csv"
    pupils.write_bytes(csv_bytes(SIMS_PUPIL_HEADINGS, sims_pupils))
    contacts = tmp_path / "contacts.csv"
    contacts.write_bytes(csv_bytes(SIMS_CONTACT_HEADINGS, sims_contacts))
    return pupils, contacts


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_roll", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_summary_and_writes_nothing(cast, files):
    pupils, contacts = files
    out = run("--school", "nbp", "--pupils", str(pupils), "--contacts", str(contacts), "--dry-run")
    assert "Would change: pupils 3 new, 0 changed, 0 unchanged, 2 leaving, 0 refused" in out
    assert "Contacts 3 new" in out and "Dry run: nothing was written." in out
    assert not Pupil.objects.filter(upn__startswith="A1").exists()
    assert cast.child.__class__.objects.get(pk=cast.child.pk).is_on_roll


def test_import_then_again_changes_nothing(cast, files):
    pupils, contacts = files
    run("--school", "NBP", "--pupils", str(pupils), "--contacts", str(contacts))
    assert Pupil.objects.filter(upn__startswith="A1", school=cast.school).count() == 3
    out = run("--school", "NBP", "--pupils", str(pupils), "--contacts", str(contacts))
    assert "pupils 0 new, 0 changed, 3 unchanged, 0 leaving, 0 refused" in out
    assert RollImport.objects.filter(status=RollImport.Status.APPLIED).count() == 2


def test_a_refused_row_exits_1_after_importing_the_rest(cast, tmp_path, sims_pupils):
    path = tmp_path / "pupils.csv"
    path.write_bytes(csv_bytes(SIMS_PUPIL_HEADINGS, [*sims_pupils, pupil_row("A1X", "No", "", dob="01/01/2019")]))
    with pytest.raises(CommandError) as raised:
        run("--school", "NBP", "--pupils", str(path))
    assert raised.value.returncode == 1
    assert Pupil.objects.filter(upn__startswith="A1000").count() == 3
    # With --dry-run the same file is a success: nothing was written, nothing to fail.
    run("--school", "NBP", "--pupils", str(path), "--dry-run")


def test_unreadable_file_and_unknown_school(cast, tmp_path):
    path = tmp_path / "pupils.xlsx"
    path.write_bytes(b"PK\x03\x04 zipped")
    with pytest.raises(CommandError, match="not a CSV file"):
        run("--school", "NBP", "--pupils", str(path))
    with pytest.raises(CommandError, match="No school has the code ZZZ"):
        run("--school", "ZZZ", "--pupils", str(path))
    assert not RollImport.objects.exists()
