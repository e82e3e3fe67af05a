"""The cache: a Redis backend that degrades instead of failing, and versioned keys.

Redis holds only what can be lost here (throttle counters, allauth's rate limits, cached
availability); bookings live in PostgreSQL. So when Redis is down a request must still be
served: reads miss, writes are dropped, and for a few seconds after a failure the backend
does not even try (a circuit breaker), so an outage costs no connect timeout per call.
Rate limits fail open for that time, which is the trade-off: a clinic keeps taking
bookings during a Redis restart.

Availability is cached per therapist and clinic-local day under a key that contains the
therapist's *version*; any booking, cancellation, time off or hours change of that
therapist bumps the version, so stale entries are simply never read again and expire on
their own. There are no model signals: every service that moves availability (the
booking services, the clinic's schedule and settings services) calls
`availability_changed` itself, inside its transaction.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("clinic.cache")

# Seconds to stop calling Redis after a connection failure.
BREAKER_SECONDS = 5.0


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class _Breaker:
    def __init__(self) -> None:
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> None:
        with self._lock:
            first = not self.open
            self._open_until = time.monotonic() + BREAKER_SECONDS
        if first:
            logger.warning("Cache unavailable: serving without it for %.0f s", BREAKER_SECONDS)


def _degrading(default: Any = None) -> Callable:
    def decorate(method: Callable) -> Callable:
        @wraps(method)
        def wrapper(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
            if self.breaker.open:
                return default(args, kwargs) if callable(default) else default
            try:
                return method(self, *args, **kwargs)
            except self.errors:
                self.breaker.trip()
                return default(args, kwargs) if callable(default) else default

        return wrapper

    return decorate


def _get_default(args: tuple, kwargs: dict) -> Any:
    if "default" in kwargs:
        return kwargs["default"]
    return args[1] if len(args) > 1 else None


class _ReusingClient(RedisCacheClient):
    """Django builds a new redis.Redis object for every cache call (about 0.2 ms each,
    nine per API request with the throttles); one per pool is enough: it is thread-safe
    and borrows a connection from the pool per command."""

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_clients", {})
        if index not in clients:
            clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return clients[index]


class ResilientRedisCache(RedisCache):
    """Django's RedisCache; connection failures become misses (see the module doc)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        # Short socket timeouts: a cache that answers slowly is worse than none.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._class = _ReusingClient
        self.breaker = _Breaker()
        self.errors = _redis_errors()

    @_degrading(default=False)
    def add(self, *args: Any, **kwargs: Any) -> bool:
        return super().add(*args, **kwargs)

    @_degrading(default=_get_default)
    def get(self, *args: Any, **kwargs: Any) -> Any:
        return super().get(*args, **kwargs)

    @_degrading(default=None)
    def set(self, *args: Any, **kwargs: Any) -> None:
        return super().set(*args, **kwargs)

    @_degrading(default=False)
    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return super().touch(*args, **kwargs)

    @_degrading(default=False)
    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return super().delete(*args, **kwargs)

    @_degrading(default=lambda args, kwargs: {})
    def get_many(self, *args: Any, **kwargs: Any) -> dict:
        return super().get_many(*args, **kwargs)

    @_degrading(default=False)
    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return super().has_key(*args, **kwargs)

    @_degrading(default=lambda args, kwargs: args[1] if len(args) > 1 else 1)
    def incr(self, *args: Any, **kwargs: Any) -> int:
        return super().incr(*args, **kwargs)

    @_degrading(default=lambda args, kwargs: [])
    def set_many(self, *args: Any, **kwargs: Any) -> list:
        return super().set_many(*args, **kwargs)

    @_degrading(default=None)
    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return super().delete_many(*args, **kwargs)

    @_degrading(default=False)
    def clear(self) -> bool:
        return super().clear()


AVAILABILITY_TTL = 60 * 5  # seconds; correctness comes from the versions, not the TTL
_VERSION_TTL = 60 * 60 * 24 * 30


def _version_key(therapist_id: int) -> str:
    return f"avail:v:{therapist_id}"


def version_keys(therapist_ids: list[int]) -> list[str]:
    """The cache keys of these therapists' versions (to read them with other entries)."""
    return [_version_key(t) for t in therapist_ids]


def therapist_versions(therapist_ids: list[int]) -> dict[int, int]:
    """The current cache version of each therapist (0 when never bumped or unknown)."""
    keys = {_version_key(t): t for t in therapist_ids}
    found = cache.get_many(list(keys)) if keys else {}
    return {t: int(found.get(k, 0)) for k, t in keys.items()}


def bump_therapist(therapist_id: int) -> None:
    """Invalidate every cached availability of this therapist (any day, any service)."""
    key = _version_key(therapist_id)
    # A random start rather than 1: if Redis lost the key (restart), a fresh counter
    # must not land on a version that old entries still carry.
    if not cache.add(key, time.time_ns(), _VERSION_TTL):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, time.time_ns(), _VERSION_TTL)


def _clinic_key(clinic_id: int) -> str:
    return f"avail:clinic:{clinic_id}:therapists"


def clinic_therapist_ids(clinic_id: int) -> list[int]:
    """The ids of the clinic's active therapists (cached until a therapist changes)."""
    key = _clinic_key(clinic_id)
    ids = cache.get(key)
    if ids is None:
        from clinic.models import Therapist

        ids = list(
            Therapist.objects.filter(clinic_id=clinic_id, active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        cache.set(key, ids, _VERSION_TTL)
    return ids


def forget_clinic_therapists(clinic_id: int) -> None:
    cache.delete(_clinic_key(clinic_id))


def availability_changed(*, therapist_ids=(), clinic_id: int | None = None) -> None:
    """Call after a change that moves availability (bookings, hours, time off, policy):
    the cached days of these therapists (or of every therapist of the clinic) are dropped
    once the transaction commits."""
    from django.db import transaction

    def bump() -> None:
        ids = set(therapist_ids)
        if clinic_id is not None:
            forget_clinic_therapists(clinic_id)
            from clinic.models import Therapist

            ids |= set(Therapist.objects.filter(clinic_id=clinic_id).values_list("pk", flat=True))
        for therapist_id in ids:
            bump_therapist(therapist_id)

    transaction.on_commit(bump)
