"""Queueing helpers shared by every app."""

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

# For an idempotent task (a sweep, a chunk of reminders decided with `decide_once`): when the
# database is down or the connection dropped, nothing was recorded, so the task is retried with
# back-off instead of being acknowledged and lost. `@shared_task(acks_late=True, **RETRY_ON_DATABASE_ERRORS)`
RETRY_ON_DATABASE_ERRORS: dict = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "max_retries": 100,
}


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a Celery task once the current transaction commits.

    A task queued inside a transaction that later rolls back would act on rows that never
    existed; on_commit also means the worker always sees the committed rows. If the broker cannot
    be reached, the committed work is not undone and the request does not fail: the rows record
    what is owed, and the relays (notifications.outbox.relay, the render relays) queue it later.
    """

    def publish() -> None:
        try:
            task.delay(*args, **kwargs)
        except BrokerUnavailable:
            logger.warning("Broker unavailable: %s(%s) left for the relay", task.name, args, exc_info=True)

    transaction.on_commit(publish)


def enqueue_now(task, *args, countdown: float | None = None) -> bool:
    """Queue a task at once, outside any transaction (a relay, a retry): True if the broker took
    it. Only for work whose rows already say it is owed, so a relay can queue it again."""
    try:
        task.apply_async(args, countdown=countdown)
    except BrokerUnavailable:
        logger.warning("Broker unavailable: %s(%s) left for the relay", task.name, args, exc_info=True)
        return False
    return True


def on_commit(func: Callable[[], None]) -> None:
    transaction.on_commit(func)
