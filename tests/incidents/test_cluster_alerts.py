"""Cluster alerts: a headteacher sends an anonymised summary from an incident's step; the other
schools of the cluster read it, and nothing in it points back to the case or its people."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Cluster, Role
from dashboard.panels.cluster import cluster_panel
from incidents import actions
from incidents.cluster import actions as cluster_actions
from incidents.cluster.drafts import Draft
from incidents.models import ClusterAlert, EntryKind, Incident, Nature, Outcome, StepKind
from notifications.models import Notification
from notifications.outbox import deliver
from tests.factories import make_school, make_user

HANDLE = "Northbrook Mums & Dads"
LIST = reverse("cluster_alerts:list")


@pytest.fixture
def case(cast, file_report):
    """A triaged case naming a pupil poster, with a planned cluster-alert step."""
    incident = file_report(natures=[Nature.CYBERBULLYING, Nature.IMAGES], account_name=HANDLE)
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="high",
        natures=[Nature.CYBERBULLYING, Nature.IMAGES],
        poster_kind="parent",
        poster_parent=cast.other_parent,
        owner=cast.dsl,
    )
    done = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.PLATFORM_REPORT)
    actions.record_step_outcome(step=done, by=cast.headteacher, outcome=Outcome.REMOVED)
    step = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.CLUSTER_ALERT)
    return incident, step


@pytest.fixture
def receivers(cast):
    """The other cluster school's DSL and a school outside the cluster, with its headteacher."""
    outsider_school = make_school("FAR", "Faraway Academy", Cluster.objects.create(name="Elsewhere Trust"))
    return {
        "dsl": make_user(cast.other_school, Role.DSL, name="Olu OtherDSL", email="olu@hollins.example.org"),
        "staff": make_user(cast.other_school, Role.STAFF, name="Stan OtherStaff"),
        "governor": make_user(cast.other_school, Role.GOVERNOR, name="Gwen OtherGovernor"),
        "outsider": make_user(outsider_school, Role.HEADTEACHER, name="Fay Faraway"),
    }


def draft(**changes) -> Draft:
    fields = {
        "platform_name": "Facebook",
        "natures": [Nature.CYBERBULLYING, Nature.IMAGES],
        "account_is_public": False,
        "account_name": HANDLE,
        "summary": "Photos from a school event were shared in a local group with unkind comments about a child.",
        "actions_taken": "We reported the post to the platform.",
        "advice": "Remind families not to share event photos that show other children.",
        "show_school_name": False,
    }
    fields.update(changes)
    return Draft.from_data(fields)


def compose_url(incident, step) -> str:
    return reverse("cluster_alerts:compose", args=[incident.pk, step.pk])


def form_data(**changes) -> dict:
    data = {
        "platform_name": "Facebook",
        "natures": [Nature.CYBERBULLYING, Nature.IMAGES],
        "account_name": HANDLE,
        "summary": "Photos from a school event were shared in a local group with unkind comments about a child.",
        "actions_taken": "We reported the post to the platform.",
        "advice": "Remind families not to share event photos that show other children.",
    }
    data.update(changes)
    return data


def preview_then_send(client, incident, step, **changes):
    data = form_data(**changes)
    previewed = client.post(compose_url(incident, step), {**data, "action": "preview"})
    assert previewed.status_code == 200, previewed.context["form"].errors
    return client.post(
        compose_url(incident, step), {**data, "action": "send", "previewed": previewed.context["digest"]}
    )


def forbidden_words(cast, incident) -> list[str]:
    """What a receiving school must never read."""
    return [
        incident.reference,
        cast.school.name,
        HANDLE,
        "Mums &amp; Dads",
        cast.parent.full_name,  # the reporter
        cast.other_parent.full_name,  # the poster
        cast.child.first_name + " " + cast.child.last_name,
        cast.other_child.first_name + " " + cast.other_child.last_name,
        cast.headteacher.full_name,
        cast.dsl.full_name,
        incident.get_absolute_url(),
    ]


# --- Composing and sending --------------------------------------------------------------------


