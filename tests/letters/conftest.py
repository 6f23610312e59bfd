from __future__ import annotations

import pytest

from .builders import make_case


@pytest.fixture
def case(cast):
    return make_case(cast)
