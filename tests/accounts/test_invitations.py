from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, Invitation, Membership, ParentLink, Role, User

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def invite(client, cast, **overrides):
    data = {
        "full_name": "Nia New",
        "email": "Nia.New@example.org",
        "relationship": "mother",
        "pupils": [cast.other_child.pk],
    }
    data.update(overrides)
    return client.post(reverse("accounts:invitation_create"), data)


def accept_link(message) -> str:
    line = next(line for line in message.body.splitlines() if "/invite/" in line)
    return line.split("127.0.0.1:8000", 1)[1].strip()


def test_office_invites_a_parent_who_sets_a_password_and_finds_the_child_linked(
    cast, client_for, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(cast.office), cast)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nia.new@example.org"]
    link = accept_link(mail.outbox[0])
    client.logout()
    page = client.get(link)
    assert "Welcome to Northbrook Primary School" in page.content.decode()
    response = client.post(
        link, {"full_name": "Nia New", "password1": "a-long-family-passphrase", "password2": "a-long-family-passphrase"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="nia.new@example.org")
    assert ParentLink.objects.filter(parent=user, pupil=cast.other_child).exists()
    assert Membership.objects.filter(user=user, school=cast.school, role=Role.PARENT).exists()
    home = client.get(reverse("dashboard:home")).content.decode()
    assert cast.other_child.full_name in home


def test_the_schools_copy_of_a_sent_invitation_keeps_no_live_link(
    cast, client_for, client, django_capture_on_commit_callbacks
):
    """The email carries the sign-up link; once it is sent, the outbox's stored copy does not, so a
    leaked database holds no working invitation (only its hash is kept)."""
    from notifications import delivery
    from notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(cast.office), cast)
    link = accept_link(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    stored = Notification.objects.get(template="invitation")
    assert stored.status == Notification.Status.SENT and stored.secrets_removed
    assert token not in stored.body_text and token not in stored.body_html
    assert "link removed" in stored.body_text
    assert not Notification.objects.filter(body_text__contains=token).exists()
    # The school cannot "send again" a copy without its link; the invitation list sends a new one.
    Notification.objects.filter(pk=stored.pk).update(status=Notification.Status.FAILED)
    assert not delivery.can_send_again(Notification.objects.get(pk=stored.pk))
    client.logout()
    assert client.get(link).status_code == 200  # the parent's own email still works


def test_a_used_link_says_so_plainly(cast, client_for, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(cast.office), cast)
    link = accept_link(mail.outbox[0])
    client.logout()
    client.post(
        link, {"full_name": "Nia New", "password1": "a-long-family-passphrase", "password2": "a-long-family-passphrase"}
    )
    client.logout()
    response = client.get(link)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_an_expired_link_says_so_plainly(cast, client_for, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(cast.office), cast)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    response = client.get(accept_link(mail.outbox[0]))
    assert response.status_code == 410
    assert "expired on" in response.content.decode()
    assert not User.objects.filter(email="nia.new@example.org").exists()


def test_resending_replaces_the_link(cast, client_for, client, django_capture_on_commit_callbacks):
    office = client_for(cast.office)
    with django_capture_on_commit_callbacks(execute=True):
        invite(office, cast)
    invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        office.post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    old_link, new_link = accept_link(mail.outbox[0]), accept_link(mail.outbox[1])
    client.logout()
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200


def test_mismatched_passwords_keep_what_was_typed(cast, client_for, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(cast.office), cast)
    link = accept_link(mail.outbox[0])
    client.logout()
    response = client.post(
        link, {"full_name": "Nia Q. New", "password1": "a-long-family-passphrase", "password2": "different-passphrase"}
    )
    page = response.content.decode()
    assert "The two passwords are different" in page
    assert 'value="Nia Q. New"' in page
    assert not User.objects.filter(email="nia.new@example.org").exists()


def test_office_cannot_invite_for_another_schools_child(cast, client_for):
    response = invite(client_for(cast.office), cast, pupils=[cast.other_school_child.pk])
    assert response.status_code == 400
    page = response.content.decode()
    assert "no longer on the roll" in page and "Kai" not in page
    assert not Invitation.objects.exists()


def test_invitations_of_another_school_are_404(cast, client_for):
    invite(client_for(cast.office), cast)
    invitation = Invitation.objects.get()
    response = client_for(cast.other_office).post(reverse("accounts:invitation_resend", args=[invitation.pk]))
    assert response.status_code == 404


def test_only_a_hash_of_the_token_is_stored(cast, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(cast.office), cast)
    token = accept_link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert token not in Invitation.objects.get().token_hash


def test_opening_a_pupil_record_is_in_the_access_log(cast, client_for):
    client_for(cast.office).get(reverse("accounts:pupil_detail", args=[cast.child.pk]))
    entry = AccessLog.objects.get()
    assert entry.user == cast.office
    assert entry.object_repr == cast.child.full_name


def test_pupil_changes_are_in_the_audit_history(cast, client_for):
    client = client_for(cast.office)
    client.post(
        reverse("accounts:pupil_edit", args=[cast.child.pk]),
        {
            "first_name": "Mia",
            "last_name": "Parent-Jones",
            "school_class": cast.school_class.pk,
            "date_of_birth": "2018-05-17",
            "is_on_roll": "on",
        },
    )
    latest = cast.child.history.first()
    assert latest.last_name == "Parent-Jones"
    assert latest.history_user == cast.office


def test_pupil_list_query_count_stays_flat(cast, client_for, django_assert_max_num_queries):
    from tests.factories import make_pupil

    client = client_for(cast.office)
    for size in (5, 40):
        for _ in range(size):
            make_pupil(cast.school, cast.school_class, parent=cast.parent)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("accounts:pupil_list")).status_code == 200


def test_invitation_list_query_count_stays_flat(cast, client_for, django_assert_max_num_queries):
    from accounts import actions
    from tests.factories import make_pupil

    client = client_for(cast.office)
    for size in (3, 30):
        for n in range(size):
            pupils = [make_pupil(cast.school, cast.school_class), make_pupil(cast.school, cast.school_class)]
            actions.invite_parent(
                school=cast.school,
                created_by=cast.office,
                full_name=f"Parent {size}-{n}",
                email=f"parent-{size}-{n}@example.org",
                relationship="carer",
                pupils=pupils,
            )
        with django_assert_max_num_queries(12):
            page = client.get(reverse("accounts:invitation_list")).content.decode()
        assert f"Parent {size}-0" in page


def test_an_invitation_link_that_never_existed_says_so(client):
    response = client.get(reverse("accounts:accept_invitation", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


def test_office_home_counts_waiting_and_expired_invitations_apart(cast, client_for):
    client = client_for(cast.office)
    invite(client, cast)
    invite(client, cast, email="late@example.org")
    Invitation.objects.filter(email="late@example.org").update(expires_at=timezone.now() - timedelta(days=1))
    page = " ".join(client.get(reverse("dashboard:home")).content.decode().split())
    assert '<p class="display-6 mb-1">1</p><p>waiting for the parent to accept' in page
    assert "1 expired before it was used</a>: send a new link" in page
