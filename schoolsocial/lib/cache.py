"""A Redis cache that is only ever an optimisation.

When Redis cannot be reached, every read is a miss and every write is dropped (with a warning in
the log), so pages compute what they would have cached instead of answering 500. Reads that come
back are used as normal once Redis is back.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
WARN_EVERY_SECONDS = 60
_last_warning = 0.0


def _warn(operation: str, error: BaseException) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:  # one line a minute, not one per request
        _last_warning = now
        logger.warning("Cache unavailable (%s: %s); computing without it", operation, error)


def _tolerant(default):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                _warn(method.__name__, error)
                return default(args, kwargs) if callable(default) else default

        return wrapper

    return decorate


def _default_argument(args, kwargs):
    return kwargs.get("default", args[1] if len(args) > 1 else None)


class ResilientRedisCache(RedisCache):
    get = _tolerant(_default_argument)(RedisCache.get)
    get_many = _tolerant({})(RedisCache.get_many)
    has_key = _tolerant(False)(RedisCache.has_key)
    set = _tolerant(None)(RedisCache.set)
    add = _tolerant(False)(RedisCache.add)
    touch = _tolerant(False)(RedisCache.touch)
    set_many = _tolerant([])(RedisCache.set_many)
    delete = _tolerant(False)(RedisCache.delete)
    delete_many = _tolerant(None)(RedisCache.delete_many)
    clear = _tolerant(False)(RedisCache.clear)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            _warn("incr", error)
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)") from error


# --- Generations: forget a whole family of cached values at once -------------------------------
# A family's keys include its generation number; bumping the number makes every older key a miss
# (they expire by themselves), with no need to know which keys were written.


def generation(key: str) -> int:
    """The current generation stored under `key` (1 when none is stored yet, or Redis is away)."""
    from django.core.cache import cache

    return cache.get_or_set(key, 1, None) or 1


def bump(key: str) -> None:
    """Start a new generation under `key`."""
    from django.core.cache import cache

    try:
        cache.incr(key)
    except ValueError:  # nothing stored yet (or Redis is away: then set is dropped too)
        cache.set(key, 2, None)
