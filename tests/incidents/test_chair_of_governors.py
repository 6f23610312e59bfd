"""An allegation about the headteacher goes to the chair of governors (KCSIE part four).

The chair is a governor marked as chair on the people page. Named on that restricted case, the
chair opens and works it (steps, letters signed as chair, the bundle); the headteacher gets 404 on
every case URL; the chair gets 404 on every other case, and another governor on this one."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import people
from accounts.models import Membership, Role
from incidents import restriction
from incidents.letters import actions as letter_actions
from incidents.models import Nature
from notifications.models import Notification
from tests.factories import make_user

from .test_restricted_cases import case_urls, case_with_everything

WORD = "staffroom"


@pytest.fixture
def chair(cast):
    """A governor the headteacher has named chair: a case role, so a second factor too."""
    user = make_user(cast.school, Role.GOVERNOR, name="Hannah Chair", email="chair@example.org")
    Membership.objects.filter(user=user).update(is_chair=True)
    TOTPDevice.objects.create(user=user, name="Chair's authenticator", confirmed=True)
    return user


@pytest.fixture
def head_case(cast, chair, file_report, django_capture_on_commit_callbacks):
    """A parent's allegation about the headteacher, restricted by the DSL to the DSL and the chair."""
    return case_with_everything(
        cast,
        file_report,
        django_capture_on_commit_callbacks,
        by=cast.dsl,
        content=f"The head locked my daughter in the {WORD} for an hour as a punishment.",
        about=cast.headteacher,
        handlers=[cast.dsl, chair],
        reason="An allegation about the headteacher's treatment of a pupil.",
    )


def test_the_headteacher_cannot_be_left_out_of_nothing_but_the_chair_must_be_named(cast, chair, file_report):
    incident = file_report(reporter=cast.parent, natures=[Nature.STAFF_CONDUCT])
    with pytest.raises(restriction.RestrictionError, match="goes to the chair of governors: tick Hannah Chair"):
        restriction.restrict(
            incident=incident,
            by=cast.dsl,
            allegation_about=cast.headteacher,
            handlers=[cast.dsl],
            meets_harm_threshold=False,
            reason="About the head.",
        )
    incident.refresh_from_db()
    assert not incident.restricted


def test_the_chair_handles_no_allegation_about_other_staff(cast, chair, file_report):
    incident = file_report(reporter=cast.parent, natures=[Nature.STAFF_CONDUCT])
    with pytest.raises(restriction.RestrictionError, match="only an allegation about the headteacher"):
        restriction.restrict(
            incident=incident,
            by=cast.headteacher,
            allegation_about=cast.staff,
            handlers=[cast.headteacher, chair],
            meets_harm_threshold=False,
            reason="About a teacher.",
        )
    # An ordinary governor is never a handler, whoever the allegation is about.
    with pytest.raises(restriction.RestrictionError):
        restriction.restrict(
            incident=incident,
            by=cast.dsl,
            allegation_about=cast.headteacher,
            handlers=[cast.dsl, chair, cast.governor],
            meets_harm_threshold=False,
            reason="About the head.",
        )


