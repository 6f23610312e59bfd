"""The headteacher's pages: list filters, the incident page, triage, steps and status."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents import actions
from incidents.models import EscalationStep, Incident, Nature, Outcome, Platform, Status, StepKind
from tests.factories import triaged

LIST = reverse("incidents:list")


def refs(response) -> set[str]:
    return {i.reference for i in response.context["page"]}


def test_list_filters(cast, client_for, file_report):
    tiktok = Platform.objects.get(name="TikTok")
    plain = file_report(content="A complaint about lunches")
    threat = file_report(natures=[Nature.THREAT], platform=tiktok, content="I will be waiting outside the gates")
    late = triaged(file_report(content="Late one"), cast)
    step = actions.add_step(incident=late, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    EscalationStep.objects.filter(pk=step.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    Incident.objects.filter(pk=late.pk).update(next_due_on=timezone.localdate() - timedelta(days=3))
    client = client_for(cast.headteacher)
    assert refs(client.get(LIST)) == {plain.reference, threat.reference, late.reference}
    assert refs(client.get(LIST, {"nature": "threat"})) == {threat.reference}
    assert refs(client.get(LIST, {"platform": tiktok.pk})) == {threat.reference}
    assert refs(client.get(LIST, {"status": "in_progress"})) == {late.reference}
    assert refs(client.get(LIST, {"status": "open"})) == {plain.reference, threat.reference, late.reference}
    assert refs(client.get(LIST, {"overdue": "on"})) == {late.reference}
    assert refs(client.get(LIST, {"q": "waiting outside"})) == {threat.reference}
    assert refs(client.get(LIST, {"q": plain.reference.lower()})) == {plain.reference}
    today = timezone.localdate()
    assert len(refs(client.get(LIST, {"date_from": today.isoformat(), "date_to": today.isoformat()}))) == 3
    assert refs(client.get(LIST, {"date_to": (today - timedelta(days=1)).isoformat()})) == set()
    page = client.get(LIST, {"overdue": "on"}).content.decode()
    assert "Overdue" in page


def ordered_refs(response) -> list[str]:
    return [i.reference for i in response.context["page"]]


def test_the_list_filtered_by_a_nature_is_newest_first_and_follows_every_change(cast, client_for, file_report):
    first, second, third = (file_report(natures=[Nature.THREAT]) for _ in range(3))
    file_report(natures=[Nature.COMPLAINT])
    file_report(school=cast.other_school, reporter=cast.other_school_parent, natures=[Nature.THREAT])
    client = client_for(cast.headteacher)
    assert ordered_refs(client.get(LIST, {"nature": "threat"})) == [third.reference, second.reference, first.reference]
    # The report moment corrected: the list orders by the new one (the natures keep a copy of it).
    first.created_at = timezone.now() + timedelta(minutes=5)
    first.save()
    assert ordered_refs(client.get(LIST, {"nature": "threat"})) == [first.reference, third.reference, second.reference]
    # Natures changed at triage: the case leaves one filter and joins another.
    actions.triage(
        incident=second,
        by=cast.headteacher,
        severity="low",
        natures=[Nature.DEFAMATORY],
        poster_kind="parent",
        owner=None,
    )
    assert ordered_refs(client.get(LIST, {"nature": "threat"})) == [first.reference, third.reference]
    assert ordered_refs(client.get(LIST, {"nature": "defamatory"})) == [second.reference]
    # Combined with a status, and never another school's.
    actions.triage(
        incident=third, by=cast.headteacher, severity="low", natures=[Nature.THREAT], poster_kind="parent", owner=None
    )
    assert ordered_refs(client.get(LIST, {"nature": "threat", "status": "triaged"})) == [third.reference]


def test_bad_filters_do_not_break_the_list(cast, client_for, file_report):
    file_report()
    response = client_for(cast.headteacher).get(
        LIST, {"status": "nonsense", "date_from": "31/02/2026", "platform": "x", "page": "999"}
    )
    assert response.status_code == 200


def test_list_is_paginated(cast, client_for, file_report):
    for _ in range(27):
        file_report()
    client = client_for(cast.headteacher)
    assert len(client.get(LIST).context["page"]) == 25
    assert len(client.get(LIST, {"page": 2}).context["page"]) == 2


def test_detail_shows_suggestions_and_the_platform_report_link(cast, client_for, file_report):
    incident = triaged(file_report(natures=[Nature.UNDERAGE], platform=Platform.objects.get(name="TikTok")), cast)
    page = client_for(cast.headteacher).get(incident.get_absolute_url()).content.decode()
    assert "Report an under-age account" in page
    assert "TikTok requires account holders to be at least 13" in page
    assert Platform.objects.get(name="TikTok").report_url in page
    assert "Jo Parent (parent or carer)" in page  # the reporter's role in words


def test_a_finished_case_suggests_no_more_steps(cast, client_for, file_report):
    incident = triaged(file_report(natures=[Nature.THREAT]), cast)
    client = client_for(cast.headteacher)
    assert "Now: " in client.get(incident.get_absolute_url()).content.decode()  # police, at once
    Incident.objects.filter(pk=incident.pk).update(status=Status.RESOLVED)
    page = client.get(incident.get_absolute_url()).content.decode()
    suggestions = page.split('id="next-heading"')[1].split('id="steps-heading"')[0]
    assert "Now: " not in suggestions
    assert "This case is resolved, so no further steps are suggested" in suggestions


def test_minimum_age_is_not_repeated_beside_the_suggestions_link(cast, client_for, file_report):
    incident = triaged(file_report(natures=[Nature.UNDERAGE], platform=Platform.objects.get(name="TikTok")), cast)
    page = client_for(cast.headteacher).get(incident.get_absolute_url()).content.decode()
    suggestions = page.split('id="next-heading"')[1].split('id="steps-heading"')[0]
    assert suggestions.count("at least 13") == 2  # the under-age report and the platform report
    assert "minimum age 13" not in suggestions


def test_triage_through_the_page(cast, client_for, file_report):
    incident = file_report()
    client = client_for(cast.headteacher)
    url = reverse("incidents:triage", args=[incident.pk])
    response = client.post(
        url, {"severity": "", "natures": ["complaint"], "poster_kind": "parent", "owner": cast.headteacher.pk}
    )
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "severity": "high",
            "natures": ["complaint", "threat"],
            "poster_kind": "pupil",
            "pupils": [cast.child.pk],
            f"pupil_role_{cast.child.pk}": "poster",
            "owner": cast.dsl.pk,
        },
    )
    assert response.status_code == 302
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.status == Status.TRIAGED and incident.owner == cast.dsl and incident.poster_pupil == cast.child


def test_triage_cannot_link_another_schools_pupil(cast, client_for, file_report):
    incident = file_report()
    url = reverse("incidents:triage", args=[incident.pk])
    response = client_for(cast.headteacher).post(
        url,
        {
            "severity": "high",
            "natures": ["complaint"],
            "poster_kind": "pupil",
            "pupils": [cast.other_school_child.pk],
            f"pupil_role_{cast.other_school_child.pk}": "poster",
            "owner": cast.headteacher.pk,
        },
    )
    assert response.status_code == 400
    assert "That pupil is not on your school&#x27;s roll" in response.content.decode()
    assert cast.other_school_child.full_name not in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).poster_pupil is None


def test_plan_record_and_skip_steps_through_the_page(cast, client_for, file_report):
    incident = triaged(file_report(), cast)
    client = client_for(cast.headteacher)
    client.post(reverse("incidents:step_add", args=[incident.pk]), {"kind": "platform_report"})
    step = EscalationStep.objects.get()
    response = client.post(
        reverse("incidents:step_outcome", args=[incident.pk, step.pk]),
        {f"step{step.pk}-outcome": "removed", f"step{step.pk}-external_reference": "FB-1234"},
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.outcome == Outcome.REMOVED and step.external_reference == "FB-1234"
    client.post(reverse("incidents:step_skip", args=[incident.pk]), {"kind": "removal_request", "reason": ""})
    assert not EscalationStep.objects.filter(kind="removal_request").exists()
    client.post(
        reverse("incidents:step_skip", args=[incident.pk]),
        {"kind": "removal_request", "reason": "Post removed already."},
    )
    assert EscalationStep.objects.get(kind="removal_request").skip_reason == "Post removed already."
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Post removed already." in page and "FB-1234" in page


def test_status_page_refuses_a_transition_not_in_the_map(cast, client_for, file_report):
    incident = file_report()
    client = client_for(cast.headteacher)
    client.post(reverse("incidents:status_change", args=[incident.pk]), {"status": "closed", "reason": "done"})
    assert Incident.objects.get(pk=incident.pk).status == Status.REPORTED
    client.post(reverse("incidents:status_change", args=[incident.pk]), {"status": "no_action", "reason": "Not ours."})
    assert Incident.objects.get(pk=incident.pk).status == Status.NO_ACTION


def test_user_text_is_escaped(cast, client_for, file_report):
    incident = file_report(content="<script>alert('x')</script>")
    page = client_for(cast.headteacher).get(incident.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("who", ["headteacher", "dsl"])
def test_landing_page_panel(cast, client_for, file_report, who):
    new = file_report()
    late = triaged(file_report(), cast)
    Incident.objects.filter(pk=late.pk).update(next_due_on=timezone.localdate() - timedelta(days=1))
    page = client_for(getattr(cast, who)).get(reverse("dashboard:home")).content.decode()
    assert "New reports to triage" in page and new.reference in page
    assert "Steps past their due date" in page and late.reference in page


def test_an_overdue_step_is_flagged_on_the_incident_page(cast, client_for, file_report):
    incident = triaged(file_report(), cast)
    late = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.REMOVAL_REQUEST)
    actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    EscalationStep.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=2))
    actions.refresh_next_due(incident)
    page = client_for(cast.headteacher).get(incident.get_absolute_url()).content.decode()
    assert "A step is overdue" in page
    # Only the late step carries the badge, on its own card.
    late_card = page.split(f'id="step-{late.pk}"')[1].split('class="card mb-2')[0]
    assert "Overdue" in late_card and "border-danger" in page.split(f'id="step-{late.pk}"')[0][-80:]
    assert page.count('<span class="badge badge-overdue">Overdue</span>') == 1


def test_triage_page_asks_what_and_how_serious_first(cast, client_for, file_report):
    incident = file_report()
    page = client_for(cast.headteacher).get(reverse("incidents:triage", args=[incident.pk])).content.decode()
    order = [
        page.index(label) for label in ('for="id_severity"', 'id="id_natures', 'for="id_poster_kind"', 'for="id_owner"')
    ]
    assert order == sorted(order)
    # An unknown poster reads as "Not known", not as a row of dashes.
    assert ">Not known</option>" in page and "Not known, or not a parent" in page and "---------" not in page


def test_timeline_page_shows_everything_in_order_with_who(cast, client_for, file_report):
    from schoolsocial.lib.uploads import inspect_upload

    from .conftest import upload

    incident = triaged(file_report(files=1), cast)
    step = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    actions.record_step_outcome(step=step, by=cast.dsl, outcome="refused", external_reference="FB-77")
    actions.skip_step(incident=incident, by=cast.headteacher, kind=StepKind.REMOVAL_REQUEST, reason="Poster unknown.")
    actions.add_note(incident=incident, by=cast.dsl, text="Checked again: the post is gone.")
    item = upload("later.png")
    actions.add_evidence(incident=incident, by=cast.dsl, uploads=[(item, inspect_upload(item))])
    actions.change_status(incident=incident, by=cast.headteacher, status="resolved", reason="Removed by Facebook.")
    page = client_for(cast.dsl).get(reverse("incidents:timeline", args=[incident.pk])).content.decode()
    expected = [
        "Reported by Jo Parent",
        "1 evidence file added: shot-0.png",
        "Triaged as medium severity",
        "Planned: Report to the platform",
        "Report to the platform: refused (the platform&#x27;s own reference FB-77)",
        "Skipped: Ask the poster to remove it",
        "Poster unknown.",
        "Note from",
        "Checked again: the post is gone.",
        "1 evidence file added: later.png",
        "Status changed to resolved",
        "Removed by Facebook.",
    ]
    positions = [page.index(text) for text in expected]
    assert positions == sorted(positions)
    assert page.count(timezone.localtime().strftime("%d/%m/%Y")) >= len(expected) - 4
    assert cast.dsl.full_name in page and cast.headteacher.full_name in page


@pytest.mark.parametrize("who", ["headteacher", "parent"])
def test_a_refused_file_keeps_the_description_typed_for_it(cast, client_for, file_report, who):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import upload

    incident = file_report(files=1)
    if who == "headteacher":
        add_url, page_url = reverse("incidents:evidence_add", args=[incident.pk]), incident.get_absolute_url()
    else:
        add_url = reverse("incidents:report_add_evidence", args=[incident.pk])
        page_url = reverse("incidents:report_status", args=[incident.pk])
    client = client_for(getattr(cast, who))
    description = "The second post, from the Year 6 chat on Friday evening"
    refused = SimpleUploadedFile("post.html", b"<script>alert(1)</script>", content_type="text/html")
    page = client.post(add_url, {"files": [refused], "description": description}, follow=True).content.decode()
    assert "is not a picture or PDF we can accept" in page
    assert f'value="{description}"' in page  # waiting in the form for the next try
    assert incident.evidence.count() == 1
    # Once used (or seen), it is not offered again.
    client.post(add_url, {"files": [upload("post.png")], "description": description})
    assert incident.evidence.filter(description=description).count() == 1
    assert f'value="{description}"' not in client.get(page_url).content.decode()


def test_the_incident_page_links_to_the_pupil_only_for_those_who_may_open_it(cast, client_for, file_report):
    incident = actions.triage(
        incident=file_report(),
        by=cast.headteacher,
        severity="medium",
        natures=["cyberbullying"],
        poster_kind="pupil",
        pupil_links=[(cast.child, "poster")],
        owner=cast.headteacher,
    )
    pupil_url = cast.child.get_absolute_url()
    # The DSL opens the pupil's page too (with the child's cases on it); a link never leads to a 404.
    for who, may_open in (("dsl", True), ("headteacher", True)):
        client = client_for(getattr(cast, who))
        page = client.get(incident.get_absolute_url()).content.decode()
        assert cast.child.full_name in page  # the DSL still sees who posted
        assert (f'href="{pupil_url}"' in page) is may_open, who
        assert (client.get(pupil_url).status_code == 200) is may_open, who  # no link to a 404


def test_help_texts_show_the_acting_schools_own_reference_format(cast, client_for):
    from django.utils import timezone

    from complaints.forms import LinkIncidentForm
    from incidents.letters.models import LetterKind

    year = timezone.localdate().year
    page = client_for(cast.other_headteacher).get(reverse("letters:wording_edit", args=[LetterKind.OUTCOME]))
    assert f"HVP-{year}-0007" in page.content.decode() and "NBP-" not in page.content.decode()
    help_text = LinkIncidentForm(school=cast.other_school).fields["reference"].help_text
    assert f"For example HVP-{year}-0007." in help_text


def test_a_triage_saved_meanwhile_by_someone_else_wins_and_the_late_one_is_told(cast, client_for, file_report):
    incident = file_report()
    url = reverse("incidents:triage", args=[incident.pk])
    opened = client_for(cast.headteacher).get(url).context["form"].initial["seen_version"]
    form = {
        "severity": "high",
        "natures": ["defamatory"],
        "poster_kind": "unknown",
        "owner": cast.headteacher.pk,
        "seen_version": opened,
    }
    # The DSL opened the same triage and saved first.
    dsl = client_for(cast.dsl)
    dsl_form = {**form, "severity": "low", "natures": ["complaint"], "poster_kind": "parent", "owner": cast.dsl.pk}
    assert (
        dsl.post(url, {**dsl_form, "seen_version": dsl.get(url).context["form"].initial["seen_version"]}).status_code
        == 302
    )
    head = client_for(cast.headteacher)
    response = head.post(url, form)
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by Tom Safeguard" in body and "were not saved" in body
    assert response.context["form"]["severity"].value() == "high"  # the headteacher's own answers are kept
    incident.refresh_from_db()
    assert incident.severity == "low" and incident.owner == cast.dsl
    assert incident.timeline.filter(kind="triaged").count() == 1

    # Saving again after seeing theirs works, once.
    again = head.post(url, {**form, "seen_version": response.context["form"].data["seen_version"]})
    assert again.status_code == 302
    incident.refresh_from_db()
    assert incident.severity == "high" and incident.timeline.filter(kind="triaged").count() == 2


def test_the_overdue_list_puts_the_longest_overdue_first(cast, client_for, file_report):
    today = timezone.localdate()
    by_days_late = {}
    for days in (2, 9, 5):
        incident = file_report(content=f"{days} days late")
        Incident.objects.filter(pk=incident.pk).update(next_due_on=today - timedelta(days=days))
        by_days_late[days] = incident.reference
    due_today = file_report(content="Due today")
    Incident.objects.filter(pk=due_today.pk).update(next_due_on=today)
    page = client_for(cast.headteacher).get(LIST, {"overdue": "on"}).context["page"]
    assert [i.reference for i in page] == [by_days_late[9], by_days_late[5], by_days_late[2]]


def test_the_date_filters_take_whole_days_in_london_time(cast, client_for, file_report):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    late_evening = file_report(content="Late on the 3rd")  # 23:30 in London, 22:30 UTC in summer
    early_morning = file_report(content="Early on the 4th")
    Incident.objects.filter(pk=late_evening.pk).update(created_at=datetime(2026, 6, 3, 23, 30, tzinfo=london))
    Incident.objects.filter(pk=early_morning.pk).update(created_at=datetime(2026, 6, 4, 0, 15, tzinfo=london))
    client = client_for(cast.headteacher)
    assert refs(client.get(LIST, {"date_to": "2026-06-03"})) == {late_evening.reference}
    assert refs(client.get(LIST, {"date_from": "2026-06-04", "date_to": "2026-06-04"})) == {early_morning.reference}


def test_a_list_row_shows_what_the_case_is_with_every_value_escaped(cast, client_for, file_report):
    cast.headteacher.full_name = "Mrs <b>Bold</b> & Co"
    cast.headteacher.save()
    incident = triaged(file_report(natures=[Nature.THREAT, Nature.DEFAMATORY]), cast)
    Incident.objects.filter(pk=incident.pk).update(next_due_on=timezone.localdate() - timedelta(days=1))
    page = client_for(cast.headteacher).get(LIST).content.decode()
    row = page.split(f'<a href="{incident.get_absolute_url()}">{incident.reference}</a>')[1].split("</tr>")[0]
    assert "Defamatory statement, Threat of violence" in row
    assert "Mrs &lt;b&gt;Bold&lt;/b&gt; &amp; Co" in row and "<b>Bold</b>" not in page
    assert '<span class="badge badge-overdue">Overdue</span>' in row
    assert (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y") in row
