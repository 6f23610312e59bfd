"""A complaint linked to an incident before the incident was restricted: the complaint's pages
show nothing of the case to anyone who cannot open it (the person concerned, the governors)."""

from __future__ import annotations

from django.urls import reverse

from complaints import actions as complaint_actions
from incidents import actions, restriction
from incidents.models import Nature, PosterKind
from tests.complaints.conftest import raise_complaint, to_panel

WORDS = "shouted at the children by the gate"


def restricted_link(cast, file_report):
    incident = file_report(reporter=cast.parent, content=f"The head {WORDS} on Friday.", natures=[Nature.STAFF_CONDUCT])
    incident = actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="high",
        natures=[Nature.STAFF_CONDUCT],
        poster_kind=PosterKind.PARENT,
        owner=cast.headteacher,
    )
    complaint = raise_complaint(cast)
    complaint = complaint_actions.link_incident(complaint=complaint, by=cast.headteacher, incident=incident)
    complaint = to_panel(complaint, cast.headteacher)
    restriction.restrict(
        incident=incident,
        by=cast.dsl,
        allegation_about=cast.headteacher,
        handlers=[cast.dsl],
        meets_harm_threshold=False,
        reason="An allegation about the headteacher.",
    )
    return complaint, incident


def test_the_person_concerned_sees_no_detail_of_the_linked_case(cast, client_for, file_report):
    complaint, incident = restricted_link(cast, file_report)
    client = client_for(cast.headteacher)
    page = client.get(complaint.get_absolute_url()).content.decode()
    # The complaint's own log still says it was linked (by reference); nothing of the case shows.
    assert incident.get_absolute_url() not in page and WORDS not in page
    assert "linked to a restricted case" in page
    # Nor can they take the link off (or swap it) to find out what it was.
    client.post(reverse("complaints:link_incident", args=[complaint.pk]), {"reference": "", "seen_version": ""})
    complaint.refresh_from_db()
    assert complaint.incident_id == incident.pk


def test_a_governor_on_the_panel_sees_no_detail_of_the_linked_case(cast, client_for, file_report):
    complaint, incident = restricted_link(cast, file_report)
    client = client_for(cast.governor)
    client.post(reverse("complaints:declare", args=[complaint.pk]), {"has_conflict": "no"})
    response = client.get(reverse("complaints:panel_bundle", args=[complaint.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert incident.reference not in page and WORDS not in page
    assert "linked to a restricted case" in page


def test_once_the_restriction_is_lifted_the_link_shows_again(cast, client_for, file_report):
    complaint, incident = restricted_link(cast, file_report)
    restriction.lift(incident=incident, by=cast.dsl, reason="Found to be unfounded.")
    page = client_for(cast.headteacher).get(complaint.get_absolute_url()).content.decode()
    assert incident.reference in page
