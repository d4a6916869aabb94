"""The cache on Redis never takes a page down: with Redis unreachable it acts as an empty cache."""

import socket
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from cohortnet.settings import redis_cache
from tests.factories import PASSWORD, UserFactory
from tests.smtp_sink import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def nobody_answers(settings):
    """The deployment's Redis cache, pointed at a port where nothing listens."""
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{free_port()}/0")}


def test_with_redis_unreachable_the_cache_is_empty_and_writes_are_dropped(nobody_answers):
    assert cache.set("k", 1) is None
    assert cache.get("k", "missing") == "missing"
    assert cache.get_many(["k"]) == {}
    assert cache.add("lock", True) is True  # as on an empty cache: allauth's rate-limit lock needs it
    assert cache.delete("k") is None


def test_with_redis_unreachable_signing_in_works_within_two_seconds(nobody_answers, client):
    user = UserFactory()
    started = time.monotonic()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    took = time.monotonic() - started
    assert (response.status_code, response["Location"]) == (302, reverse("dashboard"))
    assert took < 2, f"signing in took {took:.1f} s"  # the bound for every page while Redis is away


@pytest.fixture
def redis_hangs(settings):
    """The Redis cache, pointed at a server that accepts connections and never answers (hung or cut off)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)  # the kernel completes the handshakes; nobody ever reads
        settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{server.getsockname()[1]}/0")}
        yield


def test_with_redis_hung_the_cache_waits_for_one_timeout_then_answers_at_once(redis_hangs):
    started = time.monotonic()
    assert cache.get("k", "missing") == "missing"
    first = time.monotonic() - started
    for _ in range(20):
        assert cache.add("lock", True) is True
        assert cache.get("k", "missing") == "missing"
    took = time.monotonic() - started
    assert first >= 0.4, f"the first call took {first:.2f} s: the server did not hang"
    assert took < first + 0.4, f"41 calls took {took:.1f} s, the first {first:.1f} s"


def test_with_redis_hung_signing_in_works_within_two_seconds(redis_hangs, client):
    user = UserFactory()
    started = time.monotonic()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    took = time.monotonic() - started
    assert (response.status_code, response["Location"]) == (302, reverse("dashboard"))
    assert took < 2, f"signing in took {took:.1f} s"  # the bound for every page while Redis is away
