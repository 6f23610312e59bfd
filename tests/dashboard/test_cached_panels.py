"""The headteacher's school-wide panels (the charts, the agreement coverage) are rendered once and
kept (dashboard/panels/shared.py): what a headteacher sees must still be today's figures, in their
own language, for their own school."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Role
from dashboard.panels.shared import panel_key
from incidents.models import Nature, Platform
from tests.complaints.conftest import make_incident
from tests.conftest import sign_in
from tests.factories import make_user

HOME = reverse("dashboard:home")


def page_for(user, language: str | None = None) -> str:
    client = Client()
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    sign_in(client, user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def trends(page: str) -> str:
    """The charts panel's part of the page."""
    start = page.index('aria-labelledby="trends-heading"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def agreement(cast):
    from agreements import actions
    from tests.agreements.conftest import CONTENT, sign

    draft = actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    version = actions.publish(draft, by=cast.headteacher)
    sign(cast, version)  # one of the school's two families
    return version


def test_a_new_incident_shows_in_the_kept_charts(cast):
    make_incident(cast.school, cast.staff, created=timezone.now(), natures=[Nature.THREAT])
    assert "<strong>1</strong> incident ·" in trends(page_for(cast.headteacher))
    assert "<strong>1</strong> incident ·" in trends(page_for(cast.headteacher))  # kept, and the same

    make_incident(cast.school, cast.staff, created=timezone.now() - timedelta(days=3), natures=[Nature.COMPLAINT])
    page = trends(page_for(cast.headteacher))
    assert "<strong>2</strong> incidents ·" in page
    assert "Complaint about the school" in page


def test_a_signature_shows_in_the_kept_coverage(cast, agreement):
    from tests.agreements.conftest import sign

    assert "1 of 2 parents and carers have signed (50%)" in page_for(cast.headteacher)
    assert "1 of 2 parents and carers have signed (50%)" in page_for(cast.headteacher)
    sign(cast, agreement, parent=cast.other_parent, pupil=cast.other_child)
    page = page_for(cast.headteacher)
    assert "2 of 2 parents and carers have signed (100%)" in page
    assert "<strong>100%</strong> of parents and carers have signed" in page  # the office's panel too
    assert "<strong>100%</strong> of parents and carers have signed" in page_for(cast.office)


def test_a_welsh_headteacher_never_gets_the_english_charts_nor_the_other_way_round(cast):
    make_incident(cast.school, cast.staff, created=timezone.now(), natures=[Nature.CYBERBULLYING])
    welsh_head = make_user(cast.school, Role.HEADTEACHER, name="Cerys Pennaeth", email="cerys@example.org")

    assert "Cyber-bullying" in trends(page_for(cast.headteacher))
    welsh = trends(page_for(welsh_head, "cy"))
    assert "Seiberfwlio" in welsh and "Cyber-bullying" not in welsh
    english = trends(page_for(cast.headteacher))
    assert "Cyber-bullying" in english and "Seiberfwlio" not in english


def test_another_school_never_gets_this_schools_kept_panels(cast, agreement):
    for _ in range(3):
        make_incident(cast.school, cast.staff, created=timezone.now(), natures=[Nature.THREAT])
    make_incident(cast.other_school, cast.other_headteacher, created=timezone.now(), natures=[Nature.COMPLAINT])

    ours = page_for(cast.headteacher)
    assert "<strong>3</strong> incidents ·" in trends(ours) and "Threat of violence" in trends(ours)
    theirs = page_for(cast.other_headteacher)
    assert "<strong>1</strong> incident ·" in trends(theirs)
    assert "Threat of violence" not in trends(theirs)
    assert "1 of 2 parents and carers have signed" not in theirs  # no agreement published there
    assert "No agreement is published yet." in page_for(cast.other_office)


def test_the_dsl_gets_no_kept_headteacher_panel(cast):
    make_incident(cast.school, cast.staff, created=timezone.now(), natures=[Nature.THREAT])
    assert 'aria-labelledby="trends-heading"' in page_for(cast.headteacher)
    assert 'aria-labelledby="trends-heading"' not in page_for(cast.dsl)


def test_the_key_names_school_role_and_language(cast, rf):
    def key(user, school, language="en-gb"):
        request = rf.get(HOME)
        request.membership = Membership.objects.get(user=user, school=school)
        with translation.override(language):
            return panel_key(request, school, "dashboard/panels/agreement_coverage.html", (7, 1))

    head = key(cast.headteacher, cast.school)
    assert len({head, key(cast.office, cast.school), key(cast.headteacher, cast.school, "cy")}) == 3
    assert key(cast.other_headteacher, cast.other_school) != head


def test_the_case_rows_escape_what_they_show(cast):
    Platform.objects.create(name="<b>Forum</b>")
    incident = make_incident(cast.school, cast.staff, created=timezone.now(), platform="<b>Forum</b>")
    page = page_for(cast.headteacher)
    assert f">{incident.reference}</a> · &lt;b&gt;Forum&lt;/b&gt; · " in page
    assert "<b>Forum</b>" not in page
