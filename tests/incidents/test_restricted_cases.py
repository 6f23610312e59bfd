"""Restricted cases: an allegation about a member of staff is open only to its named handlers.

The person the allegation is about, and every other headteacher or DSL, get 404 on every case
URL (tried one by one from the URLconf), and the case is missing from every list built from it."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from accounts.models import Role
from incidents import actions, restriction
from incidents import urls as incident_urls
from incidents.cluster import actions as cluster_actions
from incidents.cluster import urls as cluster_urls
from incidents.letters import actions as letter_actions
from incidents.letters import urls as letter_urls
from incidents.models import EntryKind, Evidence, Nature, PosterKind, StepKind
from tests.factories import make_user

from .test_cluster_alerts import draft

WORD = "playground"


def case_with_everything(cast, file_report, capture, *, by, content, about, handlers, reason) -> dict:
    """A staff-conduct report triaged by `by`, with a step, a letter, a bundle and a cluster alert
    built from it, then restricted by `by` to `handlers` as an allegation about `about`."""
    incident = file_report(reporter=cast.parent, files=1, content=content, natures=[Nature.STAFF_CONDUCT])
    incident = actions.triage(
        incident=incident,
        by=by,
        severity="high",
        natures=[Nature.STAFF_CONDUCT],
        poster_kind=PosterKind.PARENT,
        owner=by,
    )
    step = actions.add_step(incident=incident, by=by, kind=StepKind.REMOVAL_REQUEST, due_date=timezone.localdate())
    alert_step = actions.add_step(incident=incident, by=by, kind=StepKind.CLUSTER_ALERT, due_date=timezone.localdate())
    with capture(execute=True):
        letter = letter_actions.create_letter(incident=incident, step=step, kind="removal_request", by=by)
        bundle = letter_actions.request_bundle(incident=incident, by=by)
        alert = cluster_actions.send_alert(step=alert_step, by=by, draft=draft())
        restriction.restrict(
            incident=incident,
            by=by,
            allegation_about=about,
            handlers=handlers,
            meets_harm_threshold=True,
            reason=reason,
        )
    return {
        "incident": incident,
        "step": step,
        "alert_step": alert_step,
        "letter": letter,
        "bundle": bundle,
        "alert": alert,
        "evidence": Evidence.objects.get(incident=incident),
    }


@pytest.fixture
def restricted_case(cast, file_report, django_capture_on_commit_callbacks):
    """An allegation about the DSL, restricted to the headteacher, with everything built from it."""
    return case_with_everything(
        cast,
        file_report,
        django_capture_on_commit_callbacks,
        by=cast.headteacher,
        content=f"Mr Safeguard shouted at my son in the {WORD} and grabbed his arm.",
        about=cast.dsl,
        handlers=[cast.headteacher],
        reason="An allegation about the DSL's conduct with a pupil.",
    )


def case_urls(objects) -> list[str]:
    """Every incidents, letters and cluster-alert URL that names a record, filled in with the case's."""
    incident, step = objects["incident"], objects["step"]
    found = []
    for namespace, module in (("incidents", incident_urls), ("letters", letter_urls), ("cluster_alerts", cluster_urls)):
        for pattern in module.urlpatterns:
            assert isinstance(pattern, URLPattern)
            params = set(pattern.pattern.converters)
            name = pattern.name
            assert name is not None
            if not params or "kind" in params or name.startswith("platform"):
                continue  # pages that name no case (lists are checked below; wording; platforms)
            kwargs = {}
            for param in params:
                if param in ("incident_pk",):
                    kwargs[param] = incident.pk
                elif param == "step_pk":
                    kwargs[param] = (objects["alert_step"] if namespace == "cluster_alerts" else step).pk
                elif namespace == "letters":
                    kwargs[param] = (objects["bundle"] if name.startswith("bundle") else objects["letter"]).pk
                elif namespace == "cluster_alerts" and name == "detail":
                    kwargs[param] = objects["alert"].pk
                elif name == "evidence_download":
                    kwargs[param] = objects["evidence"].pk
                else:
                    kwargs[param] = incident.pk
            found.append(reverse(f"{namespace}:{name}", kwargs=kwargs))
    return found


def list_urls() -> list[str]:
    return [
        reverse("incidents:list"),
        reverse("incidents:list") + f"?q={WORD}",
        reverse("incidents:list") + "?status=open",
        reverse("incidents:my_reports"),
        reverse("cluster_alerts:list"),
        reverse("dashboard:home"),
    ]


def test_every_case_url_is_404_for_the_person_concerned_and_another_dsl(cast, client_for, restricted_case):
    other_dsl = make_user(cast.school, Role.DSL, name="Rita Deputy")
    urls = case_urls(restricted_case)
    assert len(urls) >= 25  # every page of the case, its steps, files, letters, bundles and alerts
    reference = restricted_case["incident"].reference
    for person in (cast.dsl, other_dsl):
        client = client_for(person)
        for url in urls:
            response = client.get(url)
            if response.status_code == 405:  # POST-only: the access check must still say 404
                response = client.post(url, {})
            assert response.status_code == 404, (person.full_name, url, response.status_code)
        for url in list_urls():
            response = client.get(url)
            assert response.status_code == 200, url
            assert reference not in response.content.decode(), (person.full_name, url)


