"""The session engine of the embedded default: Django's database sessions, read by a prepared query.

Every request reads its session row; `PreparedQuery` (schoolsocial/lib/prepared.py) spares the ORM
writing the same SQL each time. An expired row is treated exactly as Django treats it: as no
session, so the visitor is signed out and a new key is issued.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from schoolsocial.lib.prepared import PreparedQuery

_session_by_key = PreparedQuery(lambda key: Session.objects.filter(session_key=key))


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        found = _session_by_key(self.session_key) if self.session_key else []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