def test_the_form_starts_from_the_facts_without_personal_data(cast, client_for, case):
    incident, step = case
    response = client_for(cast.headteacher).get(compose_url(incident, step))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["platform_name"].value() == "Facebook"
    assert set(form["natures"].value()) == {Nature.CYBERBULLYING, Nature.IMAGES}
    assert form["actions_taken"].value() == "We reported the post to the platform."
    assert not form["account_is_public"].value() and not form["show_school_name"].value()
    assert not form["summary"].value()
    page = response.content.decode()
    assert "No names of pupils, staff or parents" in page
    assert "What the other schools will receive" in page
    assert "Send to" not in page  # sending comes after a preview


def test_the_preview_is_what_they_receive_and_sending_records_everything(
    cast, client_for, case, receivers, django_capture_on_commit_callbacks
):
    incident, step = case
    client = client_for(cast.headteacher)
    previewed = client.post(compose_url(incident, step), {**form_data(), "action": "preview"})
    preview = previewed.content.decode()
    assert "A school in your cluster" in preview and "Send to 1 school" in preview
    assert "unkind comments about a child" in preview

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            compose_url(incident, step), {**form_data(), "action": "send", "previewed": previewed.context["digest"]}
        )
    assert response.status_code == 302
    alert = ClusterAlert.objects.get()
    assert (alert.source_school, alert.cluster, alert.incident, alert.sent_by) == (
        cast.school,
        cast.school.cluster,
        incident,
        cast.headteacher,
    )
    assert alert.account_name == "" and not alert.show_school_name and alert.recipients_count == 1
    assert alert.history.count() == 1
    step.refresh_from_db()
    assert step.outcome == Outcome.ALERT_SENT and step.completed_by == cast.headteacher
    entry = incident.timeline.get(kind=EntryKind.ALERT, step=step)
    assert entry.link == alert.get_absolute_url() and entry.internal
    assert "Open the alert" in client.get(incident.get_absolute_url()).content.decode()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [cast.other_headteacher.email, receivers["dsl"].email]
    )


def test_a_change_after_the_preview_is_previewed_again_not_sent(cast, client_for, case):
    incident, step = case
    client = client_for(cast.headteacher)
    previewed = client.post(compose_url(incident, step), {**form_data(), "action": "preview"})
    response = client.post(
        compose_url(incident, step),
        {**form_data(advice="Something else."), "action": "send", "previewed": previewed.context["digest"]},
    )
    assert response.status_code == 200 and "Something else." in response.content.decode()
    assert not ClusterAlert.objects.exists()


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("summary", "Mia Parent was photographed at sports day.", "someone at your school"),
        ("advice", "Watch out for Sam Other.", "someone at your school"),
        ("summary", "Sam's post upset the class.", "someone at your school"),  # a first name alone
        ("actions_taken", "Mr Safeguard spoke to the family.", "someone at your school"),
        ("summary", "Linked to {reference}.", "whose case it is"),
        ("summary", "This happened at Northbrook Primary School.", "Show our school"),
        ("summary", "Posted in Northbrook Mums & Dads.", "public account"),
    ],
)
def test_names_and_identifying_details_are_refused_beside_the_field(cast, client_for, case, field, text, message):
    incident, step = case
    data = form_data(**{field: text.format(reference=incident.reference)})
    response = client_for(cast.headteacher).post(compose_url(incident, step), {**data, "action": "preview"})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    kept = "Remind families not to share" if field != "advice" else "Watch out for Sam Other."
    assert kept in response.content.decode()  # nothing typed is lost


def test_a_public_group_and_the_school_name_are_sent_only_when_ticked(cast, client_for, case, receivers):
    incident, step = case
    response = preview_then_send(
        client_for(cast.headteacher),
        incident,
        step,
        account_is_public="on",
        show_school_name="on",
        summary="Posted in Northbrook Mums & Dads, a public group, by Northbrook Primary School parents.",
    )
    assert response.status_code == 302
    alert = ClusterAlert.objects.get()
    assert alert.account_name == HANDLE and alert.show_school_name
    page = client_for(cast.other_headteacher).get(alert.get_absolute_url()).content.decode()
    assert "Northbrook Mums &amp; Dads" in page and cast.school.name in page
    assert incident.reference not in page


