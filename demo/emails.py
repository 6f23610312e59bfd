"""Demo delivery problems, so the headteacher's "Email delivery" page and its warning have
something to show: seed_demo sends nothing (a dummy backend), so every demo email reads as sent.

Run last by seed_demo: it marks one update to a parent per school as refused by their mail
server (a full mailbox) and one email to a member of staff as not confirmed. Idempotent.
"""

from __future__ import annotations

from notifications.models import Notification

Status = Notification.Status


def seed(schools, options, stdout) -> None:
    marked = 0
    for school in schools:
        marked += _mark(
            school,
            template="complaint-update",
            status=Status.FAILED,
            attempts=6,
            problem="{address}: 552 5.2.2 Mailbox full: the recipient's mailbox is over its storage limit",
        )
        marked += _mark(
            school,
            template="complaint-assigned",
            status=Status.UNKNOWN,
            attempts=1,
            problem="The mail server stopped answering while this email was being handed over.",
        )
    stdout.write(f"accounts: {marked} demo email delivery problems recorded")


def _mark(school, *, template: str, status: str, attempts: int, problem: str) -> int:
    emails = Notification.objects.filter(school=school, template=template).order_by("pk")
    if emails.filter(status=status).exists():
        return 0
    email = emails.filter(status__in=[Status.SENT, Status.QUEUED]).first()
    if email is None:
        return 0
    address = email.to[0] if email.to else "the recipient"
    email.status = status
    email.attempts = attempts
    email.sent_at = None
    email.last_error = problem.format(address=address)
    email.save(update_fields=["status", "attempts", "sent_at", "last_error"])
    return 1