def test_the_named_handler_still_works_the_case(cast, client_for, restricted_case):
    client = client_for(cast.headteacher)
    incident = restricted_case["incident"]
    for url in (incident.get_absolute_url(), reverse("letters:incident", args=[incident.pk])):
        assert client.get(url).status_code == 200
    assert incident.reference in client.get(reverse("incidents:list") + f"?q={WORD}").content.decode()
    assert client.get(reverse("letters:bundle_detail", args=[restricted_case["bundle"].pk])).status_code == 200
    assert client.get(reverse("cluster_alerts:detail", args=[restricted_case["alert"].pk])).status_code == 200


def test_the_receiving_school_still_reads_the_anonymised_alert(cast, client_for, restricted_case):
    response = client_for(cast.other_headteacher).get(
        reverse("cluster_alerts:detail", args=[restricted_case["alert"].pk])
    )
    assert response.status_code == 200


def test_the_reporter_keeps_their_own_report_unless_it_is_about_them(cast, client_for, restricted_case):
    incident = restricted_case["incident"]
    assert client_for(cast.parent).get(reverse("incidents:report_status", args=[incident.pk])).status_code == 200


def test_restricting_and_lifting_are_on_the_timeline_and_in_the_history(cast, client_for, restricted_case):
    incident = restricted_case["incident"]
    entries = list(incident.timeline.filter(kind=EntryKind.RESTRICTED))
    assert "allegation about Tom Safeguard" in entries[0].summary and "Aisha Head" in entries[0].summary
    assert "LADO" in entries[0].body
    response = client_for(cast.headteacher).post(
        reverse("incidents:restriction", args=[incident.pk]), {"action": "lift", "lift_reason": "Unfounded."}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert not incident.restricted
    assert incident.timeline.filter(kind=EntryKind.RESTRICTED).last().summary.startswith("Restriction lifted")
    assert [row.restricted for row in incident.history.order_by("history_date", "history_id")][-2:] == [True, False]
    assert client_for(cast.dsl).get(incident.get_absolute_url()).status_code == 200


def test_the_harm_threshold_suggests_the_lado_referral(cast, client_for, restricted_case):
    page = client_for(cast.headteacher).get(restricted_case["incident"].get_absolute_url()).content.decode()
    assert "Refer the allegation to the LADO" in page and "one working day" in page


def test_the_restriction_form_refuses_the_person_concerned_as_handler(cast, client_for, file_report):
    incident = file_report(reporter=cast.parent)
    url = reverse("incidents:restriction", args=[incident.pk])
    client = client_for(cast.headteacher)
    response = client.post(
        url,
        {
            "action": "restrict",
            "allegation_about": cast.dsl.pk,
            "handlers": [cast.headteacher.pk, cast.dsl.pk],
            "reason": "About the DSL.",
        },
    )
    assert response.status_code == 400
    assert "cannot handle it" in response.content.decode()
    response = client.post(
        url, {"action": "restrict", "allegation_about": cast.staff.pk, "handlers": [cast.dsl.pk], "reason": "x"}
    )
    assert "Tick yourself too" in response.content.decode()
    incident.refresh_from_db()
    assert not incident.restricted


def test_an_allegation_about_the_headteacher_is_shut_to_the_headteacher(cast, client_for, file_report):
    incident = file_report(reporter=cast.parent)
    incident = actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="high",
        natures=[Nature.STAFF_CONDUCT],
        poster_kind=PosterKind.PARENT,
        owner=cast.headteacher,
    )
    step = actions.add_step(
        incident=incident, by=cast.headteacher, kind=StepKind.REMOVAL_REQUEST, owner=cast.headteacher
    )
    response = client_for(cast.dsl).post(
        reverse("incidents:restriction", args=[incident.pk]),
        {
            "action": "restrict",
            "allegation_about": cast.headteacher.pk,
            "handlers": [cast.dsl.pk],
            "reason": "An allegation about the head.",
        },
    )
    assert response.status_code == 302
    assert client_for(cast.headteacher).get(incident.get_absolute_url()).status_code == 404
    entry = incident.timeline.get(kind=EntryKind.RESTRICTED)
    assert "chair of governors" in entry.body
    # The headteacher no longer owns the case or its step (nor gets their reminders).
    incident.refresh_from_db()
    step.refresh_from_db()
    assert incident.owner == cast.dsl and step.owner == cast.dsl


def test_other_schools_and_other_roles_cannot_restrict(cast, client_for, file_report):
    incident = file_report(reporter=cast.parent)
    url = reverse("incidents:restriction", args=[incident.pk])
    for person in (cast.other_headteacher, cast.staff, cast.governor, cast.parent):
        assert client_for(person).get(url).status_code == 404


def test_a_complaint_cannot_be_linked_to_a_restricted_case_by_someone_not_named(cast, client_for, file_report):
    from tests.complaints.conftest import raise_complaint

    incident = file_report(reporter=cast.parent)
    restriction.restrict(
        incident=incident,
        by=cast.dsl,
        allegation_about=cast.headteacher,
        handlers=[cast.dsl],
        meets_harm_threshold=False,
        reason="An allegation about the head.",
    )
    complaint = raise_complaint(cast)
    response = client_for(cast.headteacher).post(
        reverse("complaints:link_incident", args=[complaint.pk]), {"reference": incident.reference}
    )
    assert response.status_code == 400
    complaint.refresh_from_db()
    assert complaint.incident is None
