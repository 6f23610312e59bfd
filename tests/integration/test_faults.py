"""Nothing lost, nothing sent twice, when PostgreSQL or Redis goes away in the middle of the work.

Each test runs a real worker against a PostgreSQL server and a Redis of its own (see services.py),
stops one of them while emails are being sent or a sweep is deciding, starts it again, and plays
Celery beat's part by queueing the relays every few seconds. Then the count of messages the SMTP
server received equals the count due, and no address got two.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import transaction

from accounts.models import Role, User
from agreements import actions as agreement_actions
from agreements import reminders
from notifications.outbox import notify
from tests.agreements.conftest import CONTENT
from tests.factories import make_pupil, make_user

from .conftest import _forget_connections, wait_for
from .services import ThrowawayPostgres, ThrowawayRedis, query, wait_until_down_is_over

pytestmark = pytest.mark.django_db(transaction=True)

FAULTS = ["postgres", "redis"]
RELAYS = ["notifications.tasks.relay_outbox", "files.tasks.relay_renders"]


class Services:
    def __init__(self, pg: ThrowawayPostgres, redis: ThrowawayRedis, suite_database_url: str) -> None:
        self.pg, self.redis, self.suite_database_url = pg, redis, suite_database_url
        self.database_url = ""

    def copy_database(self, name: str) -> str:
        self.database_url = self.pg.copy_of(self.suite_database_url, name)
        return self.database_url

    def worker_env(self) -> dict[str, str]:
        return {
            "CELERY_BROKER_URL": self.redis.url,
            "DATABASE_URL": self.database_url,
            "NOTIFY_RELAY_STALE_SECONDS": "3",
            "RENDER_RELAY_STALE_SECONDS": "3",
        }

    def outage(self, fault: str, seconds: float = 2) -> None:
        from schoolsocial.celery import app

        if fault == "postgres":
            self.pg.stop()
            time.sleep(seconds)
            self.pg.start()
            wait_until_down_is_over(self.database_url)
        else:
            self.redis.kill()  # every task waiting in the broker is gone with it
            time.sleep(seconds)
            self.redis.start()
            _forget_connections(app)

    def beat(self) -> None:
        """What Celery beat does every minute: queue the relays (skipped while the broker is down)."""
        from schoolsocial.celery import app

        for name in RELAYS:
            try:
                app.send_task(name)
            except Exception:  # the broker is still coming back: the next beat queues it
                _forget_connections(app)


@pytest.fixture(scope="session")
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres.start_new()
    yield server
    server.destroy()


@pytest.fixture
def services(request, broker: str, shared_database_url: str) -> Iterator[Services]:
    """A PostgreSQL server and a Redis of this test's own; this process publishes to that Redis."""
    from schoolsocial.celery import app

    pg = request.getfixturevalue("throwaway_postgres")  # only once PostgreSQL is known to be in use
    redis = ThrowawayRedis.start_new()
    _forget_connections(app)
    app.conf.update(broker_url=redis.url)
    try:
        yield Services(pg, redis, shared_database_url)
    finally:
        app.conf.update(broker_url=broker)
        _forget_connections(app)
        redis.destroy()


def received_by(smtp_server) -> Counter:
    return Counter(message["To"] for message in smtp_server.messages)


def wait_for_all(services: Services, smtp_server, expected: set[str], timeout: float = 120) -> Counter:
    """Beat every 3 s until every expected address got its message, then look for stray duplicates."""
    deadline = time.monotonic() + timeout
    while set(received_by(smtp_server)) != expected and time.monotonic() < deadline:
        services.beat()
        time.sleep(3)
    time.sleep(3)  # long enough for a duplicate to show up
    return received_by(smtp_server)


def statuses(url: str, key_prefix: str) -> dict[str, int]:
    rows = query(
        url, "SELECT status, count(*) FROM notifications_notification WHERE key LIKE %s GROUP BY 1", key_prefix
    )
    return dict(rows)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_mass_send_loses_nothing_and_sends_nothing_twice_when_a_service_restarts(
    fault, cast, smtp_server, start_worker, services
):
    count = 80
    expected = {f"parent{n}@example.org" for n in range(count)}
    with transaction.atomic():  # published on commit to the throwaway Redis
        for n in range(count):
            notify(
                key=f"mass:{n}",
                to=[f"parent{n}@example.org"],
                template="invitation",
                context={"accept_url": "https://portal.example/accept/abc", "school": cast.school},
                school=cast.school,
            )
    services.copy_database(f"mass_{fault}")
    worker = start_worker(smtp=smtp_server, **services.worker_env())

    wait_for(lambda: len(smtp_server.messages) >= 10, timeout=60, what="the mass send to be under way")
    services.outage(fault)
    received = wait_for_all(services, smtp_server, expected)

    assert set(received) == expected, f"{len(expected - set(received))} never arrived\n{worker.output()[-3000:]}"
    assert max(received.values()) == 1, [address for address, times in received.items() if times > 1]
    # Sent, or (the database went away between the server's answer and its record) "sending": it
    # arrived, and it is never sent again.
    rows = statuses(services.database_url, "mass:%")
    assert set(rows) <= {"sent", "sending"} and sum(rows.values()) == count


@pytest.mark.parametrize("fault", FAULTS)
def test_a_reminder_sweep_records_every_decision_with_its_email_when_a_service_restarts(
    fault, cast, smtp_server, start_worker, services
):
    for n in range(40):
        parent = make_user(cast.school, Role.PARENT, name=f"Parent {n}", email=f"parent{n}@example.org")
        make_pupil(cast.school, parent=parent)
    draft = agreement_actions.start_draft(school=cast.school, by=cast.headteacher, **CONTENT)
    version = agreement_actions.publish(draft, by=cast.headteacher, ask_parents=False)
    due = reminders.due_for_version(version)
    parent_ids = [parent_id for ids in due.values() for parent_id in ids]
    expected = set(User.objects.filter(pk__in=parent_ids).values_list("email", flat=True))
    assert len(expected) >= 40
    url = services.copy_database(f"sweep_{fault}")
    worker = start_worker(smtp=smtp_server, **services.worker_env())

    from schoolsocial.celery import app

    app.send_task("agreements.tasks.sweep_unsigned_agreements")
    wait_for(lambda: "send_agreement_emails" in worker.output(), timeout=60, what="the sweep to start deciding")
    services.outage(fault)
    if fault == "redis":
        # A chunk the worker had received but not started is gone with an unpersisted broker, and
        # no row says it is owed (nothing was decided): the sweep's next run decides it. A started
        # chunk commits its decisions with their emails, and the outbox relay sends them.
        app.send_task("agreements.tasks.sweep_unsigned_agreements")
    received = wait_for_all(services, smtp_server, expected)

    missing = expected - set(received)
    assert not missing, f"{len(missing)} parents were never asked\n{worker.output()[-3000:]}"
    assert max(received.values()) == 1
    decided = query(url, "SELECT count(*) FROM agreements_agreementreminder WHERE version_id = %s", version.pk)[0][0]
    assert decided == len(expected) == sum(statuses(url, "agreement-%").values())

    # The sweep runs again the next day (or twice, beside beat): nobody is asked twice.
    app.send_task("agreements.tasks.sweep_unsigned_agreements")
    time.sleep(5)
    assert max(received_by(smtp_server).values()) == 1 and len(smtp_server.messages) == len(expected)
