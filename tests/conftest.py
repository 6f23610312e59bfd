"""The standing cast every test can use, and sign-in helpers."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Cluster, Pupil, Role, School, SchoolClass, User
from schoolsocial.middleware import SessionIdleTimeoutMiddleware

from .factories import make_class, make_pupil, make_school, make_user


def pytest_configure(config):
    """The translations are compiled by `make deps`; a bare `pytest` compiles them too when a .po
    file is newer than its .mo (once, in the main process, not in each xdist worker)."""
    if hasattr(config, "workerinput"):
        return
    root = Path(__file__).resolve().parent.parent
    stale = [
        po
        for po in (root / "locale").glob("*/LC_MESSAGES/*.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        subprocess.run(
            [sys.executable, "manage.py", "compilemessages", "--ignore=node_modules", "--ignore=.venv", "-v0"],
            cwd=root,
            check=True,
        )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~100 ms a user; the hasher is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_local_cache(settings):
    """Counters kept in the local-memory cache (rate limits) start afresh in every test."""
    if "locmem" in settings.CACHES["default"]["BACKEND"]:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Every test stores files in its own empty folder, never in var/private (tests/storage swaps
    in the S3 backend on top of this)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@dataclass
class Cast:
    school: School
    other_school: School
    school_class: SchoolClass
    headteacher: User
    dsl: User
    staff: User
    governor: User
    office: User
    parent: User
    other_parent: User
    child: Pupil
    other_child: Pupil
    other_headteacher: User
    other_office: User
    other_school_parent: User
    other_school_child: Pupil


def ensure_reference_data() -> None:
    """Put back the rows data migrations add (the platform directory).

    A transactional test (browser, integration) empties every table when it ends, taking those
    rows with it; the next test on the same worker would otherwise find no platforms.
    """
    from django.apps import apps

    from incidents.models import Platform

    if not Platform.objects.exists():
        importlib.import_module("incidents.migrations.0002_common_platforms").add_platforms(apps, None)


@pytest.fixture
def cast(db) -> Cast:
    ensure_reference_data()
    cluster = Cluster.objects.create(name="Test Cluster")
    school = make_school("NBP", "Northbrook Primary School", cluster)
    other = make_school("HVP", "Hollins Vale Primary School", cluster)
    school_class = make_class(school, "Otters")
    parent = make_user(school, Role.PARENT, name="Jo Parent", email="jo.parent@example.org")
    other_parent = make_user(school, Role.PARENT, name="Sam Other", email="sam.other@example.org")
    other_school_parent = make_user(other, Role.PARENT, name="Lee Elsewhere")
    return Cast(
        school=school,
        other_school=other,
        school_class=school_class,
        headteacher=make_user(school, Role.HEADTEACHER, name="Aisha Head", email="head@example.org"),
        dsl=make_user(school, Role.DSL, name="Tom Safeguard", email="dsl@example.org"),
        staff=make_user(school, Role.STAFF, name="Priya Teacher", email="staff@example.org"),
        governor=make_user(school, Role.GOVERNOR, name="Geoff Governor", email="governor@example.org"),
        office=make_user(school, Role.OFFICE, name="Carol Office", email="office@example.org"),
        parent=parent,
        other_parent=other_parent,
        child=make_pupil(school, school_class, first="Mia", last="Parent", parent=parent),
        other_child=make_pupil(school, school_class, first="Alex", last="Other", parent=other_parent),
        other_headteacher=make_user(other, Role.HEADTEACHER, name="Dan OtherHead"),
        other_office=make_user(other, Role.OFFICE, name="Sunil OtherOffice"),
        other_school_parent=other_school_parent,
        other_school_child=make_pupil(
            other, make_class(other, "Foxes"), first="Kai", last="Elsewhere", parent=other_school_parent
        ),
    )


def sign_in(client, user: User) -> None:
    """Sign `user` in, two-factor included where their role needs it."""
    client.force_login(user, backend="accounts.backends.PasswordBackend")
    session = client.session
    # As signing in through the page does: the session's expiry was just set, so the next pages
    # within a minute write nothing (schoolsocial.middleware.SessionIdleTimeoutMiddleware).
    session[SessionIdleTimeoutMiddleware.KEY] = int(time.time())
    if user.requires_two_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns the test client signed in as that user."""

    def _client_for(user: User):
        client.logout()
        sign_in(client, user)
        return client

    return _client_for
