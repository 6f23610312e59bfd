"""Counting requests per key in fixed windows, in the shared cache (Redis in production).

    if not allow("password-reset:client:203.0.113.9", limit=10, seconds=3600): ...

Each window starts with the first request; `allow` says whether this request is still within the
limit. Keys hold no personal data in clear (hash an email address before using it).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def hashed(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def allow(key: str, *, limit: int, seconds: int) -> bool:
    key = f"ratelimit:{key}"
    if cache.add(key, 1, timeout=seconds):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.add(key, 1, timeout=seconds)
        count = 1
    return count <= limit
