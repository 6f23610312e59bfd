"""The headteacher's dashboard and the anonymised figures behind its charts."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from complaints import actions
from complaints.models import TermlyReport
from incidents import statistics
from incidents.models import EscalationStep, Incident, Nature, Status, StepKind

from .conftest import aware, make_incident, raise_complaint


@pytest.fixture
def fixtures(cast):
    """Six incidents over three months, counted by hand below."""
    school, staff = cast.school, cast.staff
    jan = make_incident(school, staff, created=aware(2026, 1, 10, 9), natures=[Nature.CYBERBULLYING, Nature.THREAT])
    make_incident(school, staff, created=aware(2026, 1, 20, 9), platform="Instagram", natures=[Nature.CYBERBULLYING])
    make_incident(school, staff, created=aware(2026, 2, 3, 9), natures=[Nature.COMPLAINT])
    make_incident(school, staff, created=aware(2026, 3, 1, 9), platform="TikTok", natures=[Nature.COMPLAINT])
    make_incident(school, staff, created=aware(2026, 3, 15, 9), natures=[Nature.DEFAMATORY])
    make_incident(school, staff, created=aware(2026, 3, 31, 22, 30), natures=[Nature.CYBERBULLYING])  # 31/3 in London
    # Another school's incidents never count.
    make_incident(cast.other_school, cast.other_headteacher, created=aware(2026, 2, 3, 9), natures=[Nature.THREAT])
    # Resolution: January's first incident is resolved 3 days later, February's after 20 days.
    EscalationStep.objects.create(incident=jan, kind=StepKind.PLATFORM_REPORT, created_by=cast.headteacher)
    EscalationStep.objects.create(incident=jan, kind=StepKind.POLICE_REFERRAL, created_by=cast.headteacher)
    _resolve(jan, aware(2026, 1, 13, 9))
    _resolve(Incident.objects.get(school=school, created_at=aware(2026, 2, 3, 9)), aware(2026, 2, 23, 9))
    return cast


def _resolve(incident, when):
    incident.status = Status.TRIAGED
    incident.save()
    with time_machine.travel(when, tick=False):
        incident.status = Status.RESOLVED
        incident.save()


def test_chart_figures_match_a_hand_count(fixtures):
    figures = statistics.incident_figures(fixtures.school, end=date(2026, 3, 31), months=3)
    assert figures.months == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert figures.month_totals == [2, 1, 3]
    assert figures.total == 6
    natures = {row["label"]: row["counts"] for row in figures.by_nature}
    assert natures == {
        "Cyber-bullying": [2, 0, 1],
        "Complaint about the school": [0, 1, 1],
        "Defamatory statement": [0, 0, 1],
        "Threat of violence": [1, 0, 0],
    }
    assert figures.by_platform == [
        {"label": "Facebook", "count": 4},
        {"label": "Instagram", "count": 1},
        {"label": "TikTok", "count": 1},
    ]
    assert {row["label"]: row["count"] for row in figures.routes} == {
        "Report to the platform": 1,
        "Refer to the police": 1,
    }
    assert [row["count"] for row in figures.resolution] == [1, 0, 1, 0]
    assert figures.still_open == 4


def test_the_charts_count_each_incident_once(fixtures):
    """January has two incidents with three natures ticked between them: the monthly chart says 2."""
    data = statistics.incident_figures(fixtures.school, end=date(2026, 3, 31), months=3).chart_data()
    assert data["monthTotals"] == [2, 1, 3]
    # Natures are charted as mentions over the whole period, never stacked into a month.
    assert {row["label"]: row["total"] for row in data["byNature"]} == {
        "Cyber-bullying": 3,
        "Complaint about the school": 2,
        "Defamatory statement": 1,
        "Threat of violence": 1,
    }
    assert "counts" not in data["byNature"][0]


def test_figures_are_cached_and_dropped_when_an_incident_changes(fixtures, django_assert_num_queries):
    school = fixtures.school
    statistics.incident_figures(school, end=date(2026, 3, 31), months=3)
    with django_assert_num_queries(0):
        statistics.incident_figures(school, end=date(2026, 3, 31), months=3)
    make_incident(school, fixtures.staff, created=aware(2026, 3, 20, 9), natures=[Nature.THREAT])
    assert statistics.incident_figures(school, end=date(2026, 3, 31), months=3).month_totals == [2, 1, 4]


def _dashboard_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as context:
        response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("cached", [False, True])
def test_dashboard_query_count_does_not_grow_with_data(
    cast, client_for, django_assert_max_num_queries, cached, agreement
):
    from django.core.cache import cache

    client = client_for(cast.headteacher)
    now = timezone.now()
    for i in range(3):
        make_incident(cast.school, cast.staff, created=now - timedelta(days=i * 20), natures=[Nature.THREAT])
        raise_complaint(cast)

    def measure() -> int:
        if cached:
            client.get(reverse("dashboard:home"))  # fill the cache
        else:
            cache.clear()
        return _dashboard_queries(client, django_assert_max_num_queries, 40)

    small = measure()
    for i in range(30):
        make_incident(
            cast.school,
            cast.staff,
            created=now - timedelta(days=i * 9),
            natures=[Nature.THREAT, Nature.COMPLAINT],
            safeguarding_concern=bool(i % 2),
        )
        raise_complaint(cast)
    large = measure()
    assert small == large


@pytest.fixture
def agreement(cast):
    from agreements import actions as agreement_actions
    from tests.agreements.conftest import CONTENT, sign

    draft = agreement_actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    version = agreement_actions.publish(draft, by=cast.headteacher)
    sign(cast, version)
    return version


def test_dashboard_without_incidents_says_so_instead_of_empty_charts(cast, client_for):
    page = client_for(cast.headteacher).get(reverse("dashboard:home")).content.decode()
    assert "nothing to chart yet" in page
    assert 'id="chart-by-nature"' not in page


def test_dashboard_shows_charts_and_tables(cast, client_for, agreement):
    make_incident(cast.school, cast.staff, created=timezone.now(), natures=[Nature.THREAT], safeguarding_concern=True)
    page = client_for(cast.headteacher).get(reverse("dashboard:home")).content.decode()
    assert 'id="incident-chart-data"' in page and 'id="chart-by-nature"' in page
    assert "Threat of violence" in page
    assert "Safeguarding flags" in page and "Complaints nearing a deadline" in page
    assert "Home-school agreement by class" in page
    assert "1 of 2 parents and carers have signed (50%)" in page
    # Every question of "what needs me today" has its panel on the one page.
    for heading in ["New reports to triage", "Steps past their due date", "Letters awaiting finalisation", "Policies"]:
        assert heading in page, heading


def test_the_agreement_panel_lists_the_classes_furthest_behind_first(cast, client_for, agreement):
    """Ten classes with families and one empty: the eight furthest behind shown, lowest first, the rest counted."""
    import re

    from accounts.models import Role
    from tests.agreements.conftest import sign
    from tests.factories import make_class, make_pupil, make_user

    make_class(cast.school, "Empty class")  # nobody to sign: never "furthest behind"
    for number in range(9):
        school_class = make_class(cast.school, f"Class {number}")
        for family in range(4):
            parent = make_user(cast.school, Role.PARENT, name=f"Parent {number}-{family}")
            pupil = make_pupil(cast.school, school_class, first=f"Kid{number}{family}", parent=parent)
            if family < number % 5:
                sign(cast, agreement, parent=parent, pupil=pupil)
    page = client_for(cast.headteacher).get(reverse("dashboard:home")).content.decode()
    panel = page.split("Home-school agreement by class")[1].split("</table>")[0]
    shown = re.findall(r'<th scope="row">([^<]+)</th>', panel)
    # Class 0 and 5 have none of four signed, 1 and 6 one of four, ...; Otters (the cast's) half.
    assert shown == ["Class 0", "Class 5", "Class 1", "Class 6", "Class 2", "Class 7", "Otters", "Class 3"]
    assert "Empty class" not in panel
    assert "3 more classes on the coverage page" in page  # Class 4, Class 8 and the empty one


def test_dashboard_lists_draft_letters_awaiting_finalisation(cast, client_for):
    from incidents.letters import actions as letter_actions
    from incidents.letters.models import LetterKind
    from tests.letters.builders import make_case

    incident, step = make_case(cast)
    letter_actions.create_letter(incident=incident, step=step, kind=LetterKind.REMOVAL_REQUEST, by=cast.headteacher)
    page = client_for(cast.headteacher).get(reverse("dashboard:home")).content.decode()
    assert "Letters awaiting finalisation" in page and incident.reference in page
    assert "No draft letter is waiting." not in page


def test_governors_statistics_are_anonymised(fixtures, client_for):
    complaint = raise_complaint(fixtures, subject="Secret subject line")
    del complaint
    client = client_for(fixtures.governor)
    response = client.get(reverse("complaints:statistics"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Secret subject line" not in page
    assert fixtures.child.first_name not in page and fixtures.parent.full_name not in page
    assert "NBP-T-" not in page  # no incident references
    assert client_for(fixtures.parent).get(reverse("complaints:statistics")).status_code == 404
    assert client_for(fixtures.staff).get(reverse("complaints:statistics")).status_code == 404


def test_statistics_query_count_is_constant(fixtures, client_for, django_assert_max_num_queries):
    from django.core.cache import cache

    client = client_for(fixtures.governor)
    cache.clear()
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("complaints:statistics"))
    for i in range(20):
        make_incident(
            fixtures.school, fixtures.staff, created=timezone.now() - timedelta(days=i), natures=[Nature.IMAGES]
        )
    cache.clear()
    with django_assert_max_num_queries(20) as large:
        client.get(reverse("complaints:statistics"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_termly_report_pdf(fixtures, client_for, django_capture_on_commit_callbacks):
    client = client_for(fixtures.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("complaints:report_request"), {"period_start": "2026-01-01", "period_end": "2026-03-31"}
        )
    assert response.status_code == 302
    report = TermlyReport.objects.get()
    assert report.pdf
    text = " ".join("".join(page.extract_text() for page in PdfReader(report.pdf.open("rb")).pages).split())
    assert "report to governors" in text.lower()
    assert "6 incidents reported in the period" in text
    assert "Facebook 4" in text and "Jan 2026" in text
    assert fixtures.child.first_name not in text
    governor = client_for(fixtures.governor)
    download = governor.get(reverse("complaints:termly_report", args=[report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert (
        client_for(fixtures.other_headteacher).get(reverse("complaints:termly_report", args=[report.pk])).status_code
        == 404
    )


def _words_outside_the_page(pdf_path) -> list[str]:
    """Words whose box pokes past their page's right edge (pdftotext -bbox, from poppler-utils)."""
    import re
    import subprocess

    html = subprocess.run(["pdftotext", "-bbox", str(pdf_path), "-"], capture_output=True, text=True, check=True).stdout
    outside = []
    for page in re.finditer(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', html, re.S):
        width = float(page.group(1))
        for x_max, word in re.findall(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', page.group(2)
        ):
            if float(x_max) > width - 20:  # inside the paper, outside a sane margin
                outside.append(word)
    return outside


def test_a_years_report_with_every_nature_fits_the_page(cast, client_for, django_capture_on_commit_callbacks, tmp_path):
    for number, nature in enumerate(Nature):
        make_incident(cast.school, cast.staff, created=aware(2026, 1 + number % 12, 10, 9), natures=[nature])
    client = client_for(cast.headteacher)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("complaints:report_request"), {"period_start": "2026-01-01", "period_end": "2026-12-31"})
    report = TermlyReport.objects.get()
    path = tmp_path / "report.pdf"
    path.write_bytes(report.pdf.open("rb").read())
    reader = PdfReader(path)
    text = " ".join("".join(page.extract_text() for page in reader.pages).split())
    for nature in Nature:
        assert nature.label.split()[0] in text
    assert "Dec 2026" in text
    assert _words_outside_the_page(path) == []
    # Twelve months across: the nature table has a landscape page.
    assert any(float(page.mediabox.width) > float(page.mediabox.height) for page in reader.pages)


