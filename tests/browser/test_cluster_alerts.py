"""A headteacher sends an anonymised alert from an incident's step; the headteacher of another
school in the cluster finds it on their dashboard and reads it, with nothing that points back."""

import pytest
from django.urls import reverse

from incidents import actions
from incidents.models import ClusterAlert, Nature, StepKind
from tests.incidents.conftest import ensure_platforms, report_details

pytestmark = pytest.mark.django_db(transaction=True)


def planned_alert(cast):
    ensure_platforms()
    from incidents.models import Platform

    incident = actions.report(
        school=cast.school,
        reporter=cast.parent,
        role="parent",
        details=report_details(Platform.objects.get(name="Facebook"), account_name="Village Mums Chat"),
        natures=[Nature.CYBERBULLYING],
        urls=["https://www.facebook.com/groups/123/posts/456"],
    )
    actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="medium",
        natures=[Nature.CYBERBULLYING],
        poster_kind="parent",
        poster_parent=cast.other_parent,
        owner=cast.headteacher,
    )
    step = actions.add_step(incident=incident, by=cast.headteacher, kind=StepKind.CLUSTER_ALERT)
    return incident, step


def test_a_headteacher_alerts_the_cluster_and_another_school_reads_it(
    cast, page, new_page, sign_in_page, assert_axe_clean
):
    incident, step = planned_alert(cast)
    sign_in_page(page, cast.headteacher)
    page.goto(reverse("incidents:detail", args=[incident.pk]))
    page.locator(f"#step-{step.pk}").get_by_role("link", name="Write the cluster alert").click()

    page.get_by_role("heading", name="Alert the other schools in your cluster").wait_for()
    assert page.get_by_label("Platform").input_value() == "Facebook"
    assert page.get_by_label("Cyber-bullying").is_checked()
    assert not page.get_by_label("Show our school's name").is_checked()
    page.get_by_label("What happened").fill(
        "A parent posted in a private chat that a child in one class is being left out on purpose."
    )
    page.get_by_label("Advice for the other schools").fill("Check your own class chats for the same thread.")
    page.get_by_role("button", name="Preview the alert").click()
    preview = page.locator(".cluster-alert-preview")
    preview.get_by_text("being left out on purpose").wait_for()
    assert "A school in your cluster" in preview.inner_text()
    assert "Village Mums Chat" not in preview.inner_text()
    assert_axe_clean(page, "cluster-alert-compose")
    page.get_by_role("button", name="Send to 1 school").click()

    page.get_by_text("The alert is on its way").wait_for()
    page.locator("ol.timeline").get_by_role("link", name="Open the alert").wait_for()
    alert = ClusterAlert.objects.get()

    other = new_page()
    sign_in_page(other, cast.other_headteacher)
    other.goto(reverse("dashboard:home"))
    other.get_by_role("heading", name="Cluster alerts").wait_for()
    other.get_by_role("link", name="Facebook: Cyber-bullying").click()
    other.get_by_role("heading", name="Alert about Facebook").wait_for()
    text = other.locator("main").inner_text()
    assert "being left out on purpose" in text and "A school in your cluster" in text
    for secret in (incident.reference, cast.school.name, "Village Mums Chat", cast.other_parent.full_name):
        assert secret not in text
    assert other.url.endswith(alert.get_absolute_url())
    assert_axe_clean(other, "cluster-alert-received")
