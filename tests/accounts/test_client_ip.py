"""Behind the documented reverse proxy, the lockout and the access log see each client's own
address; without a trusted proxy, nobody can choose their address by sending a header."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import AccessLog
from schoolsocial.lib.client_ip import client_ip
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"


def post_login(client, email, password, remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **headers)


def test_behind_a_trusted_proxy_a_stranger_cannot_lock_a_colleague_out(cast, client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, cast.staff.email, "guess", PROXY, forwarded="203.0.113.66")
    # The stranger's address is locked out of that account...
    assert post_login(client, cast.staff.email, PASSWORD, PROXY, forwarded="203.0.113.66").status_code == 429
    # ...the member of staff, through the same proxy from the school's address, is not.
    assert post_login(client, cast.staff.email, PASSWORD, PROXY, forwarded="198.51.100.20").status_code == 302


def test_without_a_trusted_proxy_the_header_is_ignored(cast, client, settings):
    settings.TRUSTED_PROXIES = []
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, cast.staff.email, "guess", "203.0.113.66", forwarded=f"192.0.2.{attempt}")
    # A fresh made-up address in the header gives no fresh tries.
    locked = post_login(client, cast.staff.email, PASSWORD, "203.0.113.66", forwarded="192.0.2.200")
    assert locked.status_code == 429


def test_a_header_from_a_client_that_is_not_a_proxy_is_not_believed(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="10.0.0.9")
    assert client_ip(request) == "203.0.113.66"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.20", "198.51.100.20"),
        # The client put a made-up address in front: the proxy appended the real one.
        ("192.0.2.1, 198.51.100.20", "198.51.100.20"),
        # Two of our own proxies in a row.
        ("198.51.100.20, 10.0.0.7", "198.51.100.20"),
        ("", PROXY),
        ("not-an-address", PROXY),
    ],
)
def test_the_client_is_the_nearest_address_that_is_not_our_proxy(settings, forwarded, expected):
    settings.TRUSTED_PROXIES = [PROXY, "10.0.0.0/24"]
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_the_access_log_records_the_clients_address_behind_the_proxy(cast, client_for, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    client = client_for(cast.office)
    url = reverse("accounts:pupil_detail", args=[cast.child.pk])
    assert client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 200
    assert AccessLog.objects.get(user=cast.office).ip_address == "198.51.100.20"
