"""The incident page says whether a parent poster signed the agreement, when, and which version."""

import pytest

from agreements import actions as agreement_actions
from incidents import actions
from incidents.models import Nature
from tests.factories import make_pupil
from tests.incidents.conftest import facebook, file_report  # noqa: F401 - fixtures used by name

from .conftest import CONTENT, DETAILS, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_about(cast, file_report):  # noqa: F811
    def _case(poster_parent, poster_pupil=None, poster_kind="parent"):
        incident = file_report(natures=[Nature.COMPLAINT])
        actions.triage(
            incident=incident,
            by=cast.headteacher,
            severity="medium",
            natures=[Nature.COMPLAINT],
            poster_kind=poster_kind,
            poster_parent=poster_parent,
            pupil_links=[(poster_pupil, "poster" if poster_kind == "pupil" else "poster_child")]
            if poster_pupil
            else [],
            owner=cast.dsl,
        )
        return incident

    return _case


def agreement_line(client, incident) -> str:
    page = client.get(incident.get_absolute_url()).content.decode()
    if "Home-school agreement</dt>" not in page:
        return ""
    return page.split("Home-school agreement</dt>", 1)[1].split("</dd>", 1)[0]


def test_a_parent_poster_who_signed_shows_when_and_which_version(cast, client_for, version, case_about):
    signature = sign(cast, version, parent=cast.other_parent, pupil=cast.other_child)
    line = agreement_line(client_for(cast.dsl), case_about(cast.other_parent))
    assert "Agreement signed" in line and "Sam Other signed" in line
    assert f"version {version.number}, school year {version.academic_year}" in line
    assert signature.signed_at.astimezone().strftime("%d/%m/%Y") in line


def test_a_parent_poster_who_has_not_signed_says_so(cast, client_for, version, case_about):
    line = agreement_line(client_for(cast.headteacher), case_about(cast.other_parent))
    assert "Agreement not signed" in line and "has not signed" in line


def test_an_older_version_and_a_withdrawal_are_told_apart(cast, client_for, version, case_about):
    signature = sign(cast, version, parent=cast.other_parent, pupil=cast.other_child)
    incident = case_about(cast.other_parent)
    client = client_for(cast.headteacher)
    newer = agreement_actions.publish(
        agreement_actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT), by=cast.headteacher
    )
    assert f"has not yet signed the current version {newer.number}" in agreement_line(client, incident)
    agreement_actions.withdraw(signature=signature, parent=cast.other_parent, reason="", request_details=DETAILS)
    line = agreement_line(client, incident)  # the only signature withdrawn: nothing standing
    assert "Agreement withdrawn" in line and "Sam Other withdrew their signature" in line


def test_only_the_named_child_when_the_parent_has_several(cast, client_for, version, case_about):
    second = make_pupil(cast.school, cast.school_class, first="Ned", last="Other", parent=cast.other_parent)
    sign(cast, version, parent=cast.other_parent, pupil=second)
    client = client_for(cast.headteacher)
    both = agreement_line(client, case_about(cast.other_parent))
    assert "Alex Other:" in both and "Ned Other:" in both
    named = agreement_line(client, case_about(cast.other_parent, poster_pupil=cast.other_child))
    assert "Agreement not signed" in named and "Ned" not in named


def test_no_agreement_line_when_a_pupil_or_stranger_posted(cast, client_for, version, case_about):
    client = client_for(cast.headteacher)
    assert agreement_line(client, case_about(None, poster_pupil=cast.other_child, poster_kind="pupil")) == ""


@pytest.mark.parametrize("children", [1, 6])
def test_the_agreement_line_costs_the_same_queries_for_any_number_of_children(
    cast, client_for, version, case_about, children, django_assert_max_num_queries
):
    for n in range(children - 1):
        pupil = make_pupil(cast.school, cast.school_class, first=f"Kid{n}", last="Other", parent=cast.other_parent)
        sign(cast, version, parent=cast.other_parent, pupil=pupil)
    incident = case_about(cast.other_parent)
    client = client_for(cast.headteacher)
    client.get(incident.get_absolute_url())
    from tests.incidents.test_query_counts import DETAIL_QUERIES

    with django_assert_max_num_queries(DETAIL_QUERIES + 3):
        assert "Home-school agreement" in client.get(incident.get_absolute_url()).content.decode()
