"""`/health/` for the load balancer and `/health/ready/` for the deploy: one word each, nothing more.

Both run django-health-check's probes (the database answers, the cache keeps a value, the Celery
broker takes a connection, the private storage writes, reads and deletes a file). Readiness also
fails while any migration is unapplied, so a new release is not sent traffic before `migrate` ran
(and an old one notices when a newer schema arrives). Anyone may call them, so the answer is "ok"
or "unavailable" and a status code: no check names, versions or error text. What failed is logged
for the people who run the portal.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

logger = logging.getLogger("schoolsocial.health")


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (no worker needs to be running for this)."""

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=3), repr=False)

    def run(self) -> None:
        from schoolsocial.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=int(self.timeout.total_seconds()))
        except Exception as error:  # kombu raises many kinds; any of them means "not reachable"
            raise ServiceUnavailable("broker unreachable") from error


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration the code knows about has been applied to the database."""

    alias: str = DEFAULT_DB_ALIAS

    def run(self) -> None:
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise ServiceUnavailable("database unavailable") from error
        finally:
            connection.close()  # this runs in a worker thread: leave no connection behind
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migration(s) not applied")


SERVICE_CHECKS: tuple[str, ...] = (
    "health_check.checks.Database",
    "health_check.checks.Cache",
    "schoolsocial.health.Broker",
    "health_check.checks.Storage",
)


class LiveView(HealthCheckView):
    """200 "ok" when every service answers, 503 "unavailable" otherwise."""

    checks: tuple[str, ...] = SERVICE_CHECKS
    http_method_names = ["get", "head"]

    async def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        failed = [result for result in results if result.error]
        for result in failed:
            logger.error("Health check %s failed: %s", type(result.check).__name__, result.error)
        return HttpResponse(
            "unavailable\n" if failed else "ok\n",
            status=503 if failed else 200,
            content_type="text/plain; charset=utf-8",
        )


class ReadyView(LiveView):
    """Also 503 while a migration is pending."""

    checks = (*SERVICE_CHECKS, "schoolsocial.health.MigrationsApplied")
