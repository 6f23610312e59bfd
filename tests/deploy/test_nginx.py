"""deploy/nginx-schoolsocial.conf in front of gunicorn with production settings, checked through it.

Debian's nginx runs the site file from deploy/ (only its ports, certificate and upstream swapped)
with a self-signed certificate; gunicorn serves the portal with DJANGO_ENV=production against this
test run's database. Every request below goes over https to nginx, as a browser's would.

The client's address: loopback is all of 127.0.0.0/8, so a client can connect from 127.0.0.5 and
another from 127.0.0.6 while nginx (127.0.0.1, the only TRUSTED_PROXIES entry) talks to gunicorn.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from requests.adapters import HTTPAdapter
from urllib3 import PoolManager

from accounts.models import Role

from ..factories import PASSWORD, make_school, make_user

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else "")
OPENSSL = shutil.which("openssl") or ""
SITE = settings.BASE_DIR / "deploy" / "nginx-schoolsocial.conf"

pytestmark = [
    pytest.mark.skipif(not NGINX, reason="nginx is not installed (Debian: apt-get install nginx; make test does)"),
    pytest.mark.skipif(not OPENSSL, reason="openssl is not installed"),
    pytest.mark.skipif(
        not os.environ.get("TEST_REDIS_URL"),
        reason="production settings need Redis: TEST_REDIS_URL is set by make test (scripts/test.sh)",
    ),
    pytest.mark.xdist_group("nginx"),
    pytest.mark.django_db(transaction=True),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listened on {port} within {seconds} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def site_for_test(https_port: int, http_port: int, gunicorn_port: int, cert: Path, key: Path) -> str:
    """The deploy/ site file, with only what must differ on a test machine changed."""
    text = SITE.read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{gunicorn_port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/portal.school.example/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/portal.school.example/privkey.pem": str(key),
    }
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in {SITE.name}: update this test with it"
        text = text.replace(old, new)
    # No IPv6 on every test machine.
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


def nginx_conf(run: Path, site: str) -> str:
    temp = "\n".join(
        f"    {kind}_temp_path {run / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
daemon off;
worker_processes 1;
pid {run / "nginx.pid"};
error_log {run / "error.log"} warn;
events {{ worker_connections 128; }}
http {{
    access_log {run / "access.log"};
{temp}
{site}
}}
"""


