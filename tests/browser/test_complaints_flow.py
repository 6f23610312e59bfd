"""A complaint from the parent's phone to the governors' panel, and the headteacher's dashboard."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, PanelRecord, Stage
from incidents.models import EscalationStep, Incident, IncidentNature, Nature, Platform, PosterKind, Status, StepKind

pytestmark = pytest.mark.django_db(transaction=True)


def test_parent_raises_head_escalates_governor_decides(cast, phone_page, new_page, sign_in_page, assert_axe_clean):
    # The parent, on a phone.
    parent = phone_page
    sign_in_page(parent, cast.parent)
    parent.goto(reverse("complaints:raise"))
    assert_axe_clean(parent, name="complaint-raise-phone")
    parent.get_by_label("Child").select_option(label=cast.child.full_name)
    parent.get_by_label("In a few words, what is it about?").fill("Unkind posts in the class group chat")
    parent.get_by_label("Tell us what happened").fill("Mia was named in posts by other parents last week.")
    parent.get_by_label("What would you like the school to do?").fill("A reminder to parents about the group chat.")
    parent.get_by_role("button", name="Send to the school").click()
    parent.get_by_role("heading", name="Unkind posts in the class group chat").wait_for()
    complaint = Complaint.objects.get()

    # The headteacher acknowledges, responds, and escalates to the panel.
    head = new_page()
    sign_in_page(head, cast.headteacher)
    head.goto(reverse("complaints:detail", args=[complaint.pk]))
    assert_axe_clean(head, name="complaint-detail-head")
    head.get_by_role("button", name="Send acknowledgement").click()
    head.get_by_text("Acknowledgement sent to the parent.").wait_for()
    head.locator("#id_message").fill("We have spoken to the parents concerned.")
    head.get_by_label("This is the school's response at this stage").check()
    head.get_by_role("button", name="Send to the parent").click()
    head.get_by_text("Message sent to the parent.").wait_for()
    head.get_by_label("Internal note (never shown to the parent or the governors)").fill("Class rep spoken to.")
    head.get_by_role("button", name="Add note").click()
    head.get_by_text("Note added. Only the school can see it.").wait_for()
    for stage, reason in (("formal", "You asked for a formal review."), ("panel", "You asked for a panel.")):
        head.get_by_label("Move to").select_option(stage)
        head.locator("#id_reason").fill(reason)
        head.get_by_role("button", name="Move", exact=True).click()
        # The message is on the page already after the first move: wait for the new stage's badge.
        head.locator(f"h1 + .badge.stage-{stage}").wait_for()
        head.get_by_text("Stage updated and the parent told.").wait_for()
    complaint.refresh_from_db()
    assert complaint.stage == Stage.PANEL

    # The parent sees the response and the stage, never the note.
    parent.goto(reverse("complaints:my_complaint", args=[complaint.pk]))
    parent.get_by_text("We have spoken to the parents concerned.").wait_for()
    assert parent.get_by_text("Class rep spoken to.").count() == 0
    assert parent.get_by_text("Governors' panel", exact=True).first.is_visible()

    # A governor declares no conflict, reads the bundle and records the decision.
    governor = new_page()
    sign_in_page(governor, cast.governor)
    governor.goto(reverse("complaints:governor_list"))
    governor.get_by_role("link", name=complaint.reference).click()
    governor.get_by_label("No: I have no personal connection").wait_for()
    assert_axe_clean(governor, name="complaint-declare")
    governor.get_by_label("No: I have no personal connection").check()
    governor.get_by_role("button", name="Record my answer").click()
    governor.get_by_role("heading", name=f"Panel bundle: {complaint.reference}").wait_for()
    body = governor.locator("main").inner_text()
    assert "Mia" not in body and "Pupil A" in body and "Class rep spoken to." not in body
    assert_axe_clean(governor, name="complaint-bundle")
    governor.get_by_label("Date the panel met").fill(timezone.localdate().isoformat())
    governor.get_by_label("Panel members").fill("Geoff Governor\nRuth Chair")
    governor.get_by_label("Not upheld").check()
    governor.get_by_label("The panel's reasons").fill("The school acted promptly and kept the family informed.")
    governor.get_by_role("button", name="Record the decision").click()
    governor.get_by_text("The panel's decision is recorded.").wait_for()
    record = PanelRecord.objects.get()
    assert record.get_decision_display() == "Not upheld"
    complaint.refresh_from_db()
    assert complaint.stage == Stage.CLOSED


def _incidents(cast) -> None:
    now = timezone.now()
    # transaction=True tests start from an empty database, without the migrated platform directory.
    platforms = [
        Platform.objects.get_or_create(name=name)[0] for name in ("Facebook", "Instagram", "TikTok", "WhatsApp")
    ]
    natures = [Nature.CYBERBULLYING, Nature.COMPLAINT, Nature.OFFENSIVE_NAMED, Nature.THREAT, Nature.IMAGES]
    for n in range(36):
        created = now - timedelta(days=n * 9 + 1)
        incident = Incident.objects.create(
            school=cast.school,
            reporter=cast.staff,
            reporter_role="staff",
            reference=f"NBP-D-{n:04d}",
            year=created.year,
            number=n + 1,
            platform=platforms[n % len(platforms)],
            seen_at=created,
            content="A post about the school.",
            poster_kind=PosterKind.UNKNOWN,
            created_at=created,
            safeguarding_concern=n % 7 == 0,
        )
        IncidentNature.objects.create(incident=incident, nature=natures[n % len(natures)])
        if n % 3 == 0:
            EscalationStep.objects.create(incident=incident, kind=StepKind.PLATFORM_REPORT, created_by=cast.headteacher)
            incident.status = Status.TRIAGED
            incident.save()
            incident.status = Status.RESOLVED
            incident.save()


def test_headteacher_dashboard_shows_charts(cast, page, sign_in_page, assert_axe_clean):
    _incidents(cast)
    sign_in_page(page, cast.headteacher)
    page.goto(reverse("dashboard:home"))
    page.get_by_role("heading", name="What needs you today").wait_for()
    page.get_by_role("heading", name="Trends over the last 12 months").wait_for()
    # Chart.js has drawn on each canvas.
    for canvas in ("chart-per-month", "chart-by-nature", "chart-by-platform", "chart-resolution"):
        drawn = page.evaluate(f"() => !!Chart.getChart(document.getElementById('{canvas}'))")
        assert drawn, canvas
    page.get_by_text("Show the numbers as a table").first.click()
    page.get_by_role("table", name="Incidents per month").wait_for()
    assert_axe_clean(page, name="dashboard-headteacher")


def test_the_nature_chart_names_every_nature_it_draws(cast, page, sign_in_page):
    """Fourteen natures crowd the chart: each bar keeps a label (long ones shortened), none skipped."""
    _incidents(cast)
    incident = Incident.objects.filter(school=cast.school).order_by("-created_at").first()
    for code in Nature.values:
        IncidentNature.objects.get_or_create(incident=incident, nature=code)
    sign_in_page(page, cast.headteacher)
    page.goto(reverse("dashboard:home"))
    page.get_by_role("heading", name="Trends over the last 12 months").wait_for()
    labels, ticks = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById('chart-by-nature'));
            const scale = chart.scales.y;
            return [chart.data.labels, scale.ticks.map((tick) => scale.getLabelForValue(tick.value) && tick.label)];
        }"""
    )
    assert len(labels) == len(Nature.values) and len(ticks) == len(labels)
    assert all(len(tick) <= 28 for tick in ticks)
    longest = max(labels, key=len)
    assert len(longest) > 28 and ticks[labels.index(longest)].endswith("\u2026")


def test_governors_statistics_page(cast, page, sign_in_page, assert_axe_clean):
    _incidents(cast)
    sign_in_page(page, cast.governor)
    page.goto(reverse("complaints:statistics"))
    page.get_by_role("heading", name="Anonymised statistics").wait_for()
    assert page.evaluate("() => !!Chart.getChart(document.getElementById('chart-by-nature'))")
    assert "NBP-D-" not in page.locator("main").inner_text()
    assert_axe_clean(page, name="governor-statistics")
