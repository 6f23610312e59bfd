"""The year-end rollover: classes move up, the last year leaves the roll, the new year starts; undo."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Pupil, School, SchoolClass
from accounts.roll.models import RolloverRun
from agreements import actions as agreement_actions
from tests.agreements.conftest import CONTENT
from tests.factories import make_pupil

from .conftest import SIMS_PUPIL_HEADINGS, csv_bytes, pupil_row

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
JULY = datetime(2026, 7, 22, 10, 0, tzinfo=LONDON)


@pytest.fixture
def school_roll(cast):
    """Otters (Year 1: Mia, Alex), Kestrels (Year 5: Finn), Eagles (Year 6: Ruby, leaving)."""
    SchoolClass.objects.filter(pk=cast.school_class.pk).update(year_group="Year 1")
    kestrels = SchoolClass.objects.create(school=cast.school, name="Kestrels", year_group="Year 5")
    eagles = SchoolClass.objects.create(school=cast.school, name="Eagles", year_group="Year 6")
    finn = make_pupil(cast.school, kestrels, first="Finn", last="Stone")
    ruby = make_pupil(cast.school, eagles, first="Ruby", last="Stone")
    return {"kestrels": kestrels, "eagles": eagles, "finn": finn, "ruby": ruby}


def snapshot(school):
    return (
        sorted(SchoolClass.objects.filter(school=school).values_list("pk", "name", "year_group")),
        sorted(Pupil.objects.filter(school=school).values_list("pk", "school_class_id", "is_on_roll", "left_on")),
        School.objects.get(pk=school.pk).academic_year,
    )


@time_machine.travel(JULY, tick=False)
def test_the_office_previews_then_every_class_moves_up_and_year_6_leaves(cast, school_roll, client_for):
    client = client_for(cast.office)
    page = client.get(reverse("accounts:rollover_start")).content.decode()
    assert "Start the 2026/27 school year" in page
    assert "Otters: moves up from Year 1 to Year 2 (2 pupils)" in page
    assert "Eagles (Year 6): 1 pupil leave the roll" in page
    before = snapshot(cast.school)
    assert before[2] == ""  # looking changes nothing

    response = client.post(reverse("accounts:rollover_start"))
    assert response.status_code == 302
    assert SchoolClass.objects.get(pk=cast.school_class.pk).year_group == "Year 2"
    assert SchoolClass.objects.get(pk=school_roll["kestrels"].pk).year_group == "Year 6"
    ruby = Pupil.objects.get(pk=school_roll["ruby"].pk)
    assert ruby.is_on_roll is False and ruby.left_on == date(2026, 7, 22)  # off roll, never deleted
    assert School.objects.get(pk=cast.school.pk).academic_year == "2026/27"
    run = RolloverRun.objects.get()
    assert run.summary["moved"] == 3 and run.summary["left"] == 1


@time_machine.travel(JULY, tick=False)
def test_every_change_is_in_the_history_naming_the_rollover(cast, school_roll, client_for):
    client_for(cast.office).post(reverse("accounts:rollover_start"))
    run = RolloverRun.objects.get()
    ruby = Pupil.objects.get(pk=school_roll["ruby"].pk)
    # (Rows made by the fixtures are dated by the real clock, so each change is found by its reason.)
    left = ruby.history.get(history_change_reason=run.change_reason)
    assert left.history_user == cast.office and left.is_on_roll is False
    otters = SchoolClass.objects.get(pk=cast.school_class.pk).history.get(history_change_reason=run.change_reason)
    assert otters.year_group == "Year 2"
    school = School.objects.get(pk=cast.school.pk).history.get(history_change_reason=run.change_reason)
    assert school.academic_year == "2026/27"


@time_machine.travel(JULY, tick=False)
def test_a_class_can_move_into_a_named_class_new_or_emptied(cast, school_roll, client_for):
    client = client_for(cast.office)
    # Otters' pupils go to a new class "Hedgehogs"; Kestrels move into Eagles, which Year 6 leave empty.
    choices = {f"into_{cast.school_class.pk}": "Hedgehogs", f"into_{school_roll['kestrels'].pk}": "Eagles"}
    page = client.get(reverse("accounts:rollover_start"), choices).content.decode()
    assert "Otters (Year 1): 2 pupils move into Hedgehogs (Year 2)" in page
    assert client.post(reverse("accounts:rollover_start"), choices).status_code == 302
    hedgehogs = SchoolClass.objects.get(school=cast.school, name="Hedgehogs")
    assert hedgehogs.year_group == "Year 2"
    assert set(hedgehogs.pupils.all()) == {cast.child, cast.other_child}
    assert Pupil.objects.get(pk=school_roll["finn"].pk).school_class == school_roll["eagles"]
    assert SchoolClass.objects.get(pk=cast.school_class.pk).year_group == "Year 1"  # now empty, as it was


@time_machine.travel(JULY, tick=False)
def test_moving_into_a_class_that_keeps_its_own_pupils_is_refused(cast, school_roll, client_for):
    choices = {f"into_{school_roll['kestrels'].pk}": "otters"}
    before = snapshot(cast.school)
    response = client_for(cast.office).post(reverse("accounts:rollover_start"), choices)
    assert response.status_code == 400
    assert "keeps its own pupils as it moves up" in response.content.decode()
    assert snapshot(cast.school) == before and not RolloverRun.objects.exists()


@time_machine.travel(JULY, tick=False)
def test_undo_on_the_same_day_restores_exactly(cast, school_roll, client_for):
    Pupil.objects.filter(pk=school_roll["finn"].pk).update(left_on=None)
    client = client_for(cast.office)
    before = snapshot(cast.school)
    choices = {f"into_{cast.school_class.pk}": "Hedgehogs", f"into_{school_roll['kestrels'].pk}": "Eagles"}
    client.post(reverse("accounts:rollover_start"), choices)
    run = RolloverRun.objects.get()
    assert snapshot(cast.school) != before
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Undo this rollover" in page
    assert client.post(reverse("accounts:rollover_undo", args=[run.pk])).status_code == 302
    assert snapshot(cast.school) == before  # the class made for it is gone, Ruby back on roll
    run.refresh_from_db()
    assert run.undone_by == cast.office
    back = Pupil.objects.get(pk=school_roll["ruby"].pk).history.get(history_change_reason=run.undo_reason)
    assert back.is_on_roll is True and back.history_user == cast.office
    # Undone once; a second undo changes nothing.
    client.post(reverse("accounts:rollover_undo", args=[run.pk]))
    assert snapshot(cast.school) == before


def test_undo_is_refused_the_next_day(cast, school_roll, client_for):
    client = client_for(cast.office)
    with time_machine.travel(JULY, tick=False):
        client.post(reverse("accounts:rollover_start"))
    after = snapshot(cast.school)
    run = RolloverRun.objects.get()
    with time_machine.travel(datetime(2026, 7, 23, 9, 0, tzinfo=LONDON), tick=False):
        client = client_for(cast.office)  # signed in again the next morning
        page = client.get(run.get_absolute_url()).content.decode()
        assert "only be undone on the day it was run" in page
        client.post(reverse("accounts:rollover_undo", args=[run.pk]))
    assert snapshot(cast.school) == after


@time_machine.travel(JULY, tick=False)
def test_a_second_rollover_in_the_same_summer_is_refused(cast, school_roll, client_for):
    client = client_for(cast.office)
    client.post(reverse("accounts:rollover_start"))
    after = snapshot(cast.school)
    response = client.post(reverse("accounts:rollover_start"))
    assert response.status_code == 400 and "started 2026/27 already" in response.content.decode()
    assert snapshot(cast.school) == after and RolloverRun.objects.count() == 1


@time_machine.travel(JULY, tick=False)
def test_the_agreement_asks_for_the_new_years_signature_and_the_dashboard_starts_the_new_year(
    cast, school_roll, client_for
):
    draft = agreement_actions.start_draft(
        school=cast.school, by=cast.headteacher, **{**CONTENT, "academic_year": "2025/26"}
    )
    version = agreement_actions.publish(draft, by=cast.headteacher, ask_parents=False)
    assert version.is_open_for_signing
    client_for(cast.office).post(reverse("accounts:rollover_start"))
    version.refresh_from_db()
    version.school.refresh_from_db()
    assert not version.is_open_for_signing  # the 2025/26 agreement is closed for signing
    home = client_for(cast.headteacher).get(reverse("dashboard:home")).content.decode()
    assert "The 2026/27 school year has started: no family has signed its agreement yet." in home
    new_draft = client_for(cast.headteacher).get(reverse("agreements:version_create")).content.decode()
    assert 'value="2026/27"' in new_draft  # the next version is offered for the new year


@pytest.mark.parametrize("role", ["dsl", "staff", "governor", "parent", "other_office", "other_headteacher"])
@time_machine.travel(JULY, tick=False)
def test_only_the_schools_office_and_headteacher_roll_it_over(cast, school_roll, client_for, role):
    client_for(cast.office).post(reverse("accounts:rollover_start"))
    run = RolloverRun.objects.get()
    after = snapshot(cast.school)
    client = client_for(getattr(cast, role))
    if role.startswith("other_"):
        assert client.get(reverse("accounts:rollover_start")).status_code == 200  # their own school's page
    else:
        assert client.get(reverse("accounts:rollover_start")).status_code == 404
        assert client.post(reverse("accounts:rollover_start")).status_code == 404
    assert client.get(run.get_absolute_url()).status_code == 404
    assert client.post(reverse("accounts:rollover_undo", args=[run.pk])).status_code == 404
    assert snapshot(cast.school) == after


@time_machine.travel(JULY, tick=False)
def test_the_rollover_page_query_count_stays_flat(cast, school_roll, client_for, django_assert_max_num_queries):
    client = client_for(cast.office)
    for n in range(12):
        school_class = SchoolClass.objects.create(school=cast.school, name=f"Class {n}", year_group="Year 3")
        make_pupil(cast.school, school_class, first=f"Kid{n}")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:rollover_start")).status_code == 200


@time_machine.travel(datetime(2026, 9, 4, 10, 0, tzinfo=LONDON), tick=False)
def test_an_import_after_the_mis_rolled_over_is_not_refused_and_starts_the_new_year(cast, school_roll, run_import):
    # In September the MIS has moved everyone up: Otters are Year 2, Kestrels Year 6, Ruby has gone.
    Pupil.objects.filter(school=cast.school).update(upn="")
    pupils = [
        pupil_row("A200000000001", "Mia", "Parent", year="Year 2", reg="Otters"),
        pupil_row("A200000000002", "Alex", "Other", year="Year 2", reg="Otters"),
        pupil_row("A200000000003", "Finn", "Stone", year="Year 6", reg="Kestrels"),
    ]
    roll_import = run_import(cast.school, cast.office, csv_bytes(SIMS_PUPIL_HEADINGS, pupils))
    assert roll_import.status == roll_import.Status.APPLIED, roll_import.error
    assert roll_import.result["new_school_year"] == "2026/27"
    assert roll_import.result["counts"]["pupils"]["refused"] == 0
    assert SchoolClass.objects.get(pk=cast.school_class.pk).year_group == "Year 2"
    assert Pupil.objects.get(pk=school_roll["ruby"].pk).is_on_roll is False
    assert School.objects.get(pk=cast.school.pk).academic_year == "2026/27"
