"""Production settings: secure by default, refuses to start half-configured, and `check --deploy`
has nothing to say once everything is set.

Each test runs the settings in a fresh process with exactly the environment it names, so nothing
from the machine running the tests (or from the other tests) leaks in.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

# Everything production needs. Each test removes or spoils one piece.
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret-key-" + "x9Q2" * 12,
    "ALLOWED_HOSTS": "portal.school.example",
    "SITE_URL": "https://portal.school.example",
    "EMAIL_HOST": "smtp.school.example",
    "CELERY_BROKER_URL": "redis://localhost:6379/0",
    "REDIS_URL": "redis://localhost:6379/1",
}

SHOW_SETTINGS = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "SITE_URL", "EMAIL_BACKEND", "EMAIL_HOST", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL",
)} | {"cache": settings.CACHES["default"]}))
"""


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "schoolsocial.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run(["manage.py", *args], env)


def shown_settings(**env: str) -> dict:
    result = run(["-c", SHOW_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def without(name: str) -> dict[str, str]:
    return {key: value for key, value in PRODUCTION.items() if key != name}


def test_check_deploy_reports_nothing_with_production_fully_configured():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_sends_real_email_through_workers_with_https_links():
    shown = shown_settings(**PRODUCTION)
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["EMAIL_HOST"] == "smtp.school.example"
    assert shown["CELERY_TASK_ALWAYS_EAGER"] is False
    assert shown["CELERY_BROKER_URL"] == "redis://localhost:6379/0"
    assert shown["SITE_URL"] == "https://portal.school.example"
    assert "Redis" in shown["cache"]["BACKEND"]
    assert shown["cache"]["LOCATION"] == "redis://localhost:6379/1"


@pytest.mark.parametrize("name", ["EMAIL_HOST", "CELERY_BROKER_URL", "REDIS_URL", "SITE_URL"])
def test_production_without_a_service_will_not_start_and_names_the_variable(name):
    result = run_manage("check", **without(name))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} is not set" in result.stderr


def test_a_blank_value_counts_as_missing():
    result = run_manage("check", **(PRODUCTION | {"EMAIL_HOST": "  "}))
    assert result.returncode != 0
    assert "EMAIL_HOST is not set" in result.stderr


@pytest.mark.parametrize(
    "site_url", ["http://portal.school.example", "http://127.0.0.1:8000", "portal.school.example", "https://"]
)
def test_production_refuses_a_site_url_that_is_not_https(site_url):
    result = run_manage("check", **(PRODUCTION | {"SITE_URL": site_url}))
    assert result.returncode != 0
    assert "SITE_URL must be the portal's https address" in result.stderr


@pytest.mark.parametrize("backend", ["console", "filebased"])
def test_production_refuses_an_email_backend_that_never_delivers(backend):
    result = run_manage(
        "check", **(PRODUCTION | {"EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"})
    )
    assert result.returncode != 0
    assert "would never deliver an email" in result.stderr


def test_the_embedded_default_still_needs_no_services():
    shown = shown_settings()
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert shown["CELERY_TASK_ALWAYS_EAGER"] is True
    assert shown["SITE_URL"] == "http://127.0.0.1:8000"
    assert shown["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize("env", [{"DJANGO_ENV": "production"}, {"DEBUG": "0"}])
def test_without_a_secret_key_production_will_not_start(env):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_without_allowed_hosts_production_will_not_start():
    result = run_manage("check", **without("ALLOWED_HOSTS"))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr
