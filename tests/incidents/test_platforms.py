"""The platform directory: shared rows change only in the admin; each school adjusts its own view."""

import pytest
from django.urls import reverse

from accounts.models import User
from incidents import actions
from incidents.models import Platform, SchoolPlatform, StepKind
from incidents.statistics import compute_incident_figures, month_starts

SCHOOL_LINK = "https://www.facebook.com/help/school-own-page"


def settings_post(**overrides) -> dict:
    data = {"report_url": SCHOOL_LINK, "notes": "Message the village group's admin too.", "hidden": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def own_platform_post(name: str = "Year 6 parents' WhatsApp group", **overrides) -> dict:
    data = {
        "name": name,
        "report_url": "",
        "rules_url": "",
        "minimum_age": "",
        "notes": "Ask a class rep to remove it.",
    }
    data.update(overrides)
    return data


def plan_platform_report(incident, head) -> None:
    actions.triage(
        incident=incident, by=head, severity="medium", natures=["complaint"], poster_kind="parent", owner=head
    )
    actions.add_step(incident=incident, by=head, kind=StepKind.PLATFORM_REPORT, owner=head)


def add_own_platform(client, name: str = "Year 6 parents' WhatsApp group") -> Platform:
    response = client.post(reverse("incidents:platform_create"), own_platform_post(name))
    assert response.status_code == 302, response.content.decode()
    return Platform.objects.filter(name=name).latest("pk")


def test_headteacher_saves_school_settings_without_touching_the_shared_row(cast, client_for, facebook):
    shared = (facebook.name, facebook.report_url, facebook.notes)
    client = client_for(cast.headteacher)
    url = reverse("incidents:platform_edit", args=[facebook.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert facebook.report_url in page.content.decode()  # the shared details are shown, read-only

    response = client.post(url, {**settings_post(), "name": "Hacked", "minimum_age": 99})
    assert response.status_code == 302
    facebook.refresh_from_db()
    assert (facebook.name, facebook.report_url, facebook.notes) == shared
    assert facebook.minimum_age == 13
    own = SchoolPlatform.objects.get(school=cast.school, platform=facebook)
    assert own.report_url == SCHOOL_LINK
    assert own.updated_by == cast.headteacher
    assert own.history.count() == 1

    client.post(url, settings_post(notes="Changed note."))
    assert SchoolPlatform.objects.filter(platform=facebook).count() == 1
    assert own.history.count() == 2


def test_bad_link_is_explained_and_nothing_typed_is_lost(cast, client_for, facebook):
    client = client_for(cast.headteacher)
    response = client.post(
        reverse("incidents:platform_edit", args=[facebook.pk]), settings_post(report_url="not a link at all")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid URL" in body
    assert "Message the village group" in body
    assert not SchoolPlatform.objects.exists()


def test_school_link_and_notes_show_on_its_incident_page_only(cast, client_for, file_report, facebook):
    SchoolPlatform.objects.create(
        school=cast.school, platform=facebook, report_url=SCHOOL_LINK, notes="Ring the group admin first."
    )
    ours = file_report()
    theirs = file_report(reporter=cast.other_school_parent, school=cast.other_school)
    for incident, head in ((ours, cast.headteacher), (theirs, cast.other_headteacher)):
        plan_platform_report(incident, head)

    body = client_for(cast.headteacher).get(ours.get_absolute_url()).content.decode()
    assert SCHOOL_LINK in body
    assert "Ring the group admin first." in body
    assert f'href="{facebook.report_url}"' not in body

    body = client_for(cast.other_headteacher).get(theirs.get_absolute_url()).content.decode()
    assert SCHOOL_LINK not in body
    assert "Ring the group admin first." not in body
    assert f'href="{facebook.report_url}"' in body


def test_incident_read_without_annotation_still_uses_the_school_link(cast, file_report, facebook):
    incident = file_report()
    SchoolPlatform.objects.create(school=cast.school, platform=facebook, report_url=SCHOOL_LINK)
    from incidents.models import Incident

    assert Incident.objects.get(pk=incident.pk).platform_report_url == SCHOOL_LINK
    assert Incident.objects.with_platform_settings().get(pk=incident.pk).platform_report_url == SCHOOL_LINK
    assert Incident.objects.get(pk=incident.pk).platform_notes == facebook.notes


def test_school_only_platform_is_offered_on_its_school_report_form_only(cast, client_for):
    platform = add_own_platform(client_for(cast.headteacher))
    assert platform.school == cast.school
    assert platform.history.count() == 1

    assert "Year 6 parents" in client_for(cast.parent).get(reverse("incidents:report")).content.decode()
    elsewhere = client_for(cast.other_school_parent).get(reverse("incidents:report")).content.decode()
    assert "Year 6 parents" not in elsewhere
    assert "Facebook" in elsewhere
    # Nor in another school's platform list or incident filter.
    other_head = client_for(cast.other_headteacher)
    assert "Year 6 parents" not in other_head.get(reverse("incidents:platform_list")).content.decode()
    assert "Year 6 parents" not in other_head.get(reverse("incidents:list")).content.decode()


def test_another_schools_platform_cannot_be_posted_on_a_report(cast, client_for):
    platform = add_own_platform(client_for(cast.headteacher))
    response = client_for(cast.other_school_parent).post(
        reverse("incidents:report"), {"platform": platform.pk, "form_token": "00000000-0000-0000-0000-000000000001"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_report_action_refuses_another_schools_platform(cast, client_for, file_report):
    platform = add_own_platform(client_for(cast.headteacher))
    with pytest.raises(actions.ActionError):
        file_report(reporter=cast.other_school_parent, school=cast.other_school, platform=platform)


def test_hidden_platform_is_not_offered_but_stays_in_the_filter(cast, client_for):
    roblox = Platform.objects.get(name="Roblox")
    head = client_for(cast.headteacher)
    head.post(reverse("incidents:platform_edit", args=[roblox.pk]), settings_post(report_url="", hidden="on"))
    assert SchoolPlatform.objects.get(school=cast.school, platform=roblox).hidden

    assert "Roblox" not in client_for(cast.parent).get(reverse("incidents:report")).content.decode()
    assert "Roblox" in client_for(cast.other_school_parent).get(reverse("incidents:report")).content.decode()
    listing = client_for(cast.headteacher).get(reverse("incidents:platform_list")).content.decode()
    assert "Hidden from your report form" in listing
    # Past incidents may be about it, so the case list can still filter by it.
    assert "Roblox" in client_for(cast.headteacher).get(reverse("incidents:list")).content.decode()


def test_a_school_hides_its_own_platform_from_its_report_form_and_can_show_it_again(cast, client_for):
    platform = add_own_platform(client_for(cast.headteacher))
    url = reverse("incidents:platform_edit", args=[platform.pk])
    assert "Hide from our report form" in client_for(cast.headteacher).get(url).content.decode()

    assert client_for(cast.headteacher).post(url, own_platform_post(hidden="on")).status_code == 302
    row = SchoolPlatform.objects.get(school=cast.school, platform=platform)
    assert (row.hidden, row.updated_by, row.report_url, row.notes) == (True, cast.headteacher, "", "")
    assert "Year 6 parents" not in client_for(cast.parent).get(reverse("incidents:report")).content.decode()
    head = client_for(cast.headteacher)
    listing = head.get(reverse("incidents:platform_list")).content.decode()
    assert "Hidden from your report form" in listing and "Your school only" in listing
    assert "Year 6 parents" in head.get(reverse("incidents:list")).content.decode()  # Past cases still filter.
    assert head.get(url).context["form"]["hidden"].value() is True

    # Saving again without the box ticked shows it again; the history keeps both choices and who made them.
    assert head.post(url, own_platform_post()).status_code == 302
    assert not SchoolPlatform.objects.get(pk=row.pk).hidden
    assert "Year 6 parents" in client_for(cast.parent).get(reverse("incidents:report")).content.decode()
    assert [h.hidden for h in row.history.order_by("history_id")] == [True, False]


def test_an_own_platform_saved_without_hiding_writes_no_settings_row(cast, client_for):
    platform = add_own_platform(client_for(cast.headteacher))
    assert not SchoolPlatform.objects.filter(platform=platform).exists()


def test_settings_row_for_another_schools_platform_is_refused(cast, client_for):
    from django.core.exceptions import ValidationError

    platform = add_own_platform(client_for(cast.headteacher))
    with pytest.raises(ValidationError):
        SchoolPlatform(school=cast.other_school, platform=platform, hidden=True).full_clean()
    with pytest.raises(ValidationError):
        SchoolPlatform(school=cast.school, platform=platform, notes="Not here").full_clean()
    SchoolPlatform(school=cast.school, platform=platform, hidden=True).full_clean()


def test_other_schools_own_platform_answers_404(cast, client_for):
    platform = add_own_platform(client_for(cast.headteacher))
    url = reverse("incidents:platform_edit", args=[platform.pk])
    other = client_for(cast.other_headteacher)
    assert other.get(url).status_code == 404
    assert other.post(url, own_platform_post("Renamed")).status_code == 404
    platform.refresh_from_db()
    assert platform.name == "Year 6 parents' WhatsApp group"


@pytest.mark.parametrize("role", ["dsl", "staff", "parent", "governor", "office"])
def test_only_the_headteacher_changes_platforms(cast, client_for, facebook, role):
    client = client_for(getattr(cast, role))
    edit = reverse("incidents:platform_edit", args=[facebook.pk])
    create = reverse("incidents:platform_create")
    assert client.get(edit).status_code == 404
    assert client.post(edit, settings_post()).status_code == 404
    assert client.get(create).status_code == 404
    assert client.post(create, own_platform_post()).status_code == 404
    assert not SchoolPlatform.objects.exists()
    assert not Platform.objects.filter(school__isnull=False).exists()


def test_dsl_sees_the_list_without_change_links(cast, client_for, facebook):
    response = client_for(cast.dsl).get(reverse("incidents:platform_list"))
    assert response.status_code == 200
    assert "Facebook" in response.content.decode()
    assert reverse("incidents:platform_edit", args=[facebook.pk]) not in response.content.decode()
    assert client_for(cast.parent).get(reverse("incidents:platform_list")).status_code == 404


@pytest.mark.parametrize("name", ["Facebook", "  facebook ", "Year 6 parents' WhatsApp group"])
def test_own_platform_name_must_differ_from_what_the_school_sees(cast, client_for, name):
    client = client_for(cast.headteacher)
    add_own_platform(client)
    response = client.post(reverse("incidents:platform_create"), own_platform_post(name, notes="Typed text kept."))
    assert response.status_code == 400
    body = response.content.decode()
    assert "shared list of platforms" in body or "Your school already has a platform called" in body
    assert "Typed text kept." in body
    assert Platform.objects.filter(name__iexact=name.strip()).count() == 1


def test_two_schools_may_each_have_an_own_platform_of_the_same_name(cast, client_for):
    add_own_platform(client_for(cast.headteacher))
    add_own_platform(client_for(cast.other_headteacher))
    assert Platform.objects.filter(name="Year 6 parents' WhatsApp group").count() == 2


def test_headteacher_edits_own_platform(cast, client_for):
    client = client_for(cast.headteacher)
    platform = add_own_platform(client)
    url = reverse("incidents:platform_edit", args=[platform.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, own_platform_post(report_url="example.org/report"))
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.report_url == "https://example.org/report"
    assert platform.school == cast.school


def admin_client(client_for) -> tuple:
    admin = User.objects.create_superuser(email="admin@example.org", password="x-unused-x", full_name="Site Admin")
    return client_for(admin)


def test_admin_edits_the_shared_row(cast, client_for, facebook):
    client = admin_client(client_for)
    url = reverse("admin:incidents_platform_change", args=[facebook.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Facebook",
            "school": "",
            "report_url": "https://www.facebook.com/help/new-report-page",
            "rules_url": facebook.rules_url,
            "minimum_age": 13,
            "notes": facebook.notes,
            "sort_order": facebook.sort_order,
        },
    )
    assert response.status_code == 302
    facebook.refresh_from_db()
    assert facebook.report_url == "https://www.facebook.com/help/new-report-page"
    assert facebook.history.first().report_url == "https://www.facebook.com/help/new-report-page"


def test_headteacher_cannot_use_the_admin(cast, client_for, facebook):
    response = client_for(cast.headteacher).get(reverse("admin:incidents_platform_change", args=[facebook.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_cannot_add_a_shared_name_a_school_already_uses(cast, client_for):
    add_own_platform(client_for(cast.headteacher))
    client = admin_client(client_for)
    response = client.post(
        reverse("admin:incidents_platform_add"),
        {"name": "year 6 parents' whatsapp group", "school": "", "sort_order": 100},
    )
    assert response.status_code == 200
    assert "already has its own platform" in response.content.decode()


def test_statistics_count_a_school_only_platform_for_its_school(cast, client_for, file_report):
    platform = add_own_platform(client_for(cast.headteacher))
    file_report(platform=platform)
    file_report()
    from django.utils import timezone

    today = timezone.localdate()
    figures = compute_incident_figures(cast.school, month_starts(today, 1), today)
    assert {row["label"]: row["count"] for row in figures.by_platform} == {
        "Year 6 parents' WhatsApp group": 1,
        "Facebook": 1,
    }
    other = compute_incident_figures(cast.other_school, month_starts(today, 1), today)
    assert other.by_platform == []


@pytest.mark.parametrize("size", [1, 12])
def test_platform_list_queries_are_constant(cast, client_for, django_assert_max_num_queries, size):
    client = client_for(cast.headteacher)
    for index in range(size):
        add_own_platform(client, f"Chat group {index}")
    for platform in Platform.objects.shared()[:size]:
        SchoolPlatform.objects.create(school=cast.school, platform=platform, notes=f"Note {platform.pk}")
    with django_assert_max_num_queries(9):
        assert client.get(reverse("incidents:platform_list")).status_code == 200
