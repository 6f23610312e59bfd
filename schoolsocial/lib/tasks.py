"""Queueing helpers shared by every app."""

from collections.abc import Callable

from django.db import transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a Celery task once the current transaction commits.

    A task queued inside a transaction that later rolls back would act on rows that never
    existed; on_commit also means the worker always sees the committed rows.
    """
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


def on_commit(func: Callable[[], None]) -> None:
    transaction.on_commit(func)