# --- What the receiving schools see ------------------------------------------------------------


def test_emails_and_receiving_pages_contain_nothing_that_identifies_the_case(
    cast, client_for, case, receivers, django_capture_on_commit_callbacks
):
    incident, step = case
    with django_capture_on_commit_callbacks(execute=True):
        alert = cluster_actions.send_alert(step=step, by=cast.headteacher, draft=draft())
    assert len(mail.outbox) == 2
    client = client_for(cast.other_headteacher)
    pages = {
        "list": client.get(LIST),
        "detail": client.get(alert.get_absolute_url()),
        "home": client.get(reverse("dashboard:home")),
    }
    assert all(response.status_code == 200 for response in pages.values())
    texts = {name: response.content.decode() for name, response in pages.items()}
    for message in mail.outbox:
        texts[f"email to {message.to[0]}"] = (
            message.subject + message.body + message.alternatives[0][0] + str(message.extra_headers)
        )
    for name, text in texts.items():
        assert "unkind comments about a child" in text or name in ("list", "home"), name
        assert "A school in your cluster" in text, name
        for word in forbidden_words(cast, incident):
            assert word not in text, f"{word!r} found in {name}"
    assert "A school in your cluster" in texts["detail"] and "A school in your cluster" in texts["home"]
    assert "Cluster alerts" in texts["home"]


def test_the_source_school_sees_its_own_alert_with_the_way_back_to_the_case(cast, client_for, case):
    incident, step = case
    alert = cluster_actions.send_alert(step=step, by=cast.headteacher, draft=draft())
    page = client_for(cast.dsl).get(alert.get_absolute_url()).content.decode()
    assert incident.reference in page and "Your school sent this alert" in page
    listing = client_for(cast.headteacher).get(LIST).content.decode()
    assert "Your school" in listing
    # Its own alert is not news to it: the landing-page panel shows only what others sent.
    assert alert.get_absolute_url() not in client_for(cast.headteacher).get(reverse("dashboard:home")).content.decode()


@pytest.mark.parametrize("who", ["staff", "governor", "outsider"])
def test_others_get_404_on_the_alert_and_the_list(cast, client_for, case, receivers, who):
    incident, step = case
    alert = cluster_actions.send_alert(step=step, by=cast.headteacher, draft=draft())
    client = client_for(receivers[who])
    assert client.get(alert.get_absolute_url()).status_code == 404
    if who != "outsider":
        assert client.get(LIST).status_code == 404
    else:
        assert alert.get_absolute_url() not in client.get(LIST).content.decode()


@pytest.mark.parametrize("who", ["other_office", "other_school_parent"])
def test_office_and_parents_at_the_receiving_school_get_404(cast, client_for, case, who):
    incident, step = case
    alert = cluster_actions.send_alert(step=step, by=cast.headteacher, draft=draft())
    client = client_for(getattr(cast, who))
    assert client.get(alert.get_absolute_url()).status_code == 404
    assert client.get(LIST).status_code == 404


def test_another_school_cannot_compose_on_this_schools_step(cast, client_for, case):
    incident, step = case
    client = client_for(cast.other_headteacher)
    assert client.get(compose_url(incident, step)).status_code == 404
    assert client.post(compose_url(incident, step), {**form_data(), "action": "preview"}).status_code == 404


def test_the_panel_shows_the_last_90_days_only(cast, client_for, case, file_report):
    incident, step = case
    alert = cluster_actions.send_alert(step=step, by=cast.headteacher, draft=draft())
    ClusterAlert.objects.filter(pk=alert.pk).update(sent_at=timezone.now() - timedelta(days=91))
    home = client_for(cast.other_headteacher).get(reverse("dashboard:home")).content.decode()
    assert "No alerts from your cluster in the last 90 days" in home
    assert alert.get_absolute_url() in client_for(cast.other_headteacher).get(LIST).content.decode()


# --- Idempotency ------------------------------------------------------------------------------


