"""The cache when Redis is set: a cache that never takes a page down.

django-redis with ``IGNORE_EXCEPTIONS`` turns every call made while Redis is
unreachable into a miss or a no-op, so the cache behaves as if it were empty.
One call needs more: ``add`` on an empty cache succeeds, but django-redis
answers ``None``. allauth's rate limits take a lock with ``add`` and, when it
fails, wait a second and refuse the request (a 429 on every sign-in while
Redis is down), so here ``add`` answers as an empty cache would.
"""

from django_redis.cache import RedisCache, omit_exception


class OptionalRedisCache(RedisCache):
    @omit_exception(return_value=True)
    def add(self, *args, **kwargs):
        return self.client.add(*args, **kwargs)
