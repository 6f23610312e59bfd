"""The health views are async (django-health-check runs its probes concurrently). A browser test
earlier on the same test worker leaves Playwright's event loop in the main thread, where Django's
test client then cannot run an async view; each request here runs in a thread of its own, as a
real server's request would."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

REQUESTS = {"get", "head", "post", "put", "delete", "options"}


class OwnThreadClient:
    def __init__(self, client) -> None:
        self._client = client

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        if name not in REQUESTS:
            return attribute

        def request(*args, **kwargs):
            def run():
                try:
                    return attribute(*args, **kwargs)
                finally:
                    connections.close_all()  # the thread's own connections, not the test's

            with ThreadPoolExecutor(max_workers=1) as pool:
                return pool.submit(run).result()

        return request


@pytest.fixture
def client(client):
    return OwnThreadClient(client)
