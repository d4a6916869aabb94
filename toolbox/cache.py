"""The cache when Redis is set: a cache that never takes a page down.

django-redis with ``IGNORE_EXCEPTIONS`` turns every call made while Redis is
unreachable into a miss or a no-op, so the cache behaves as if it were empty.
Two things need more:

- ``add`` on an empty cache succeeds, but django-redis answers ``None``.
  allauth's rate limits take a lock with ``add`` and, when it fails, wait a
  second and refuse the request (a 429 on every sign-in while Redis is down),
  so here ``add`` answers as an empty cache would.
- A Redis that is hung or cut off (not refusing, just silent) costs each call
  its socket timeout, and one sign-in makes about twenty calls: 10 s. After
  one failure this process stops asking that server for ``PAUSE_SECONDS`` and
  every call fails at once, as a miss or a no-op.
"""

import functools
import time

from django_redis.cache import RedisCache, omit_exception
from django_redis.exceptions import ConnectionInterrupted

#: After a call to Redis fails, this process skips that server for this long.
PAUSE_SECONDS = 10.0

#: Per server (its LOCATION), until when (time.monotonic()) calls skip it.
_paused_until: dict[str, float] = {}


class RedisPausedError(ConnectionError):
    """Redis failed moments ago, so this call did not try it."""


class _PausingClient:
    """django-redis's client, skipping Redis for a while after it failed (see the module docstring)."""

    def __init__(self, client, server: str):
        self._client = client
        self._server = server

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args, **kwargs):
            if time.monotonic() < _paused_until.get(self._server, 0.0):
                raise ConnectionInterrupted(connection=None) from RedisPausedError(
                    f"Redis failed less than {PAUSE_SECONDS:g} s ago; not asked"
                )
            try:
                return attr(*args, **kwargs)
            except ConnectionInterrupted:
                _paused_until[self._server] = time.monotonic() + PAUSE_SECONDS
                raise

        return call


class OptionalRedisCache(RedisCache):
    @property
    def client(self):
        return _PausingClient(super().client, self._server)

    @omit_exception(return_value=True)
    def add(self, *args, **kwargs):
        return self.client.add(*args, **kwargs)
