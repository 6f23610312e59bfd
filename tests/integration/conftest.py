"""The real services: Redis (started by `make test`), Celery worker processes, an SMTP server.

    bash scripts/test.sh tests/integration      # starts PostgreSQL and Redis, then runs these

Every test here needs TEST_REDIS_URL (a Redis on loopback) and a PostgreSQL test database the
worker processes can share; without them the tests skip with the reason. Nothing here changes
settings for other tests: the Celery app of this process is pointed at Redis only for the
duration of a test, and the workers are separate processes configured through their environment.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.xdist_group("integration"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], object], timeout: float = 30, interval: float = 0.1, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what or condition}")


# --- Redis and the Celery app of this process ---------------------------------------------------
@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: run `bash scripts/test.sh tests/integration` (or make test)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at TEST_REDIS_URL does not answer: {error}")
    return url


@pytest.fixture
def queue_name() -> str:
    """A queue of this test's own, so nothing left over from another test is picked up."""
    return f"it-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def broker(redis_url: str, queue_name: str) -> Iterator[str]:
    """Tasks queued by this process go to Redis (not run eagerly) for the length of the test."""
    from schoolsocial.celery import app

    keys = ["broker_url", "task_always_eager", "task_default_queue"]
    saved = {key: app.conf[key] for key in keys}
    _forget_connections(app)  # pools made earlier in this process point at the default broker
    app.conf.update(broker_url=redis_url, task_always_eager=False, task_default_queue=queue_name)
    try:
        yield redis_url
    finally:
        app.conf.update(saved)
        _forget_connections(app)


def _forget_connections(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None


# --- The database the worker processes share -------------------------------------------------
@pytest.fixture
def shared_database_url(transactional_db) -> str:
    """The test database as a URL a worker process can open. Needs PostgreSQL: SQLite's test
    database lives in this process's memory."""
    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("integration tests need PostgreSQL (DATABASE_URL), as in `bash scripts/test.sh`")
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return (
        f"postgres://{credentials}{settings_dict.get('HOST') or '127.0.0.1'}:{settings_dict.get('PORT') or 5432}"
        f"/{settings_dict['NAME']}"
    )


@pytest.fixture
def private_media(settings, tmp_path: Path) -> Path:
    """Private files (letters, evidence, attachments) in a folder this process and the workers share."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = root
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": "/private-files-are-not-served/"},
        },
    }
    return root


# --- SMTP ------------------------------------------------------------------------------------
@dataclass
class SmtpRecorder:
    """An aiosmtpd handler that keeps what it receives and can be told to misbehave."""

    messages: list[email.message.EmailMessage] = field(default_factory=list)
    refuse_next: int = 0  # answer "451 try again later" to the next N messages
    refused: int = 0
    hold_next_connections: int = 0  # stall the greeting of the next N connections...
    held: threading.Event = field(default_factory=threading.Event)  # ...and say so here
    release: threading.Event = field(default_factory=threading.Event)
    connections: int = 0
    refuse_recipients: dict[str, str] = field(default_factory=dict)  # address -> "550 ..." at RCPT
    refuse_for_good: str = ""  # e.g. "554 5.7.1 Rejected": every message, permanently, at DATA
    envelopes: list[list[str]] = field(default_factory=list)  # who each accepted message went to

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse_recipients:
            return self.refuse_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.connections += 1
        if self.hold_next_connections > 0:
            self.hold_next_connections -= 1
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_for_good:
            self.refused += 1
            return self.refuse_for_good
        if self.refuse_next > 0:
            self.refuse_next -= 1
            self.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 2.0.0 Message accepted"


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: SmtpRecorder

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return self.recorder.messages


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    recorder = SmtpRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, recorder)
    finally:
        recorder.release.set()
        controller.stop()


# --- Celery worker processes ------------------------------------------------------------------
class WorkerProcess:
    """`celery -A schoolsocial worker` in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], queue: str, log_path: Path) -> None:
        self.log_path = log_path
        self.queue = queue
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.integration.worker_app",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
            "-n",
            f"{queue}-{uuid.uuid4().hex[:6]}@%h",
        ]
        self.log = open(log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"The worker exited early:\n{self.output()[-4000:]}")
            return " ready." in self.output()

        wait_for(ready, timeout, what="the Celery worker to be ready")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool): nothing gets to clean up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def start_worker(
    broker: str, queue_name: str, shared_database_url: str, private_media: Path, tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    """`start_worker(smtp=server)` starts a worker process on this test's queue and waits until it
    is ready. Workers still running at the end of the test are stopped."""
    workers: list[WorkerProcess] = []

    def _start(smtp: SmtpServer | None = None, **extra_env: str) -> WorkerProcess:
        env = {
            **os.environ,
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_DEFAULT_QUEUE": queue_name,  # retries and the relay, published from the worker
            "DATABASE_URL": shared_database_url,
            "PRIVATE_MEDIA_ROOT": str(private_media),
            "NOTIFY_RETRY_BASE_SECONDS": "1",
            "NOTIFY_MAX_RETRIES": "4",
            "EMAIL_TIMEOUT": "10",
            "DB_CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        if smtp is not None:
            env.update(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST=smtp.host,
                EMAIL_PORT=str(smtp.port),
            )
        worker = WorkerProcess(env, queue_name, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield _start
    for worker in workers:
        worker.stop()
