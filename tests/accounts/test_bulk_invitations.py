"""Inviting the families of a class or a year group from the imported contacts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.invitations import send_batch
from accounts.models import Invitation, InvitationBatch, SchoolClass
from accounts.roll.models import Contact, PupilContact
from notifications.models import Notification
from tests.factories import make_class, make_pupil, make_user

pytestmark = pytest.mark.django_db


def contact_for(pupil, first, last, email, *, pr=True, relationship="mother"):
    contact, _ = Contact.objects.get_or_create(
        school=pupil.school,
        match_key=email or f"{first} {last}".lower(),
        defaults={"first_name": first, "last_name": last, "email": email, "title": "Ms"},
    )
    PupilContact.objects.create(pupil=pupil, contact=contact, relationship=relationship, parental_responsibility=pr)
    return contact


@pytest.fixture
def roll(cast):
    """Otters (Year 1: Mia and Alex, from the cast) and Badgers (Year 2), with the contacts the MIS gave."""
    badgers = SchoolClass.objects.create(school=cast.school, name="Badgers", year_group="Year 2")
    ruby = make_pupil(cast.school, cast.school_class, first="Ruby", last="Stone")
    finn = make_pupil(cast.school, badgers, first="Finn", last="Stone")
    noor = make_pupil(cast.school, badgers, first="Noor", last="Haddad")
    # Jo Parent is on the portal for Mia already.
    contact_for(cast.child, "Jo", "Parent", "jo.parent@example.org")
    # Kate Stone has a child in each class; her ex-partner has no parental responsibility.
    kate = contact_for(ruby, "Kate", "Stone", "kate.stone@example.org")
    contact_for(finn, "Kate", "Stone", "kate.stone@example.org")
    contact_for(ruby, "Rob", "Stone", "rob.stone@example.org", pr=False, relationship="father")
    # Grandad looks after Ruby but the school has no email for him.
    contact_for(ruby, "Len", "Stone", "", relationship="carer")
    contact_for(noor, "Samira", "Haddad", "samira@example.org")
    return {"badgers": badgers, "ruby": ruby, "finn": finn, "noor": noor, "kate": kate}


def send_to(client, **choice):
    return client.post(reverse("accounts:invitation_bulk"), choice)


def test_office_previews_then_invites_one_class_each_family_once(
    cast, roll, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.office)
    page = client.get(reverse("accounts:invitation_bulk"), {"classes": [cast.school_class.pk]}).content.decode()
    assert "1 family, for 1 child" in page
    assert "Kate Stone" in page and "Samira" not in page
    assert "1 left out because they are on the portal already" in page
    assert "1 left out because the MIS has no email address" in page
    assert "1 left out because they do not have parental responsibility" in page
    assert not Invitation.objects.exists()  # looking writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = send_to(client, classes=[cast.school_class.pk])
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["kate.stone@example.org"]]
    assert "Ruby" in mail.outbox[0].body and "Finn" not in mail.outbox[0].body
    invitation = Invitation.objects.get()
    assert list(invitation.pupils.all()) == [roll["ruby"]]
    assert invitation.contact == roll["kate"] and invitation.status == "waiting"
    assert invitation.notification.key == f"bulk-invitation:{invitation.batch_id}:{roll['kate'].pk}"


def test_a_family_with_children_in_two_chosen_classes_gets_one_email_linking_both(
    cast, roll, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_to(client_for(cast.office), year_groups=["Year 1", "Year 2"])
    assert sorted(m.to[0] for m in mail.outbox) == ["kate.stone@example.org", "samira@example.org"]
    kate = Invitation.objects.get(email="kate.stone@example.org")
    assert {p.first_name for p in kate.pupils.all()} == {"Ruby", "Finn"}


def test_clicking_twice_or_running_the_task_again_sends_each_contact_once(
    cast, roll, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.office)
    with django_capture_on_commit_callbacks(execute=True):
        send_to(client, classes=[roll["badgers"].pk])
        send_to(client, classes=[roll["badgers"].pk])
    batches = list(InvitationBatch.objects.order_by("pk"))
    assert len(batches) == 2
    with django_capture_on_commit_callbacks(execute=True):
        send_batch(batches[0].pk)
        send_batch(batches[1].pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["kate.stone@example.org", "samira@example.org"]
    assert Invitation.objects.count() == 2
    batches[0].refresh_from_db()
    assert batches[0].invited_count == 2 and batches[0].finished_at is not None


def test_the_outbox_key_still_holds_when_the_first_link_has_expired_meanwhile(
    cast, roll, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_to(client_for(cast.office), classes=[roll["badgers"].pk])
    batch = InvitationBatch.objects.get()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = send_batch(batch.pk)  # a redelivered task, long after: no live invitation to find
    assert result == {"invited": 0, "skipped": 2}
    assert len(mail.outbox) == 2 and Invitation.objects.count() == 2


def test_a_parent_with_an_account_linked_to_the_child_or_a_live_invitation_is_left_out(
    cast, roll, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.office)
    # Samira was invited by hand last week, for Noor.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:invitation_create"),
            {
                "full_name": "Samira Haddad",
                "email": "samira@example.org",
                "relationship": "mother",
                "pupils": [roll["noor"].pk],
            },
        )
        send_to(client, year_groups=["Year 1", "Year 2"])
    assert sorted(m.to[0] for m in mail.outbox) == ["kate.stone@example.org", "samira@example.org"]
    assert not Invitation.objects.filter(email="jo.parent@example.org").exists()


def test_pupils_off_roll_are_not_invited_for(cast, roll, client_for, django_capture_on_commit_callbacks):
    roll["noor"].is_on_roll = False
    roll["noor"].save()
    with django_capture_on_commit_callbacks(execute=True):
        send_to(client_for(cast.office), classes=[roll["badgers"].pk])
    assert [m.to for m in mail.outbox] == [["kate.stone@example.org"]]


def test_choosing_nothing_says_so(cast, roll, client_for):
    response = send_to(client_for(cast.office))
    assert response.status_code == 400
    assert "Choose at least one class or year group." in response.content.decode()
    assert not InvitationBatch.objects.exists()


@pytest.mark.parametrize("role", ["dsl", "staff", "governor", "parent"])
def test_only_the_schools_office_and_headteacher_invite_families(cast, roll, client_for, role):
    client = client_for(getattr(cast, role))
    assert client.get(reverse("accounts:invitation_bulk")).status_code == 404
    assert client.get(reverse("accounts:invitation_list")).status_code == 404
    assert client.post(reverse("accounts:invitation_resend_expired")).status_code == 404
    assert send_to(client, classes=[roll["badgers"].pk]).status_code == 404
    assert not InvitationBatch.objects.exists()


def test_another_schools_office_cannot_invite_this_schools_classes(cast, roll, client_for):
    response = send_to(client_for(cast.other_office), classes=[roll["badgers"].pk])
    assert response.status_code == 400  # their own page, which knows nothing of this school's classes
    assert not InvitationBatch.objects.exists()


def test_headteacher_may_invite_families(cast, roll, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_to(client_for(cast.headteacher), classes=[roll["badgers"].pk]).status_code == 302
    assert len(mail.outbox) == 2


@pytest.fixture
def four_invitations(cast, roll, client_for, django_capture_on_commit_callbacks):
    """Kate waiting, Samira accepted, Jo's sister bounced, an old one expired."""
    with django_capture_on_commit_callbacks(execute=True):
        send_to(client_for(cast.office), year_groups=["Year 1", "Year 2"])
        for name, email in [("Bea Bounce", "bea@invalid.example"), ("Old Timer", "old@example.org")]:
            client_for(cast.office).post(
                reverse("accounts:invitation_create"),
                {"full_name": name, "email": email, "relationship": "carer", "pupils": [cast.other_child.pk]},
            )
    Invitation.objects.filter(email="samira@example.org").update(accepted_at=timezone.now())
    bea = Invitation.objects.get(email="bea@invalid.example")
    Notification.objects.filter(pk=bea.notification_id).update(status=Notification.Status.FAILED)
    Invitation.objects.filter(email="old@example.org").update(expires_at=timezone.now() - timedelta(days=1))
    mail.outbox.clear()
    return Invitation.objects


