"""What every benchmark script needs: a throwaway database and a signed-in client.

Import `boot` before anything from Django, call it, then import the project's modules.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def boot(name: str) -> str:
    """Point Django at a fresh SQLite file in a temporary folder (or BENCH_DATABASE_URL), keep
    email in memory and tasks in-process, and set Django up. Returns the temporary folder."""
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp(prefix=f"bench-{name}-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolsocial.settings")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ["PRIVATE_MEDIA_ROOT"] = workdir
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    logging.getLogger("celery").setLevel(logging.WARNING)
    return workdir


def signed_in_client(user):
    """A test client signed in as `user`, second factor passed."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
