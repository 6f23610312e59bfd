"""Password reset emails are limited per address and per client, and the page looks the same
whatever happens, so it never says whether an address has an account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def ask_for_reset(client, email, ip="198.51.100.20"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip, follow=True)


def page_text(response) -> bytes:
    """The page without its CSRF tokens (the language menu's form carries a fresh one each time)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)


def test_ten_requests_for_one_address_send_only_a_few_emails(
    cast, client, settings, django_capture_on_commit_callbacks
):
    pages = []
    with django_capture_on_commit_callbacks(execute=True):
        for attempt in range(10):
            # From ten different addresses: the limit is on the mailbox too, not only the client.
            pages.append(ask_for_reset(client, cast.parent.email, ip=f"198.51.100.{attempt + 1}"))
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_ADDRESS
    assert all(page.redirect_chain[-1][0] == reverse("accounts:password_reset_done") for page in pages)
    assert len({page_text(page) for page in pages}) == 1  # the same page, sent or not


def test_one_client_cannot_send_resets_to_many_addresses(cast, client, settings, django_capture_on_commit_callbacks):
    people = [cast.parent, cast.other_parent, cast.staff, cast.governor, cast.headteacher, cast.dsl, cast.office]
    settings.PASSWORD_RESET_PER_CLIENT = 4
    with django_capture_on_commit_callbacks(execute=True):
        for person in people:
            ask_for_reset(client, person.email)
    assert len(mail.outbox) == 4
    # Someone else, from their own address, is not held up.
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_reset(client, cast.office.email, ip="203.0.113.5")
    assert mail.outbox[-1].to == [cast.office.email]


def test_over_the_limit_an_unknown_address_gets_the_same_page_as_a_known_one(
    cast, client, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_PER_CLIENT = 1
    with django_capture_on_commit_callbacks(execute=True):
        known = ask_for_reset(client, cast.parent.email)
        unknown = ask_for_reset(client, "nobody@example.org")
        limited = ask_for_reset(client, cast.parent.email)
    assert page_text(known) == page_text(unknown) == page_text(limited)
    assert "Check your email" in limited.content.decode()
