"""Trying to break the permissions table from outside: another school's headteacher, a member of
staff or a DSL trying the headteacher's part, and one person holding two roles in two schools.

Every refusal is a 404 and changes nothing; each test also shows the rightful person succeeding,
so it cannot pass by refusing everyone.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import MEMBERSHIP_SESSION_KEY
from accounts.models import Membership, Role
from accounts.navigation import nav_for, settings_nav_for
from complaints import actions as complaint_actions
from complaints.models import Complaint
from incidents.letters import actions as letter_actions
from incidents.letters.models import Letter
from incidents.models import EscalationStep, Incident, Platform
from policies.models import Owner, PolicyDocument, Status
from tests.letters.builders import make_case
from tests.policies.helpers import make_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def records(cast):
    """One of each kind of record at Northbrook (school A)."""
    incident, step = make_case(cast)
    letter = letter_actions.create_letter(incident=incident, step=step, kind="written_warning", by=cast.headteacher)
    complaint = complaint_actions.raise_complaint(
        school=cast.school,
        parent=cast.parent,
        pupil=cast.child,
        subject="Group chat",
        details="Mia was upset after a group chat about her.",
        desired_outcome="A meeting.",
        files=[],
    )
    draft = make_policy(cast.school, cast.headteacher)
    return {"incident": incident, "step": step, "letter": letter, "complaint": complaint, "draft": draft}


def pages_of(records, cast) -> dict[str, str]:
    incident, letter, draft = records["incident"], records["letter"], records["draft"]
    return {
        "incident": reverse("incidents:detail", args=[incident.pk]),
        "incident timeline": reverse("incidents:timeline", args=[incident.pk]),
        "incident letters": reverse("letters:incident", args=[incident.pk]),
        "letter": reverse("letters:edit", args=[letter.pk]),
        "complaint": reverse("complaints:detail", args=[records["complaint"].pk]),
        "policy": reverse("policies:detail", args=[draft.document_id]),
        "policy draft": reverse("policies:version", args=[draft.document_id, draft.number]),
        "pupil": reverse("accounts:pupil_detail", args=[cast.child.pk]),
    }


def test_another_schools_headteacher_gets_404_for_every_record_of_the_school(cast, client_for, records):
    pages = pages_of(records, cast)
    own = client_for(cast.headteacher)
    assert {name: own.get(url).status_code for name, url in pages.items()} == dict.fromkeys(pages, 200)

    other = client_for(cast.other_headteacher)
    assert {name: other.get(url).status_code for name, url in pages.items()} == dict.fromkeys(pages, 404)


def test_another_schools_headteacher_cannot_change_a_case_by_posting_to_it(cast, client_for, records):
    incident, letter = records["incident"], records["letter"]
    other = client_for(cast.other_headteacher)
    attempts = [
        (reverse("incidents:note_add", args=[incident.pk]), {"text": "Written from another school"}),
        (reverse("incidents:status_change", args=[incident.pk]), {"status": "closed", "reason": "Not ours"}),
        (reverse("letters:edit", args=[letter.pk]), {"action": "finalise", "subject": "Changed"}),
        (reverse("complaints:stage", args=[records["complaint"].pk]), {"stage": "formal", "reason": "Not ours"}),
    ]
    for url, data in attempts:
        assert other.post(url, data).status_code == 404, url
    assert not incident.timeline.filter(body__contains="another school").exists()
    assert Incident.objects.get(pk=incident.pk).status == incident.status
    assert not Letter.objects.get(pk=letter.pk).is_final
    assert Complaint.objects.get(pk=records["complaint"].pk).stage == "informal"


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("staff", "incidents:list"),
        ("staff", "letters:wording_list"),
        ("staff", "complaints:list"),
        ("staff", "policies:create"),
        ("staff", "accounts:pupil_list"),
        ("dsl", "letters:wording_list"),
        ("dsl", "complaints:list"),
        ("dsl", "incidents:platform_create"),
        ("dsl", "policies:list"),
        ("office", "incidents:list"),
        ("governor", "incidents:list"),
        ("governor", "agreements:coverage"),
        ("parent", "notifications:list"),
    ],
)
def test_a_page_of_the_headteachers_part_is_404_for_a_role_without_it(cast, client_for, role, page):
    assert client_for(cast.headteacher).get(reverse(page)).status_code == 200
    assert client_for(getattr(cast, role)).get(reverse(page)).status_code == 404


def test_a_dsl_drafts_letters_but_cannot_finalise_or_email_one(cast, client_for, records):
    letter = records["letter"]
    dsl = client_for(cast.dsl)
    assert dsl.get(reverse("letters:edit", args=[letter.pk])).status_code == 200
    form = {
        "recipient_name": letter.recipient_name,
        "recipient_address": letter.recipient_address,
        "recipient_email": "parent@example.org",
        "letter_date": "2026-11-23",
        "subject": letter.subject,
        "body": letter.body,
        "action": "finalise",
    }
    response = dsl.post(reverse("letters:edit", args=[letter.pk]), form, follow=True)
    assert "Only the headteacher can finalise a letter." in response.content.decode()
    assert not Letter.objects.get(pk=letter.pk).is_final

    letter_actions.finalise(letter=letter, by=cast.headteacher)
    mail.outbox.clear()
    response = dsl.post(reverse("letters:email", args=[letter.pk]), {"email": "parent@example.org"})
    assert response.status_code == 404
    assert not letter.deliveries.exists() and mail.outbox == []


def test_staff_who_reported_the_post_cannot_run_its_escalation(cast, client_for, records):
    """The member of staff filed this report: they follow it, but the case work is not theirs."""
    incident, step = records["incident"], records["step"]
    staff = client_for(cast.staff)
    assert staff.get(reverse("incidents:report_status", args=[incident.pk])).status_code == 200
    steps_before = EscalationStep.objects.filter(incident=incident).count()
    attempts = [
        (reverse("incidents:detail", args=[incident.pk]), None),
        (reverse("incidents:triage", args=[incident.pk]), {"severity": "low"}),
        (reverse("incidents:step_add", args=[incident.pk]), {"kind": "police_referral"}),
        (reverse("incidents:step_outcome", args=[incident.pk, step.pk]), {f"step{step.pk}-outcome": "done"}),
        (reverse("letters:new", args=[incident.pk]), {"kind": "written_warning"}),
    ]
    for url, data in attempts:
        response = staff.get(url) if data is None else staff.post(url, data)
        assert response.status_code == 404, url
    assert EscalationStep.objects.filter(incident=incident).count() == steps_before
    assert Letter.objects.filter(incident=incident).count() == 1
    assert Incident.objects.get(pk=incident.pk).severity == incident.severity


def test_only_the_owner_of_a_policy_approves_it(cast, client_for):
    headteacher_owned = make_policy(cast.school, cast.headteacher, title="Staff online conduct")
    governors_owned = make_policy(cast.school, cast.headteacher, title="Complaints", owner=Owner.GOVERNING_BODY)
    head = client_for(cast.headteacher)
    for version in (headteacher_owned, governors_owned):
        head.post(reverse("policies:submit", args=[version.document_id, version.number]))

    def approve(user, version):
        client = client_for(user)
        url = reverse("policies:approve", args=[version.document_id, version.number])
        client.get(version.get_absolute_url())  # governors open the text before approving
        client.post(url, {"review_date": (timezone.localdate() + timedelta(days=365)).isoformat()})
        version.refresh_from_db()
        return version.status

    assert approve(cast.governor, headteacher_owned) == Status.AWAITING_APPROVAL
    assert approve(cast.headteacher, governors_owned) == Status.AWAITING_APPROVAL
    assert approve(cast.headteacher, headteacher_owned) == Status.APPROVED
    assert approve(cast.governor, governors_owned) == Status.APPROVED
    assert PolicyDocument.objects.filter(school=cast.school).count() == 2


def test_a_person_with_two_roles_may_only_what_the_role_they_act_in_may(cast, client_for, records):
    """Staff at Northbrook and headteacher at Hollins Vale: acting as staff at Northbrook they get
    no case pages there; acting as headteacher at Hollins Vale they still get none of Northbrook's."""
    person = cast.staff
    head_elsewhere = Membership.objects.create(user=person, school=cast.other_school, role=Role.HEADTEACHER)
    TOTPDevice.objects.create(user=person, name="Authenticator", confirmed=True)  # headteachers sign in with one
    staff_here = Membership.objects.get(user=person, school=cast.school)
    client = client_for(person)
    incident = records["incident"]

    def acting_as(membership):
        session = client.session
        session[MEMBERSHIP_SESSION_KEY] = membership.pk
        session.save()

    acting_as(staff_here)
    assert client.get(reverse("incidents:list")).status_code == 404
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404
    assert client.get(reverse("incidents:report_status", args=[incident.pk])).status_code == 200

    acting_as(head_elsewhere)
    assert client.get(reverse("incidents:list")).status_code == 200
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404
    assert client.get(reverse("letters:edit", args=[records["letter"].pk])).status_code == 404
    # Their own report at Northbrook is out of reach while they act for Hollins Vale.
    assert client.get(reverse("incidents:report_status", args=[incident.pk])).status_code == 404