@dataclass
class Stack:
    base: str  # https://127.0.0.1:PORT
    http_base: str
    gunicorn: str  # http://127.0.0.1:PORT, straight to gunicorn
    cert: Path
    private: Path


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory) -> Iterator[Stack]:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        pytest.skip("gunicorn needs a database another process can open: run on PostgreSQL (make test does)")
    run = tmp_path_factory.mktemp("nginx")
    run.chmod(0o755)
    private = run / "private"
    private.mkdir()
    cert, key = run / "cert.pem", run / "key.pem"
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    https_port, http_port, gunicorn_port = free_port(), free_port(), free_port()
    base = f"https://127.0.0.1:{https_port}"
    redis_url = os.environ["TEST_REDIS_URL"]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "schoolsocial.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": base,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "DB_CONN_MAX_AGE": "0",  # nothing holds a connection while a test empties the tables
        "CELERY_BROKER_URL": redis_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": f"nginx-test-{secrets.token_hex(4)}",  # no worker takes these
        "EMAIL_HOST": "127.0.0.1",
        "TRUSTED_PROXIES": "127.0.0.1",
        "PRIVATE_MEDIA_ROOT": str(private),
    }
    # make test collects them first. Both test workers may start a stack at once: one collects, the
    # other waits for it (two collecting together left files under clashing names, served uncached).
    (settings.BASE_DIR / "var").mkdir(exist_ok=True)
    with (settings.BASE_DIR / "var" / "collectstatic.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (settings.STATIC_ROOT / "staticfiles.json").exists():
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=settings.BASE_DIR,
                env=env,
                check=True,
            )
    gunicorn_log = run / "gunicorn.log"
    with gunicorn_log.open("w") as log:
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "schoolsocial.wsgi", "--bind", f"127.0.0.1:{gunicorn_port}"]
            + ["--workers", "1", "--preload", "--forwarded-allow-ips", "127.0.0.1", "--access-logfile", "-"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    conf = run / "nginx.conf"
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (run / kind).mkdir(mode=0o777)
        (run / kind).chmod(0o777)  # nginx's workers run as nobody when the tests run as root
    conf.write_text(nginx_conf(run, site_for_test(https_port, http_port, gunicorn_port, cert, key)))
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(run), "-c", str(conf), "-e", str(run / "error.log")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    nginx_log = run / "nginx.out"
    with nginx_log.open("w") as log:
        nginx = subprocess.Popen(
            [NGINX, "-p", str(run), "-c", str(conf), "-e", str(run / "error.log")], stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_for_port(gunicorn_port, gunicorn, gunicorn_log)
        wait_for_port(https_port, nginx, run / "error.log")
        yield Stack(
            base=base,
            http_base=f"http://127.0.0.1:{http_port}",
            gunicorn=f"http://127.0.0.1:{gunicorn_port}",
            cert=cert,
            private=private,
        )
    finally:
        stop(nginx)
        stop(gunicorn)


class FromAddress(HTTPAdapter):
    """Connects from a chosen loopback address, as a browser on another machine would."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, connections, maxsize, block=False, **kwargs):
        self.poolmanager = PoolManager(
            num_pools=connections, maxsize=maxsize, block=block, source_address=(self.address, 0), **kwargs
        )


def browser(stack: Stack, address: str = "127.0.0.5") -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE or a proxy from the environment would win otherwise
    session.verify = str(stack.cert)
    session.mount("https://", FromAddress(address))
    session.mount("http://", FromAddress(address))
    session.headers["Origin"] = stack.base  # as a browser posting a form of this site
    return session


def parent_with_real_password():
    """A parent whose password hash the production settings can check (the tests' own hasher
    is a fast one gunicorn does not know)."""
    return with_real_password(make_user(make_school("RIV", "Riverside Primary"), Role.PARENT, name="Priya Parent"))


def with_real_password(user):
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def sign_in(session: requests.Session, stack: Stack, email: str, password: str) -> requests.Response:
    session.get(f"{stack.base}/sign-in/")
    return session.post(
        f"{stack.base}/sign-in/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
    )


def test_sign_in_over_https_sets_secure_cookies_and_hsts(stack):
    parent = parent_with_real_password()
    session = browser(stack)
    page = session.get(f"{stack.base}/sign-in/")
    assert page.status_code == 200
    assert "max-age=31536000" in page.headers["Strict-Transport-Security"]
    assert page.headers["Server"] == "nginx"  # no version
    assert (
        page.headers["Strict-Transport-Security"].count("max-age") == 1
    )  # one header, not the proxy's and the portal's
    response = sign_in(session, stack, parent.email, PASSWORD)
    assert response.status_code == 200, response.text[-2000:]
    assert response.url == f"{stack.base}/"  # the home page, over https
    assert "Priya Parent" in response.text
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    cookies = {cookie.name: cookie for cookie in session.cookies}
    assert {"sessionid", "csrftoken"} <= set(cookies)
    assert all(cookie.secure for cookie in cookies.values())
    assert cookies["sessionid"].has_nonstandard_attr("HttpOnly")


def test_plain_http_is_sent_to_https_except_the_health_checks(stack):
    session = browser(stack)
    response = session.get(f"{stack.http_base}/sign-in/", allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
    for path in ("/health/", "/health/ready/"):
        response = session.get(f"{stack.http_base}{path}", allow_redirects=False)
        assert (response.status_code, response.text) == (200, "ok\n"), path
    assert session.get(f"{stack.base}/health/").text == "ok\n"


def test_a_12_mb_upload_gets_the_portals_own_message(stack, cast):
    with_real_password(cast.parent)
    session = browser(stack)
    assert sign_in(session, stack, cast.parent.email, PASSWORD).status_code == 200
    form = session.get(f"{stack.base}/incidents/report/")
    assert form.status_code == 200
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (12 * 1024 * 1024)
    response = session.post(
        f"{stack.base}/incidents/report/",
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "form_token": re.search(r'name="form_token" value="([^"]+)"', form.text).group(1),
        },
        files={"evidence": ("screenshot.png", big, "image/png")},
    )
    assert response.status_code == 400, response.url + response.text[-3000:]
    assert "“screenshot.png” is 12 MB, larger than the 10 MB limit" in response.text
    assert "Request Entity Too Large" not in response.text


def test_private_files_and_the_media_folder_are_404(stack):
    secret = stack.private / "evidence" / "1" / "secret.png"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(b"\x89PNG not for the web")
    session = browser(stack)
    for path in (
        "/private/evidence/1/secret.png",
        "/private/",
        "/private-files-are-not-served/evidence/1/secret.png",
        "/media/evidence/1/secret.png",
        "/evidence/1/secret.png",
        "/static/../private/evidence/1/secret.png",
        "/static/%2e%2e/private/evidence/1/secret.png",
    ):
        response = session.get(f"{stack.base}{path}", allow_redirects=False)
        assert response.status_code == 404, path
        assert b"not for the web" not in response.content, path
        assert "max-age=31536000" in response.headers["Strict-Transport-Security"], path


def test_static_files_come_through(stack):
    page = browser(stack).get(f"{stack.base}/sign-in/")
    stylesheet = next(part.split('"')[0] for part in page.text.split('href="')[1:] if part.startswith("/static/"))
    response = browser(stack).get(f"{stack.base}{stylesheet}")
    assert response.status_code == 200
    assert "max-age=315360000" in response.headers["Cache-Control"]  # whitenoise: hashed name, cached


def test_the_lockout_sees_each_clients_own_address_through_the_proxy(stack, settings):
    parent = parent_with_real_password()
    attacker = browser(stack, "127.0.0.5")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # A forged header is replaced by nginx, never believed.
        attacker.headers["X-Forwarded-For"] = "198.51.100.7"
        assert sign_in(attacker, stack, parent.email, "wrong password").status_code in {200, 403, 429}
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.5"}
    locked = sign_in(attacker, stack, parent.email, PASSWORD)
    assert "Too many attempts" in locked.text
    # The same account from another address (the parent at home) is not locked out.
    at_home = browser(stack, "127.0.0.6")
    response = sign_in(at_home, stack, parent.email, PASSWORD)
    assert response.url == f"{stack.base}/"
    assert "Priya Parent" in response.text


def test_the_header_is_ignored_from_anyone_but_the_proxy(stack):
    parent = parent_with_real_password()
    # Straight to gunicorn, from an address that is not a trusted proxy, naming someone else.
    direct = requests.Session()
    direct.trust_env = False
    direct.mount("http://", FromAddress("127.0.0.7"))
    direct.headers.update({"X-Forwarded-For": "127.0.0.8", "X-Forwarded-Proto": "https"})
    direct.headers["Origin"] = stack.gunicorn.replace("http://", "https://")
    direct.get(f"{stack.gunicorn}/sign-in/")
    token = direct.cookies["csrftoken"]  # a Secure cookie, so sent by hand over this plain connection
    response = direct.post(
        f"{stack.gunicorn}/sign-in/",
        data={"username": parent.email, "password": "wrong", "csrfmiddlewaretoken": token},
        headers={"Cookie": f"csrftoken={token}"},
        allow_redirects=False,
    )
    assert response.status_code in {200, 403}, response.status_code
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.7"}
