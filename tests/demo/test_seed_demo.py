import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, ParentLink, Pupil, Role, School, User
from accounts.two_factor import verify_code
from demo.management.commands.seed_demo import DEMO_PASSWORD
from incidents.models import Incident

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=out)
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
    # Northbrook's governor chairs the board, and signs in with a second factor as the chair must.
    chair = Membership.objects.chairs().get()
    assert (chair.school.short_code, chair.user.email) == ("NBP", "governor@northbrook.example")
    assert "Chair of governors" in output and verify_code(chair.user, "nbp-governor-1") is not None


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


def test_demo_refuses_to_run_without_debug_and_changes_nothing():
    # pytest-django runs with DEBUG off, as production does.
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not School.objects.exists() and not User.objects.exists()


def test_demo_runs_with_debug_on(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet", stdout=io.StringIO())
    assert set(School.objects.values_list("short_code", "is_demo")) == {("NBP", True), ("HVP", True)}


def test_demo_never_touches_a_real_school_that_uses_a_demo_code():
    real = School.objects.create(
        short_code="NBP", name="A Real School", address="1 Real Road", headteacher_name="Ms Real"
    )
    head = User.objects.create_user(email="head@real-school.org.uk", password="a-real-password-1", full_name="Ms Real")
    Membership.objects.create(user=head, school=real, role=Role.HEADTEACHER)
    with pytest.raises(CommandError, match="not demo data already uses the code NBP"):
        seed()
    real.refresh_from_db()
    assert real.name == "A Real School" and not real.is_demo
    assert not User.objects.filter(email__endswith=".example").exists()
    assert list(head.memberships.values_list("school__short_code", "role")) == [("NBP", Role.HEADTEACHER)]


def test_demo_options_that_do_nothing_are_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--i-know-this-is-not-production", "--parents", "5", stdout=io.StringIO())
