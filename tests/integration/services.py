"""A PostgreSQL server and a Redis of the test's own, to stop and start in the middle of the work
(the suite's own database and broker are never touched).

    pg = ThrowawayPostgres.start_new()          # initdb + pg_ctl into a temp dir, on a free port
    url = pg.copy_of(suite_database_url, "faults_1")   # the suite's test database, schema and rows
    pg.stop(); pg.start()

    redis = ThrowawayRedis.start_new()          # no persistence: a restart loses every queued task
    redis.kill(); redis.start()
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from .conftest import free_port, wait_for

PG_BIN = Path(os.environ.get("TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class ThrowawayPostgres:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        self.log = root / "postgres.log"

    @classmethod
    def start_new(cls) -> ThrowawayPostgres:
        if not (PG_BIN / "initdb").exists():
            pytest.skip(f"no PostgreSQL server binaries in {PG_BIN} (set TEST_PG_BIN)")
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start a PostgreSQL server")
        root = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        server = cls(root)
        subprocess.run(
            [*_as_postgres(), str(PG_BIN / "initdb"), "-D", str(server.data), "-U", "postgres"]
            + ["--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
            check=True,
            capture_output=True,
        )
        server.start()
        return server

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run(
            [*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log)]
            + ["-w", "-t", "60", "start"],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        """A fast shutdown: every connection is cut at once, as when the server goes away."""
        subprocess.run(
            [*_as_postgres(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
            check=True,
            capture_output=True,
        )

    def copy_of(self, source_url: str, name: str) -> str:
        """A new database holding the suite's test database as it is now (committed rows)."""
        subprocess.run(
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name], check=True
        )
        dump = subprocess.Popen([str(PG_BIN / "pg_dump"), "--no-owner", source_url], stdout=subprocess.PIPE)
        subprocess.run(
            [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url(name)],
            stdin=dump.stdout,
            check=True,
            capture_output=True,
        )
        assert dump.wait() == 0
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class ThrowawayRedis:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @classmethod
    def start_new(cls) -> ThrowawayRedis:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        server = cls(Path(tempfile.mkdtemp(prefix="faults-redis-")))
        server.start()
        return server

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # No RDB snapshot and no AOF: what a restart of an unpersisted broker loses, it loses.
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        def answers() -> bool:
            try:
                return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
            except redis.RedisError:
                return False

        wait_for(answers, timeout=20, what="the throwaway Redis to answer")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def destroy(self) -> None:
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


def query(url: str, sql: str, *params) -> list[tuple]:
    """Read the throwaway database from this process (the workers write it)."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=3) as connection:
        return connection.execute(sql, params).fetchall()


def wait_until_down_is_over(url: str, timeout: float = 30) -> None:
    def answers() -> bool:
        try:
            query(url, "SELECT 1")
        except Exception:
            return False
        return True

    wait_for(answers, timeout=timeout, what="PostgreSQL to answer again")


def pause(seconds: float) -> None:
    time.sleep(seconds)
