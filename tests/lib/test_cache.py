"""The cache is an optimisation: with Redis unreachable, pages compute instead of failing."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.integration.conftest import free_port

UNREACHABLE = {
    "default": {
        "BACKEND": "schoolsocial.lib.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def redis_down(settings):
    config = {"default": {**UNREACHABLE["default"]}}
    config["default"]["LOCATION"] = config["default"]["LOCATION"].format(port=free_port())  # nobody listens
    settings.CACHES = config
    yield caches["default"]


def test_reads_miss_and_writes_are_dropped_without_an_error(redis_down, caplog):
    assert redis_down.get("figures", "computed") == "computed"
    assert redis_down.get_many(["a", "b"]) == {}
    redis_down.set("figures", 1)
    assert redis_down.add("figures", 1) is False
    assert redis_down.delete("figures") is False
    with pytest.raises(ValueError):
        redis_down.incr("generation")


@pytest.mark.django_db
def test_the_headteachers_dashboard_answers_while_redis_is_down(cast, client_for, redis_down):
    response = client_for(cast.headteacher).get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert "What needs you today" in response.content.decode()
