"""A real OpenID Connect provider (node-oidc-provider, tests/accounts/sso/oidc_provider.mjs) on
loopback, and a helper that walks a browser-less sign-in through it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from accounts.models import SchoolSignIn

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "schoolsocial-test"
CLIENT_SECRET = "loopback-secret-for-tests-only"
CALLBACK_PATH = "/sign-in/provider/oidc/school-oidc/login/callback/"

# Keyed by the login_hint (the address typed on the sign-in page): who the provider signs in.
ACCOUNTS = {
    "staff@example.org": {"email": "staff@example.org", "email_verified": True, "amr": ["pwd"]},
    "governor@example.org": {"email": "governor@example.org", "email_verified": True, "amr": ["pwd"]},
    "dsl@example.org": {"email": "dsl@example.org", "email_verified": True, "amr": ["pwd", "mfa"]},
    "head@example.org": {"email": "head@example.org", "email_verified": True, "amr": ["pwd"]},
    "office@example.org": {"email": "office@example.org", "email_verified": True, "amr": ["pwd", "mfa"]},
    "jo.parent@example.org": {"email": "jo.parent@example.org", "email_verified": True, "amr": ["pwd", "mfa"]},
    "nobody@example.org": {"email": "nobody@example.org", "email_verified": True, "amr": ["pwd"]},
    # The address typed is the school's, but the provider's account is another organisation's.
    "elsewhere@example.org": {"email": "staff@elsewhere.example", "email_verified": True, "amr": ["pwd"]},
    # The provider has not verified the address.
    "unverified@example.org": {"email": "staff@example.org", "email_verified": False, "amr": ["pwd"]},
}


@dataclass
class OidcProvider:
    issuer: str

    def settings_for_portal(self) -> dict:
        return {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": "school-oidc",
                        "name": "your school account",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": self.issuer},
                    }
                ],
                "OAUTH_PKCE_ENABLED": True,
            }
        }


def start_provider(redirect_uris: list[str]):
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("node and node_modules/oidc-provider are needed (npm install)")
    env = {
        **os.environ,
        "OIDC_TEST_CONFIG": json.dumps(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "accounts": ACCOUNTS,
            }
        ),
    }
    process = subprocess.Popen(
        [node, str(SCRIPT)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        pytest.fail(f"the OpenID Connect provider did not start: {process.stderr.read() if process.stderr else ''}")
    return process, OidcProvider(issuer=json.loads(line)["issuer"])


@pytest.fixture(scope="session")
def oidc_provider():
    process, provider = start_provider([f"http://testserver{CALLBACK_PATH}"])
    yield provider
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def school_sign_in(cast, settings, oidc_provider):
    settings.SOCIALACCOUNT_PROVIDERS = oidc_provider.settings_for_portal()
    return SchoolSignIn.objects.create(
        school=cast.school, provider=SchoolSignIn.Provider.OPENID, email_domain="example.org"
    )


def sso_sign_in(client, email: str):
    """Press "Sign in with your school account" with `email` typed, let the provider sign in its
    account, and bring the browser back to the portal's callback. Returns the portal's response."""
    response = client.post("/sign-in/school-account/", {"username": email, "provider": "oidc"})
    location = response.headers.get("Location", "")
    if not location.startswith("http://127.0.0.1"):
        return response  # the portal refused before the provider
    browser = requests.Session()
    for _ in range(10):
        reply = browser.get(location, allow_redirects=False, timeout=10)
        assert reply.status_code in (302, 303), reply.text[:500]
        location = reply.headers["Location"]
        if location.startswith("/"):
            location = f"{urlsplit(reply.url).scheme}://{urlsplit(reply.url).netloc}{location}"
        if location.startswith("http://testserver/"):
            break
    else:
        raise AssertionError("the provider never sent the browser back")
    return client.get(location.removeprefix("http://testserver"))