def test_governor_home_lists_policies_awaiting_the_governing_body(cast, client_for):
    from policies import actions as policy_actions
    from policies.models import Category, Owner, PolicyVersion
    from policies.models import Status as PolicyStatus

    client = client_for(cast.governor)
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "Policies awaiting your approval" in page and "No policy is waiting for the governing body." in page

    version = policy_actions.create_document(
        school=cast.school,
        by=cast.headteacher,
        title="Complaints Procedure",
        category=Category.COMPLAINTS,
        owner=Owner.GOVERNING_BODY,
        review_interval_months=24,
        staff_must_acknowledge=False,
        body_markdown="How the school handles complaints.",
        change_summary="New",
    )
    policy_actions.submit_for_approval(version)
    approve_url = reverse("policies:approve", args=[version.document_id, version.number])
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "Complaints Procedure, version 1" in page and approve_url in page

    review_by = (timezone.localdate() + timedelta(days=700)).isoformat()
    client.get(version.get_absolute_url())  # the governor opens the text first
    assert client.post(approve_url, {"review_date": review_by}).status_code == 302
    version = PolicyVersion.objects.get(pk=version.pk)
    assert version.status == PolicyStatus.APPROVED and version.approved_by == cast.governor
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "No policy is waiting for the governing body." in page


def test_invalid_period_is_refused(cast, client_for):
    response = client_for(cast.headteacher).post(
        reverse("complaints:report_request"), {"period_start": "2026-03-31", "period_end": "2026-01-01"}
    )
    assert response.status_code == 400
    assert not TermlyReport.objects.exists()
    assert actions  # the action module is what the view calls
