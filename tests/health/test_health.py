"""`/health/` and `/health/ready/`: one word and a status code, for anyone, whatever is down."""

from __future__ import annotations

import socket

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from schoolsocial.celery import app as celery_app

DOWN = "unavailable\n"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_says_nothing_else(response) -> None:
    body = response.content.decode()
    assert body in {"ok\n", DOWN}
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/health/", "/health/ready/"])
def test_everything_up_is_ok_for_an_anonymous_caller(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert_says_nothing_else(response)


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_person_gets_the_same_single_word(client, cast):
    client.force_login(cast.parent)
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.content == b"ok\n"
    # The library's own formats (JSON, feeds, metrics) are not offered.
    assert client.get("/health/?format=json").content == b"ok\n"
    assert client.get("/health/?format=openmetrics").content == b"ok\n"


@pytest.mark.django_db(transaction=True)
def test_the_cache_down_is_unavailable_without_saying_why(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "schoolsocial.lib.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.content.decode() == DOWN
    assert_says_nothing_else(response)
    assert "Health check Cache failed" in caplog.text  # the operators still learn what failed


@pytest.mark.django_db(transaction=True)
def test_the_storage_unwritable_is_unavailable(client, settings, tmp_path):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": not_a_folder}},
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.content.decode() == DOWN


@pytest.mark.django_db(transaction=True)
def test_the_broker_unreachable_is_unavailable(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{closed_port()}/0")
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.content.decode() == DOWN


@pytest.mark.django_db(transaction=True)
def test_the_storage_probe_leaves_no_file_behind(client, tmp_path):
    assert client.get("/health/").status_code == 200
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


@pytest.mark.django_db(transaction=True)
def test_readiness_fails_while_a_migration_is_pending_and_liveness_does_not(client):
    recorder = MigrationRecorder(connection)
    applied = recorder.migration_qs.filter(app="incidents").order_by("-id").first()
    assert applied is not None
    recorder.record_unapplied(applied.app, applied.name)
    try:
        ready = client.get("/health/ready/")
        live = client.get("/health/")
    finally:
        recorder.record_applied(applied.app, applied.name)
    assert ready.status_code == 503
    assert ready.content.decode() == DOWN
    assert live.status_code == 200
    assert client.get("/health/ready/").status_code == 200  # applied again: ready again


@pytest.mark.django_db(transaction=True)
def test_only_get_and_head(client):
    assert client.head("/health/").status_code == 200
    assert client.post("/health/").status_code in {403, 405}  # CSRF or the method: never a check run
