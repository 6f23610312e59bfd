"""The Celery app the integration tests' worker processes run: the project's own app, with the
broker's visibility timeout cut from hours to seconds so that the task of a worker killed with
SIGKILL is handed out again within the test (in production a new worker waits the full timeout)."""

from schoolsocial.celery import app

app.conf.broker_transport_options = {
    "visibility_timeout": 4,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

__all__ = ["app"]
