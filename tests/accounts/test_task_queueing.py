"""Tasks are acknowledged late and only ever queued once the transaction has committed."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from accounts import actions
from schoolsocial.celery import app

PROJECT_APPS = (
    "accounts",
    "incidents",
    "policies",
    "agreements",
    "complaints",
    "notifications",
    "files",
    "dashboard",
    "dataprotection",
    "schoolsocial",
)


def project_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if name.split(".", 1)[0] in PROJECT_APPS}


def test_every_task_is_acknowledged_only_after_it_has_run():
    tasks = project_tasks()
    assert "notifications.tasks.deliver_notification" in tasks
    assert [name for name, task in tasks.items() if not task.acks_late] == []
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True


def test_nothing_queues_a_task_except_through_on_commit():
    """`.delay()` / `.apply_async()` only inside schoolsocial/lib/tasks.py (enqueue_on_commit)."""
    allowed = Path(settings.BASE_DIR, "schoolsocial", "lib", "tasks.py")
    offenders = []
    for app_name in PROJECT_APPS:
        for path in Path(settings.BASE_DIR, app_name).rglob("*.py"):
            if path == allowed or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Attribute) and node.attr in {"delay", "apply_async", "send_task"}:
                    offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    assert offenders == []


@pytest.mark.django_db(transaction=True)
def test_an_invitation_rolled_back_sends_no_email(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.invite_parent(
            school=cast.school,
            created_by=cast.office,
            full_name="Nia New",
            email="nia@example.org",
            relationship="mother",
            pupils=[cast.other_child],
        )
        raise RuntimeError("something later in the same request failed")
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_an_invitation_email_leaves_once_the_invitation_is_saved(cast):
    actions.invite_parent(
        school=cast.school,
        created_by=cast.office,
        full_name="Nia New",
        email="nia@example.org",
        relationship="mother",
        pupils=[cast.other_child],
    )
    assert [message.to for message in mail.outbox] == [["nia@example.org"]]
