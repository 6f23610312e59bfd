import io

import pytest
from django.core.management import call_command

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import Membership, ParentLink, Pupil, Role, School, User
from accounts.two_factor import verify_code
from incidents.models import Incident

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_demo_builds_two_schools_with_every_role_and_prints_working_logins():
    output = seed()
    assert School.objects.count() == 2
    for school in School.objects.all():
        roles = set(Membership.objects.filter(school=school).values_list("role", flat=True))
        assert roles == set(Role)
        assert Pupil.objects.filter(school=school).count() >= 20
    head = User.objects.get(email="head@northbrook.example")
    assert head.check_password(DEMO_PASSWORD)
    assert "head@northbrook.example" in output
    assert "nbp-head-1" in output
    # The printed recovery code passes two-factor for the demo headteacher.
    assert verify_code(head, "nbp-head-1") is not None


def test_demo_is_idempotent_and_restores_used_codes():
    seed()
    counts = (User.objects.count(), Pupil.objects.count(), ParentLink.objects.count(), Membership.objects.count())
    incidents = Incident.objects.count()
    assert incidents >= 2 * 25  # a year of past cases per school, besides the stories
    head = User.objects.get(email="head@northbrook.example")
    assert verify_code(head, "nbp-head-1") is not None
    assert verify_code(head, "nbp-head-1") is None  # used up
    seed()
    assert (
        User.objects.count(),
        Pupil.objects.count(),
        ParentLink.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert Incident.objects.count() == incidents
    assert verify_code(head, "nbp-head-1") is not None


def test_demo_shows_one_refused_and_one_unconfirmed_email_per_school_once():
    from notifications.models import Notification

    seed()
    seed()
    for school in School.objects.all():
        emails = Notification.objects.filter(school=school)
        assert emails.filter(status=Notification.Status.FAILED).count() == 1
        assert emails.filter(status=Notification.Status.UNKNOWN).count() == 1
        refused = emails.get(status=Notification.Status.FAILED)
        assert "Mailbox full" in refused.last_error and refused.to[0] in refused.last_error
