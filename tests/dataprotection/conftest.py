"""The DPOs of the two schools, and the incident builders of tests/incidents."""

from __future__ import annotations

import pytest

from accounts.models import Role, User
from tests.factories import make_user
from tests.incidents.conftest import _private_media, facebook, file_report  # noqa: F401


@pytest.fixture
def dpo(cast) -> User:
    return make_user(cast.school, Role.DPO, name="Dee Protection", email="dpo@example.org")


@pytest.fixture
def other_dpo(cast) -> User:
    return make_user(cast.other_school, Role.DPO, name="Olu OtherDPO", email="dpo@other.example.org")