def test_the_restriction_form_says_so_and_keeps_what_was_typed(cast, chair, client_for, file_report):
    incident = file_report(reporter=cast.parent, natures=[Nature.STAFF_CONDUCT])
    client = client_for(cast.dsl)
    url = reverse("incidents:restriction", args=[incident.pk])
    page = client.get(url).content.decode()
    assert "Hannah Chair (chair of governors: for an allegation about the headteacher)" in page
    assert "Geoff Governor" not in page.split("Who handles it")[1]
    response = client.post(
        url,
        {
            "action": "restrict",
            "allegation_about": cast.headteacher.pk,
            "handlers": [cast.dsl.pk],
            "reason": "Parent alleges the head hit a child.",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "goes to the chair of governors: tick Hannah Chair" in body
    assert "Parent alleges the head hit a child." in body
    response = client.post(
        url,
        {
            "action": "restrict",
            "allegation_about": cast.headteacher.pk,
            "handlers": [cast.dsl.pk, chair.pk],
            "reason": "Parent alleges the head hit a child.",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.restricted
    assert set(incident.handlers.all()) == {cast.dsl, chair}


def test_the_chair_is_told_without_any_detail_once(cast, chair, head_case):
    sent = Notification.objects.filter(template="incident-chair-handler")
    assert [n.to for n in sent] == [[chair.email]]
    message = next(m for m in mail.outbox if chair.email in m.to)
    assert "chair of governors" in message.subject
    assert WORD not in message.body and cast.headteacher.full_name not in message.body
    assert cast.parent.full_name not in message.body
    # Changing the handlers again tells nobody twice.
    restriction.restrict(
        incident=head_case["incident"],
        by=chair,
        allegation_about=cast.headteacher,
        handlers=[cast.dsl, chair],
        meets_harm_threshold=True,
        reason="Still the chair's.",
    )
    assert sent.count() == 1


def test_every_case_url_is_404_for_the_headteacher_and_open_to_the_chair(cast, chair, client_for, head_case):
    urls = case_urls(head_case)
    incident = head_case["incident"]
    client = client_for(cast.headteacher)
    for url in urls:
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        assert response.status_code == 404, (url, response.status_code)
    assert incident.reference not in client.get(reverse("incidents:list") + f"?q={WORD}").content.decode()
    assert incident.reference not in client.get(reverse("dashboard:home")).content.decode()

    client = client_for(chair)
    page = client.get(incident.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert WORD in body
    assert reverse("incidents:triage", args=[incident.pk]) not in body  # triage stays with the case roles
    assert client.get(reverse("incidents:evidence_download", args=[head_case["evidence"].pk])).status_code == 200
    assert client.get(reverse("letters:incident", args=[incident.pk])).status_code == 200
    assert client.get(reverse("letters:bundle_detail", args=[head_case["bundle"].pk])).status_code == 200
    home = client.get(reverse("dashboard:home")).content.decode()
    assert "Restricted cases you handle as chair of governors" in home and incident.reference in home


def test_an_ordinary_governor_gets_404_on_every_case_url(cast, client_for, head_case):
    client = client_for(cast.governor)
    for url in case_urls(head_case):
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        assert response.status_code == 404, (url, response.status_code)
    assert "Restricted cases you handle" not in client.get(reverse("dashboard:home")).content.decode()


def test_the_chair_sees_no_other_case(cast, chair, client_for, file_report, head_case):
    open_case = file_report(reporter=cast.parent, content=f"An ordinary post in the {WORD}.")
    about_staff = file_report(reporter=cast.parent, natures=[Nature.STAFF_CONDUCT])
    restriction.restrict(
        incident=about_staff,
        by=cast.headteacher,
        allegation_about=cast.staff,
        handlers=[cast.headteacher],
        meets_harm_threshold=False,
        reason="About a teacher.",
    )
    client = client_for(chair)
    for other in (open_case, about_staff):
        assert client.get(other.get_absolute_url()).status_code == 404
        assert client.get(reverse("letters:incident", args=[other.pk])).status_code == 404
    # A search, and the list as it first opens (its own prepared query): only the chair's case.
    for url in (reverse("incidents:list") + f"?q={WORD}", reverse("incidents:list")):
        listing = client.get(url).content.decode()
        assert head_case["incident"].reference in listing, url
        assert open_case.reference not in listing and about_staff.reference not in listing, url
    # The case roles' pages that are not about a case stay shut to the chair.
    for name in ("incidents:platform_list", "cluster_alerts:list", "letters:wording_list"):
        assert client.get(reverse(name)).status_code == 404, name


def test_once_the_chair_stops_being_chair_the_case_is_shut_to_them(cast, chair, client_for, head_case):
    membership = Membership.objects.get(user=chair)
    people.change_role(membership, "governor", by=cast.headteacher)
    chair.refresh_from_db()  # signed out everywhere: sign in again as the governor they now are
    client = client_for(chair)
    assert client.get(reverse("dashboard:home")).status_code == 200
    assert client.get(head_case["incident"].get_absolute_url()).status_code == 404


def test_the_chair_works_the_case_and_signs_the_letters(cast, chair, client_for, head_case):
    incident = head_case["incident"]
    client = client_for(chair)
    response = client.post(
        reverse("incidents:note_add", args=[incident.pk]), {"text": "Spoke to the LADO; strategy meeting booked."}
    )
    assert response.status_code == 302
    assert incident.timeline.filter(body__contains="strategy meeting booked", actor=chair).exists()
    letter = letter_actions.create_letter(incident=incident, step=None, kind="outcome", by=chair)
    assert (letter.signatory_name, letter.signatory_title) == ("Hannah Chair", "Chair of governors")
    assert client.get(reverse("letters:edit", args=[letter.pk])).status_code == 200


def test_a_school_has_one_chair(cast, chair):
    other_governor = Membership.objects.get(user=cast.governor)
    with pytest.raises(people.PeopleError, match="Hannah Chair is the chair of governors"):
        people.change_role(other_governor, "chair", by=cast.headteacher)
    with pytest.raises(people.PeopleError, match="a school has one chair"):
        people.invite(
            school=cast.school, by=cast.headteacher, full_name="New Chair", email="new@example.org", choice_key="chair"
        )
    # Only the headteacher names the chair: the office manages no case role.
    assert "chair" not in {choice.key for choice in people.choices_for(Role.OFFICE)}
    assert Membership.objects.get(user=chair).role_label == "Chair of governors"
