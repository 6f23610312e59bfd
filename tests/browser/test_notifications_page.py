"""The headteacher sees which emails failed, sends one again, and confirms before resending an
unconfirmed one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)

Status = Notification.Status


def seed_emails(school) -> dict[str, Notification]:
    rows = [
        ("failed", "agreement-request", ["sam.other@example.org"], Status.FAILED, 7, 2),
        ("unknown", "policy-new-version", ["staff@example.org"], Status.UNKNOWN, 1, 3),
        ("alert", "incident-dsl-alert", ["dsl@example.org"], Status.SENT, 1, 4),
        ("invite", "invitation", ["new.carer@example.org"], Status.QUEUED, 0, 0.01),
    ]
    emails = {}
    for name, template, to, status, attempts, days_ago in rows:
        email = Notification.objects.create(
            key=f"browser:{name}",
            school=school,
            to=to,
            template=template,
            subject={
                "failed": "Reminder: please sign Northbrook's home-school agreement",
                "unknown": "Northbrook: please read the new Social media policy",
                "alert": "A safeguarding concern needs you at Northbrook Primary School",
                "invite": "Northbrook Primary School: set up your schoolsocial account",
            }[name],
            body_text="Not shown on the page",
            body_html="<p>Not shown on the page</p>",
            status=status,
            attempts=attempts,
            last_error={
                "failed": "(550, b'5.1.1 <sam.other@example.org>: Recipient address rejected: mailbox full')",
                "unknown": "The worker stopped while the mail server was receiving this message.",
            }.get(name, ""),
            sent_at=timezone.now() - timedelta(days=days_ago) if status == Status.SENT else None,
        )
        Notification.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        emails[name] = email
    return emails


def test_headteacher_reviews_and_resends_failed_emails(cast, page, sign_in_page, assert_axe_clean):
    emails = seed_emails(cast.school)
    sign_in_page(page, cast.headteacher)

    page.goto(reverse("dashboard:home"))
    page.get_by_text("Some emails did not get through").wait_for()
    page.get_by_role("link", name="Check email delivery").click()
    page.wait_for_url("**/emails/?state=failed*")
    page.get_by_role("link", name="All", exact=False).first.click()
    page.wait_for_url("**/emails/?period=*")  # the heading is on the failed-only page too
    page.get_by_role("heading", name="Email delivery").wait_for()
    assert page.get_by_text("Recipient address rejected").is_visible()
    assert_axe_clean(page, name="notifications-review")

    page.get_by_role("button", name="Send again").click()
    page.get_by_text("is on its way again").wait_for()
    emails["failed"].refresh_from_db()
    assert emails["failed"].status == Status.SENT
    assert [m.to for m in mail.outbox] == [["sam.other@example.org"]]

    page.get_by_role("link", name="Send again…").click()
    page.get_by_role("heading", name="Send this email again?").wait_for()
    assert page.get_by_text("This email may already have arrived.").is_visible()
    assert_axe_clean(page, name="notifications-confirm")
    page.get_by_label("I understand it may arrive twice. Send it again.").check()
    page.get_by_role("button", name="Send again").click()
    page.get_by_text("is on its way again").wait_for()
    emails["unknown"].refresh_from_db()
    assert emails["unknown"].status == Status.SENT and len(mail.outbox) == 2
