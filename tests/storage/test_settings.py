"""The storage settings an environment gets: the local private folder, or a private S3 bucket."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

# The services production refuses to start without (tests/accounts/test_production_settings.py).
PRODUCTION_SERVICES = {
    "SITE_URL": "https://portal.school.example",
    "EMAIL_HOST": "smtp.school.example",
    "CELERY_BROKER_URL": "redis://localhost:6379/0",
    "REDIS_URL": "redis://localhost:6379/1",
}

SHOW_STORAGE = """
import json
import django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
storage = storages["default"]
print(json.dumps({
    "backend": settings.STORAGES["default"]["BACKEND"],
    "options": settings.STORAGES["default"].get("OPTIONS", {}),
    "classes": [cls.__module__ + "." + cls.__name__ for cls in type(storage).__mro__],
    "url": storage.url("evidence/1/2026/a b.png"),
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
}, default=str))
"""


def storage_settings(**extra: str) -> dict:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "schoolsocial.settings",
        "HOME": os.environ.get("HOME", "/tmp"),
        **extra,
    }
    result = subprocess.run(
        [sys.executable, "-c", SHOW_STORAGE], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_bucket_files_stay_in_the_local_private_folder(tmp_path):
    shown = storage_settings(PRIVATE_MEDIA_ROOT=str(tmp_path))
    assert shown["backend"] == "django.core.files.storage.FileSystemStorage"
    assert shown["options"]["location"] == str(tmp_path)
    assert shown["url"].startswith("/private-files-are-not-served/")


def test_a_bucket_switches_the_default_storage_to_private_s3():
    shown = storage_settings(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.school.example",
        **PRODUCTION_SERVICES,
        STORAGE_S3_BUCKET="trust-portal-files",
        STORAGE_S3_PREFIX="/live/",
        AWS_S3_ENDPOINT_URL="https://objects.example.net",
        AWS_S3_REGION_NAME="eu-west-2",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="not-a-real-secret",
    )
    assert shown["backend"] == "schoolsocial.lib.storage.PrivateS3Storage"
    assert "storages.backends.s3.S3Storage" in shown["classes"]
    options = shown["options"]
    assert options["bucket_name"] == "trust-portal-files"
    assert options["location"] == "live"
    assert options["endpoint_url"] == "https://objects.example.net"
    assert options["region_name"] == "eu-west-2"
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}
    # Credentials are left to boto3's own lookup (environment or machine role), never copied here.
    assert "not-a-real-secret" not in json.dumps(options)
    # No bucket link is ever made, signed or not; static files stay with whitenoise.
    assert shown["url"] == "/private-files-are-not-served/evidence/1/2026/a%20b.png"
    assert shown["staticfiles"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_the_prefix_defaults_to_the_environment_and_encryption_can_be_chosen():
    shown = storage_settings(STORAGE_S3_BUCKET="b-files", AWS_S3_SSE="aws:kms", AWS_S3_SSE_KMS_KEY_ID="alias/portal")
    assert shown["options"]["location"] == "development"
    assert shown["options"]["endpoint_url"] is None
    assert shown["options"]["object_parameters"] == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/portal"}
    # A store without server-side encryption (some S3-compatible services) can turn it off.
    assert storage_settings(STORAGE_S3_BUCKET="b-files", AWS_S3_SSE="none")["options"]["object_parameters"] == {}


def test_deployment_checks_stay_clean_with_the_bucket_configured():
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "portal.school.example",
        **PRODUCTION_SERVICES,
        "STORAGE_S3_BUCKET": "trust-portal-files",
        "AWS_S3_REGION_NAME": "eu-west-2",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
