"""Small builders for test data. Prefer the `cast` fixture; use these for extra rows."""

from __future__ import annotations

import itertools
from datetime import date

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, ParentLink, Pupil, Role, School, SchoolClass, User

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_school(code: str, name: str | None = None, cluster=None) -> School:
    return School.objects.create(
        short_code=code,
        name=name or f"{code} Primary School",
        address=f"{code} Primary School\n1 High Street\nTownley\nTL1 1AA",
        headteacher_name=f"Head of {code}",
        cluster=cluster,
    )


def make_user(
    school: School | None = None, role: Role | None = None, *, name: str | None = None, email: str | None = None
) -> User:
    n = next(_counter)
    user = User.objects.create_user(
        email=email or f"person{n}@example.org",
        password=PASSWORD,
        full_name=name or f"Person {n}",
        postal_address=f"{n} Test Road\nTownley\nTL1 {n}AB",
    )
    if school is not None and role is not None:
        Membership.objects.create(user=user, school=school, role=role)
    if role is not None and Role(role).requires_two_factor:
        TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    return user


def make_class(school: School, name: str = "Otters") -> SchoolClass:
    return SchoolClass.objects.get_or_create(school=school, name=name, defaults={"year_group": "Year 1"})[0]


def make_pupil(
    school: School,
    school_class: SchoolClass | None = None,
    *,
    first: str = "Sam",
    last: str | None = None,
    parent: User | None = None,
) -> Pupil:
    pupil = Pupil.objects.create(
        school=school,
        school_class=school_class,
        first_name=first,
        last_name=last or f"Pupil{next(_counter)}",
        date_of_birth=date(2018, 5, 17),
    )
    if parent is not None:
        ParentLink.objects.create(parent=parent, pupil=pupil, relationship="mother")
    return pupil


def triaged(incident, cast):
    """`incident` triaged by the cast's headteacher, who owns it, with the natures it was filed with."""
    from incidents import actions

    return actions.triage(
        incident=incident,
        by=cast.headteacher,
        severity="medium",
        natures=incident.nature_codes,
        poster_kind="parent",
        owner=cast.headteacher,
    )