def test_a_deactivated_headteacher_loses_every_case_page_at_once(cast, client_for, records):
    client = client_for(cast.headteacher)
    url = reverse("incidents:detail", args=[records["incident"].pk])
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=cast.headteacher, school=cast.school).update(is_active=False)
    assert client.get(url).status_code == 404
    assert client.get(reverse("letters:edit", args=[records["letter"].pk])).status_code == 404


def test_a_school_only_platform_of_another_school_is_404(cast, client_for):
    other_platform = Platform.objects.create(name="Hollins Vale forum", school=cast.other_school)
    shared = Platform.objects.filter(school__isnull=True).first()
    head = client_for(cast.headteacher)
    assert head.get(reverse("incidents:platform_edit", args=[shared.pk])).status_code == 200
    assert head.get(reverse("incidents:platform_edit", args=[other_platform.pk])).status_code == 404


@pytest.mark.parametrize("role", ["headteacher", "dsl", "staff", "governor", "office", "parent"])
def test_every_menu_entry_a_role_is_shown_opens_for_that_role(cast, client_for, role):
    """The menus and the permissions table agree: no role is shown a link that answers 404."""
    client = client_for(getattr(cast, role))
    entries = nav_for(Role(role)) + settings_nav_for(Role(role))
    assert entries
    assert {entry["label"]: client.get(entry["url"]).status_code for entry in entries} == {
        entry["label"]: 200 for entry in entries
    }


def test_governors_read_a_draft_but_only_the_headteacher_is_offered_its_editing(cast, client_for):
    draft = make_policy(cast.school, cast.headteacher)
    page = reverse("policies:version", args=[draft.document_id, draft.number])
    edit = reverse("policies:draft_edit", args=[draft.document_id, draft.number])
    head_page = client_for(cast.headteacher).get(page).content.decode()
    assert "Edit draft" in head_page and "Send for approval" in head_page

    governor = client_for(cast.governor)
    governor_page = governor.get(page)
    assert governor_page.status_code == 200
    assert "Edit draft" not in governor_page.content.decode()
    assert governor.post(edit, {"body_markdown": "# Changed", "change_summary": "Changed"}).status_code == 404
    draft.refresh_from_db()
    assert draft.body_markdown.startswith("# Social media")
    # Staff never see a draft at all.
    assert client_for(cast.staff).get(page).status_code == 404