def test_sending_twice_or_redelivering_emails_each_person_once(
    cast, client_for, case, receivers, django_capture_on_commit_callbacks
):
    incident, step = case
    client = client_for(cast.headteacher)
    data = form_data()
    previewed = client.post(compose_url(incident, step), {**data, "action": "preview"})
    send = {**data, "action": "send", "previewed": previewed.context["digest"]}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(compose_url(incident, step), send).status_code == 302
        assert client.post(compose_url(incident, step), send).status_code == 302  # a double click
        with pytest.raises(actions.ActionError):
            cluster_actions.send_alert(step=step, by=cast.headteacher, draft=draft())
    alert = ClusterAlert.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert cluster_actions.email_alert(alert) == 0  # delivery run again
    for notification in Notification.objects.filter(template="cluster-alert"):
        assert deliver(notification.pk) == "skipped"
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(template="cluster-alert").count() == 2
    assert incident.timeline.filter(kind=EntryKind.ALERT).count() == 1


def test_the_generic_outcome_form_cannot_complete_a_cluster_step(cast, case):
    incident, step = case
    with pytest.raises(actions.ActionError):
        actions.record_step_outcome(step=step, by=cast.headteacher, outcome=Outcome.DONE)


# --- No cluster -------------------------------------------------------------------------------


def test_a_school_without_a_cluster_is_told_so_and_offered_nothing(cast, client_for, case):
    incident, step = case
    type(cast.school).objects.filter(pk=cast.school.pk).update(cluster=None)
    client = client_for(cast.headteacher)
    response = client.get(compose_url(incident, step))
    page = response.content.decode()
    assert response.status_code == 200
    assert "does not belong to a cluster" in page and "<textarea" not in page and "Send to" not in page
    assert client.post(compose_url(incident, step), {**form_data(), "action": "send"}).status_code == 200
    assert "belongs to no cluster" in client.get(incident.get_absolute_url()).content.decode()
    with pytest.raises(actions.ActionError, match="does not belong to a cluster"):
        cluster_actions.send_alert(step=step, by=cast.headteacher, draft=draft())
    assert not ClusterAlert.objects.exists()
    assert client.get(reverse("dashboard:home")).status_code == 200


# --- Query counts -----------------------------------------------------------------------------

LIST_QUERIES = 8


def many_alerts(cast, count: int) -> None:
    incident = Incident.objects.filter(school=cast.school).first()
    assert incident is not None
    for index in range(count):
        ClusterAlert.objects.create(
            source_school=cast.school,
            cluster=cast.school.cluster,
            incident=incident,
            sent_by=cast.headteacher,
            platform_name="TikTok",
            natures=[Nature.THREAT],
            summary=f"Alert {index}",
            show_school_name=bool(index % 2),
        )


@pytest.mark.parametrize("size", [2, 30])
def test_list_and_panel_queries_are_constant(
    cast, client_for, case, rf, django_assert_max_num_queries, django_assert_num_queries, size
):
    many_alerts(cast, size)
    client = client_for(cast.other_headteacher)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(LIST, {"page": "2"}).status_code == 200
    with django_assert_num_queries(1):
        panel = cluster_panel(rf.get("/"), cast.other_school)
    assert len(panel["alerts"]) == min(size, 5) and panel["more"] == (size > 5)
    assert client.get(reverse("dashboard:home")).status_code == 200


# --- Demo data --------------------------------------------------------------------------------


def test_the_demo_sends_one_anonymous_alert_once(cast, django_capture_on_commit_callbacks):
    import io

    from demo import cluster as cluster_demo
    from demo import incidents as demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed([cast.school], {}, io.StringIO())
        cluster_demo.seed([cast.school, cast.other_school], demo.LETTERS_STORY, io.StringIO())
    alert = ClusterAlert.objects.get()
    assert alert.source_school == cast.school and not alert.show_school_name
    assert alert.incident.content == demo.LETTERS_STORY and alert.step.outcome == Outcome.ALERT_SENT
    assert Notification.objects.filter(template="cluster-alert", school=cast.other_school).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        cluster_demo.seed([cast.school, cast.other_school], demo.LETTERS_STORY, io.StringIO())
    assert ClusterAlert.objects.count() == 1