@pytest.mark.parametrize(
    "status,who",
    [
        ("waiting", "kate.stone@example.org"),
        ("accepted", "samira@example.org"),
        ("bounced", "bea@invalid.example"),
        ("expired", "old@example.org"),
    ],
)
def test_the_list_filters_each_status(cast, four_invitations, client_for, status, who):
    page = client_for(cast.office).get(reverse("accounts:invitation_list"), {"status": status}).content.decode()
    emails = {"kate.stone@example.org", "samira@example.org", "bea@invalid.example", "old@example.org"}
    assert who in page
    assert not any(other in page for other in emails - {who})


def test_the_list_says_bounced_and_offers_the_expired_again(cast, four_invitations, client_for):
    page = client_for(cast.office).get(reverse("accounts:invitation_list")).content.decode()
    assert "Bounced" in page and "could not be delivered" in page
    assert "1 invitation expired before it was used." in page


def test_sending_the_expired_again_gives_them_a_new_link_and_leaves_the_others(
    cast, four_invitations, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.office).post(reverse("accounts:invitation_resend_expired"))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["old@example.org"]]
    old = Invitation.objects.get(email="old@example.org")
    assert old.status == "waiting" and old.sends == 2
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.office).post(reverse("accounts:invitation_resend_expired"))
    assert len(mail.outbox) == 1  # nothing expired any more


def test_the_other_schools_office_cannot_resend_this_schools_invitations(
    cast, four_invitations, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.other_office).post(reverse("accounts:invitation_resend_expired"))
    old = Invitation.objects.get(email="old@example.org")
    assert mail.outbox == [] and old.is_expired
    page = client_for(cast.other_office).get(reverse("accounts:invitation_list")).content.decode()
    assert "old@example.org" not in page


def test_the_invitation_list_query_count_stays_flat(cast, roll, client_for, django_assert_max_num_queries):
    client = client_for(cast.office)
    url = reverse("accounts:invitation_list")
    client.get(url)
    for n in range(30):
        pupil = make_pupil(cast.school, cast.school_class, first=f"Child{n}")
        invitation = Invitation(
            school=cast.school, created_by=cast.office, full_name=f"P {n}", email=f"p{n}@example.org"
        )
        invitation.new_token()
        invitation.save()
        invitation.pupils.set([pupil])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(url, {"status": "waiting"}).status_code == 200


def test_the_bulk_page_query_count_stays_flat(cast, roll, client_for, django_assert_max_num_queries):
    client = client_for(cast.office)
    url = reverse("accounts:invitation_bulk")
    big = make_class(cast.school, "Hedgehogs")
    for n in range(40):
        contact_for(make_pupil(cast.school, big, first=f"Kid{n}"), "Carer", f"N{n}", f"carer{n}@example.org")
    make_user()
    with django_assert_max_num_queries(14):
        page = client.get(url, {"classes": [big.pk]}).content.decode()
    assert "40 families, for 40 children" in page
