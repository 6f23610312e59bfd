"""Production settings: secure by default, and `check --deploy` has nothing to say."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY="a-long-random-production-secret-key-" + "x9Q2" * 12,
        ALLOWED_HOSTS="portal.school.example",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("env", [{"DJANGO_ENV": "production"}, {"DEBUG": "0"}])
def test_without_a_secret_key_production_will_not_start(env):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_without_allowed_hosts_production_will_not_start():
    result = run_manage(
        "check", DJANGO_ENV="production", SECRET_KEY="a-long-random-production-secret-key-" + "x9Q2" * 12
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr
